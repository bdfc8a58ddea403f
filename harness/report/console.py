"""format_console_summary: the plain-text tables printed at the end of a run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.report.costs import has_cost_data, pricing_line, unpriced_models
from harness.report.formatting import (
    USAGE_DIFF_TOLERANCE_PCT,
    format_cost,
    format_count,
    format_counts,
    format_ms,
    format_percent,
    format_rate,
    format_ratio,
    format_signed_percent,
    usage_diff_stands_out,
)
from harness.report.summary import has_fallback_activity, has_retry_activity
from harness.slo.console import verdict_lines

CONSOLE_LATENCIES: tuple[tuple[str, str], ...] = (
    ("ttft", "TTFT"),
    ("itl", "ITL"),
    ("tpot", "TPOT"),
    ("e2e", "E2E"),
)
CONSOLE_QUANTILES: tuple[str, ...] = ("p50", "p90", "p99")


def format_console_summary(summary: dict[str, Any]) -> str:
    """Requests, errors, throughput and latency percentiles per target and overall."""
    blocks = [("overall", summary["overall"]), *sorted(summary["targets"].items())]
    lines: list[str] = []
    if summary["run"]["partial"]:
        lines += ["PARTIAL RUN: the run ended abnormally or its records are incomplete", ""]
    lines += _volume_table(blocks)
    lines += ["", "errors by kind:"]
    lines += [f"  {name}: {_error_list(block['errors_by_kind'])}" for name, block in blocks]
    lines += _usage_lines(blocks)
    lines += _retry_lines(blocks)
    lines += _fallback_lines(blocks)
    lines += _cost_lines(summary, blocks)
    lines += ["", *_latency_table(blocks)]
    if summary.get("comparison"):
        lines += ["", *_comparison_table(summary["comparison"])]
    lines += verdict_lines(summary)
    return "\n".join(lines) + "\n"


def _comparison_table(rows: list[dict[str, Any]]) -> list[str]:
    header = ["targets compared", "TTFT p50", "TTFT p95", "E2E p95", "out tok/s", "errors"]
    table = [
        [
            f"{row['rank']}. {row['target']}",
            format_ms(row["ttft_p50"]),
            format_ms(row["ttft_p95"]),
            format_ms(row["e2e_p95"]),
            format_rate(row["output_tokens_per_s"]),
            format_percent(row["error_rate"]),
        ]
        for row in rows
    ]
    return _align(header, table)


def _volume_table(blocks: list[tuple[str, dict[str, Any]]]) -> list[str]:
    header = ["target", "requests", "ok", "failed", "errors", "out tok/s", "req/s"]
    rows = [
        [
            name,
            format_count(block["requests"]),
            format_count(block["ok"]),
            format_count(block["failed"]),
            format_percent(block["error_rate"]),
            format_rate(block["throughput"]["output_tokens_per_s"]),
            format_rate(block["throughput"]["requests_per_s"]),
        ]
        for name, block in blocks
    ]
    return _align(header, rows)


def _latency_table(blocks: list[tuple[str, dict[str, Any]]]) -> list[str]:
    header = ["latency (ms)", "metric", *CONSOLE_QUANTILES]
    rows = []
    for name, block in blocks:
        for position, (key, label) in enumerate(CONSOLE_LATENCIES):
            stats = block["latency"][key]
            quantiles = [format_ms(stats[q]) for q in CONSOLE_QUANTILES]
            # The target name once per group of rows keeps the table scannable.
            rows.append([name if position == 0 else "", label, *quantiles])
    return _align(header, rows, text_columns=2)


def _usage_lines(blocks: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Reported usage against the harness's count, and a word when usage was estimated."""
    lines = []
    compared = [
        (name, block["tokens"]) for name, block in blocks if block["tokens"]["compared_records"]
    ]
    if compared:
        limit = f"{USAGE_DIFF_TOLERANCE_PCT:g}%"
        lines += ["", f"usage diff, (reported - estimated) / estimated; (!) beyond +-{limit}:"]
        for name, tokens in compared:
            diffs = [_flagged(part, tokens["usage_diff_pct"][part]) for part in ("input", "output")]
            attempts = format_count(tokens["compared_records"])
            lines.append(f"  {name}: {', '.join(diffs)} ({attempts} attempts)")
    overall = blocks[0][1]
    estimated = overall["tokens"]["estimated_records"]
    if estimated:
        share = f"{format_count(estimated)} of {format_count(overall['requests'])} attempts"
        lines += ["", f"note: usage estimated by the harness for {share} (none reported)"]
    return lines


