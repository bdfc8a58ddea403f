from __future__ import annotations

import copy

from harness.report.formatting import format_count, format_ms, format_percent
from harness.report.markdown import cell, summary_markdown


def parse_tables(markdown: str) -> list[list[list[str]]]:
    """Every table as rows of cells (header first, the alignment row dropped)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("| "):
            cells = [part.strip() for part in line.strip()[2:-2].split(" | ")]
            if not all(set(c) <= set(":-") for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_headline_and_target_rows_match_the_summary(summary):
    headline, targets, errors = parse_tables(summary_markdown(summary))
    overall = summary["overall"]

    assert headline[0][:4] == ["requests", "success", "TTFT p50", "TTFT p95"]
    assert headline[1][:4] == [
        format_count(overall["requests"]),
        format_percent(overall["success_rate"]),
        format_ms(overall["latency"]["ttft"]["p50"]),
        format_ms(overall["latency"]["ttft"]["p95"]),
    ]
    rows = {row[0]: row for row in targets[1:]}
    assert list(rows) == ["alpha", "beta", "**overall**"]
    beta = summary["targets"]["beta"]
    assert rows["beta"][1:4] == [
        format_count(beta["requests"]),
        format_percent(beta["error_rate"]),
        format_ms(beta["latency"]["ttft"]["p50"]),
    ]
    assert {row[0]: row[1] for row in errors[1:]} == {
        kind: format_count(count) for kind, count in overall["errors_by_kind"].items()
    }


def test_slo_verdict_and_rules_when_the_run_had_slos(summary):
    judged = copy.deepcopy(summary)
    judged["slo"] = {
        "verdict": "fail",
        "results": [
            {"rule": "ttft.p95 < 300ms", "scope": "overall", "metric": "ttft.p95", "op": "<",
             "threshold": 0.3, "measured": 0.5, "unit": "s", "passed": False},
        ],
    }  # fmt: skip
    markdown = summary_markdown(judged)
    tables = parse_tables(markdown)

    assert tables[0][0][-1] == "SLO" and "FAIL" in tables[0][1][-1]
    assert "### SLOs: FAILED" in markdown
    assert tables[-1][1] == ["`ttft.p95 < 300ms`", "overall", "500.0 ms", "< 300.0 ms", "**FAIL**"]
    assert "SLO" not in parse_tables(summary_markdown(summary))[0][0]


def test_warnings_and_partial_runs_are_called_out(summary):
    partial = copy.deepcopy(summary)
    partial["run"]["partial"] = True

    markdown = summary_markdown(partial)

    assert "Partial run" in markdown
    assert "- <b>generator was busy</b>" in markdown


def test_cells_cannot_break_the_table():
    assert cell("a|b\nc`d") == "a\\|b c'd"
