"""summary.md: the run in GitHub-flavoured Markdown, for CI step summaries and PR comments.

Short by design: the headline figures, one row per target, the error kinds
with a sample message, the SLO verdict and the warnings. report.html has
the rest, and every number here is in summary.json.
"""

from __future__ import annotations

from typing import Any

from harness.report.formatting import (
    format_cost,
    format_count,
    format_epoch,
    format_ms,
    format_percent,
    format_rate,
)
from harness.slo.junit import format_value

TARGET_HEADER = ["target", "requests", "errors", "TTFT p50", "TTFT p95", "E2E p50", "E2E p95"]
TARGET_HEADER += ["out tok/s", "cost"]


def summary_markdown(summary: dict[str, Any]) -> str:
    run, overall = summary["run"], summary["overall"]
    lines = [
        f"## LLM load report: {format_epoch(run['started_at'])}, {run['duration_s']:.1f} s",
        "",
    ]
    if run["partial"]:
        lines += ["> [!WARNING]", "> Partial run: these numbers cover only what was recorded.", ""]
    lines += _headline(summary, overall)
    lines += ["", "### Targets", ""]
    targets = [_target_row(name, block) for name, block in sorted(summary["targets"].items())]
    lines += table(TARGET_HEADER, [*targets, _target_row("**overall**", overall)])
    lines += _error_lines(summary)
    lines += _slo_lines(summary)
    if run["warnings"]:
        lines += ["", "### Warnings", ""] + [f"- {cell(warning)}" for warning in run["warnings"]]
    lines += ["", "Times in ms. Full report: `report.html`; every figure: `summary.json`.", ""]
    return "\n".join(lines)


def _headline(summary: dict[str, Any], overall: dict[str, Any]) -> list[str]:
    cost = overall["cost"]
    header = ["requests", "success", "TTFT p50", "TTFT p95", "out tok/s", "cost"]
    row = [
        format_count(overall["requests"]),
        format_percent(overall["success_rate"]),
        format_ms(overall["latency"]["ttft"]["p50"]),
        format_ms(overall["latency"]["ttft"]["p95"]),
        format_rate(overall["throughput"]["output_tokens_per_s"]),
        _money(cost),
    ]
    slo = summary.get("slo")
    if slo is not None:
        header.append("SLO")
        row.append("✅ pass" if slo["verdict"] == "pass" else "❌ FAIL")
    return table(header, [row])


def _target_row(name: str, block: dict[str, Any]) -> list[str]:
    latency = block["latency"]
    return [
        name,
        format_count(block["requests"]),
        format_percent(block["error_rate"]),
        format_ms(latency["ttft"]["p50"]),
        format_ms(latency["ttft"]["p95"]),
        format_ms(latency["e2e"]["p50"]),
        format_ms(latency["e2e"]["p95"]),
        format_rate(block["throughput"]["output_tokens_per_s"]),
        _money(block["cost"]),
    ]


def _money(cost: dict[str, Any]) -> str:
    shown = format_cost(cost["total"], cost["unpriced_records"])
    return (
        f"{shown} {cost['currency']}" if cost["total"] is not None and cost["currency"] else shown
    )


def _error_lines(summary: dict[str, Any]) -> list[str]:
    samples = summary["overall"].get("error_samples", {})
    errors = summary["overall"]["errors_by_kind"]
    if not errors:
        return []
    rows = []
    for kind, count in sorted(errors.items(), key=lambda item: (-item[1], item[0])):
        first = samples.get(kind, [{}])[0]
        message = first.get("message") or ""
        rows.append([kind, format_count(count), f"`{cell(message)}`" if message else "-"])
    return ["", "### Errors", "", *table(["kind", "attempts", "sample message"], rows, left=(0, 2))]


def _slo_lines(summary: dict[str, Any]) -> list[str]:
    slo = summary.get("slo")
    if slo is None:
        return []
    rows = [
        [
            f"`{cell(result['rule'])}`",
            cell(str(result["scope"])),
            format_value(result["measured"], result["unit"]),
            f"{result['op']} {format_value(result['threshold'], result['unit'])}",
            "pass" if result["passed"] else "**FAIL**",
        ]
        for result in slo["results"]
    ]
    verdict = "passed" if slo["verdict"] == "pass" else "FAILED"
    return [
        "",
        f"### SLOs: {verdict}",
        "",
        *table(["rule", "scope", "measured", "threshold", ""], rows, left=(0, 1)),
    ]


def table(header: list[str], rows: list[list[str]], left: tuple[int, ...] = (0,)) -> list[str]:
    """A Markdown table; the ``left`` columns left-aligned (text), the others right (numbers)."""
    align = [":--" if column in left else "--:" for column in range(len(header))]
    return [_row(header), _row(align), *(_row(row) for row in rows)]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def cell(text: str) -> str:
    """Text safe inside a table cell: no pipes or line breaks to end it early."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "'")
