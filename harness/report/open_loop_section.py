"""The open loop in report.html: what the dispatcher did, and latency from the due time."""

from __future__ import annotations

from typing import Any

from harness.contracts import ReportSection
from harness.report.formatting import format_ms
from harness.report.html_report import template_environment

TEMPLATE = "open_loop_section.html.j2"
QUANTILES: tuple[str, ...] = ("p50", "p95", "p99")
#: (label, latency from the send, latency from the due time)
PAIRS: tuple[tuple[str, str, str], ...] = (
    ("TTFT", "ttft", "ttft_scheduled"),
    ("E2E", "e2e", "e2e_scheduled"),
)


def open_loop_section(summary: dict[str, Any]) -> ReportSection:
    arrivals = summary["arrivals"]
    latency = summary["overall"]["latency"]
    html = (
        template_environment()
        .get_template(TEMPLATE)
        .render(arrivals=arrivals, latency=latency, pairs=PAIRS, quantiles=QUANTILES)
    )
    lag = arrivals["schedule_lag"]
    text = (
        f"open loop ({arrivals['mode']}): {arrivals['scheduled']} scheduled, "
        f"{arrivals['started']} started, {arrivals['dropped']} dropped; schedule lag p99 "
        f"{format_ms(lag['p99'])} ms"
    )
    return ReportSection("Open loop", html, text)
