"""The capacity sweep in report.html: the capacity, charts against offered load, the stages."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from harness.contracts import ReportSection
from harness.report.html_report import template_environment
from harness.report.svg_chart import Series, line_chart

TEMPLATE = "sweep_section.html.j2"


def sweep_charts(sweep: dict[str, Any]) -> dict[str, Markup]:
    """Latency percentiles and throughput against the offered rate of each stage."""
    stages = sweep["stages"]
    by_rate = sweep["plan"]["mode"] == "rate"
    load = [float(stage["offered_rps"] if by_rate else stage["users"]) for stage in stages]
    x_unit = " req/s" if by_rate else " users"

    def ms(key: str, quantile: str) -> list[float | None]:
        values = [stage[key][quantile] for stage in stages]
        return [None if value is None else value * 1000 for value in values]

    latency = line_chart(
        load,
        [
            Series("TTFT p50", ms("ttft", "p50")),
            Series("TTFT p95", ms("ttft", "p95")),
            Series("TTFT p99", ms("ttft", "p99")),
            Series("E2E p95", ms("e2e", "p95")),
        ],
        title="Latency against offered load",
        y_unit=" ms",
        x_unit=x_unit,
    )
    throughput = line_chart(
        load,
        [
            *([Series("offered", load)] if by_rate else []),
            Series("achieved", [stage["achieved_rps"] for stage in stages]),
            Series("goodput", [stage["goodput_rps"] for stage in stages]),
        ],
        title="Throughput and goodput against offered load",
        y_unit=" req/s",
        x_unit=x_unit,
    )
    # line_chart escapes every piece of text it embeds.
    return {"latency": Markup(latency), "throughput": Markup(throughput)}


def sweep_section(sweep: dict[str, Any]) -> ReportSection:
    html = (
        template_environment()
        .get_template(TEMPLATE)
        .render(sweep=sweep, charts=sweep_charts(sweep))
    )
    capacity = sweep["capacity"]
    text = f"capacity: {capacity['statement']}\nstopped: {sweep['stop_reason']}"
    return ReportSection("Capacity sweep", html, text)
