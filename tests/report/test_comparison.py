from __future__ import annotations

import re
from typing import Any

from harness.report.comparison import comparison_rows
from harness.report.console import format_console_summary
from harness.report.render import write_reports


def block(ttft_p50: float | None, requests: int = 10) -> dict[str, Any]:
    quantiles = {"p50": ttft_p50, "p95": ttft_p50}
    return {
        "requests": requests,
        "error_rate": 0.0,
        "errors_by_kind": {},
        "latency": {name: quantiles for name in ("ttft", "itl", "tpot", "e2e")},
        "throughput": {"output_tokens_per_s": 100.0, "requests_per_s": 2.0},
        "cost": dict.fromkeys(("currency", "total", "per_1k_requests", "per_day", "per_month"))
        | {"unpriced_records": 0},
    }


def test_rows_are_ordered_by_ttft_p50_and_unmeasured_targets_last() -> None:
    targets = {"slow": block(0.4), "none": block(None, 0), "fast": block(0.1), "mid": block(0.2)}
    described = [{"name": "fast", "provider": "openai", "model": "m"}]
    rows = comparison_rows(targets, described)
    assert [(r["rank"], r["target"]) for r in rows] == [
        (1, "fast"),
        (2, "mid"),
        (3, "slow"),
        (4, "none"),
    ]
    assert (rows[0]["provider"], rows[0]["model"]) == ("openai", "m")
    assert rows[1]["provider"] is None


def test_a_single_target_has_no_comparison() -> None:
    assert comparison_rows({"only": block(0.1)}, []) == []


def test_summary_html_and_console_show_the_comparison(summary: dict[str, Any], tmp_path) -> None:
    rows = summary["comparison"]
    assert [row["target"] for row in rows] == sorted(
        summary["targets"], key=lambda name: summary["targets"][name]["latency"]["ttft"]["p50"]
    )
    write_reports(summary, tmp_path)
    html = (tmp_path / "report.html").read_text()
    order = re.findall(r'<tr data-target="([^"]+)">', html)
    assert order == [row["target"] for row in rows]
    console = format_console_summary(summary)
    assert "targets compared" in console
    assert console.index(f"1. {rows[0]['target']}") < console.index(f"2. {rows[1]['target']}")