Blocks = list[tuple[str, dict[str, Any]]]


def _retry_lines(blocks: Blocks) -> list[str]:
    """A line for each block that retried, had a retry denied or waited for the limiter."""
    heading = "retries: attempts / logical requests; logical E2E p50 vs first attempts' (ms):"
    return _active_lines(blocks, has_retry_activity, heading, _retry_line)


def _retry_line(name: str, block: dict[str, Any]) -> str:
    retries, latency = block["retries"], block["latency"]
    return (
        f"  {name}: {format_count(retries['attempts'])} / "
        f"{format_count(retries['logical_requests'])} = "
        f"{format_ratio(retries['amplification'])}, "
        f"logical success {format_percent(retries['logical_success_rate'])}, "
        f"{format_count(retries['succeeded_after_retry'])} succeeded after retry, "
        f"{format_count(retries['denied_by_budget'])} denied by budget, "
        f"{format_count(retries['limited_attempts'])} held by the limiter; "
        f"E2E p50 {format_ms(latency['logical_e2e']['p50'])} "
        f"vs {format_ms(latency['first_attempt_e2e']['p50'])}"
    )


def _fallback_lines(blocks: Blocks) -> list[str]:
    """A line for each block that served requests as a fallback or routed them."""
    heading = "fallbacks and routing; logical E2E p50 of fallen-back requests vs all (ms):"
    return _active_lines(blocks, has_fallback_activity, heading, _fallback_line)


def _fallback_line(name: str, block: dict[str, Any]) -> str:
    retries, latency = block["retries"], block["latency"]
    served = sum(retries["fallbacks_from"].values())
    return (
        f"  {name}: {format_count(served)} requests "
        f"({format_percent(retries['fallback_rate'])}) served as fallback for "
        f"{format_counts(retries['fallbacks_from'], empty='none')}, "
        f"{format_count(retries['fallback_attempts'])} fallback attempts costing "
        f"{format_cost(block['cost']['fallback_cost'], 0)}; "
        f"{format_count(retries['routed'])} routed "
        f"({format_percent(retries['routed_rate'])}); "
        f"E2E p50 {format_ms(latency['fallback_logical_e2e']['p50'])} "
        f"vs {format_ms(latency['logical_e2e']['p50'])}"
    )


def _active_lines(
    blocks: Blocks,
    active: Callable[[dict[str, Any]], bool],
    heading: str,
    line: Callable[[str, dict[str, Any]], str],
) -> list[str]:
    """A heading and a line per block that ``active`` picks; nothing when it picks none."""
    shown = [line(name, block) for name, block in blocks if active(block)]
    return ["", heading, *shown] if shown else []


def _cost_lines(summary: dict[str, Any], blocks: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Total cost and its projection per target, and a warning when some attempts had no price."""
    overall = summary["overall"]
    if not has_cost_data(overall):
        return []
    lines = ["", f"cost ({pricing_line(summary['run']['pricing'], overall['cost']['currency'])}):"]
    for name, block in blocks:
        cost = block["cost"]
        unpriced = cost["unpriced_records"]
        if cost["total"] is None:
            lines.append(f"  {name}: {format_cost(None, unpriced)}")
            continue
        figures = [
            f"{label} {format_cost(cost[key], unpriced)}"
            for key, label in (
                ("per_1k_requests", "per 1k requests"),
                ("per_day", "per day"),
                ("per_month", "per month"),
            )
        ]
        lines.append(f"  {name}: {format_cost(cost['total'], unpriced)}; {', '.join(figures)}")
    unpriced = overall["cost"]["unpriced_records"]
    if unpriced:
        models = ", ".join(unpriced_models(summary)) or "unknown"
        lines.append(
            f"warning: {format_count(unpriced)} attempts have no price (models: {models}): "
            "their cost is unknown, not 0; add prices with [[pricing.models]] in harness.toml "
            "or --prices FILE"
        )
    return lines


def _flagged(part: str, percent: float | None) -> str:
    mark = " (!)" if usage_diff_stands_out(percent) else ""
    return f"{part} {format_signed_percent(percent)}{mark}"


def _error_list(errors_by_kind: dict[str, int]) -> str:
    return format_counts(errors_by_kind, empty="none")


def _align(header: list[str], rows: list[list[str]], text_columns: int = 1) -> list[str]:
    """Left-align the leading text columns, right-align the numbers."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            cell.ljust(width) if column < text_columns else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines
