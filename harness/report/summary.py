"""build_summary: the summary.json document every report format renders from.

docs/report-schema.md describes every key; keep the two in step. Additive
changes keep SCHEMA_VERSION; renaming or removing a key bumps it.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from harness.metrics.aggregate import RunAggregate
from harness.metrics.metric_set import LATENCY_HISTOGRAMS, MetricSet
from harness.metrics.throughput import Window, throughput
from harness.metrics.timeseries import SecondBin, SecondSeries
from harness.report.comparison import comparison_rows
from harness.report.costs import cost_block, currency_warnings
from harness.report.run_info import RunInfo
from harness.slo.evaluate import apply_slos

SCHEMA_VERSION = 1
#: Overall histograms shipped raw, so a consumer can merge several runs exactly.
RAW_HISTOGRAMS: tuple[str, ...] = ("ttft", "itl", "tpot", "e2e")


def build_summary(aggregate: RunAggregate, run: RunInfo) -> dict[str, Any]:
    """The summary of one run; each grouping (e.g. ``targets``) is a top-level key."""
    window = run.measured_window
    summary: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "run": run.to_dict(),
        "overall": metrics_block(aggregate.overall, window),
    }
    for name, groups in aggregate.groups.items():
        summary[name] = {key: metrics_block(groups[key], window) for key in sorted(groups)}
    summary["run"]["warnings"] += currency_warnings(aggregate.overall)
    summary["comparison"] = comparison_rows(summary["targets"], run.targets)
    summary["timeseries"] = timeseries_rows(aggregate.seconds, run.started_at)
    summary["histograms"] = {
        name: aggregate.overall.histogram(name).to_dict() for name in RAW_HISTOGRAMS
    }
    apply_slos(summary, aggregate, run.slo)
    return summary


def metrics_block(metrics: MetricSet, window: Window | None = None) -> dict[str, Any]:
    """Counts, tokens, cost, throughput and latency summaries (seconds) of one MetricSet."""
    rates = throughput(metrics, window)
    return {
        "requests": metrics.requests,
        "ok": metrics.ok,
        "failed": metrics.failed,
        "success_rate": metrics.ok / metrics.requests if metrics.requests else None,
        "error_rate": metrics.failed / metrics.requests if metrics.requests else None,
        "errors_by_kind": dict(sorted(metrics.errors_by_kind.items())),
        "tokens": {
            "input": metrics.input_tokens,
            "output": metrics.output_tokens,
            "reasoning": metrics.reasoning_tokens,
            "cached_input": metrics.cached_input_tokens,
            "estimated_records": metrics.usage_estimated,
            "compared_records": metrics.usage_compared,
            "usage_diff_pct": metrics.usage_diff_pct(),
        },
        "bytes_received": metrics.bytes_received,
        "workflows": metrics.workflows,
        "retries": retries_block(metrics),
        "cost": cost_block(metrics, rates.window_s),
        "throughput": asdict(rates),
        "latency": {name: metrics.histogram(name).summary() for name in LATENCY_HISTOGRAMS},
        "error_samples": metrics.error_samples.summary(),
        "output_tps": metrics.output_tps.summary(),
    }


def retries_block(metrics: MetricSet) -> dict[str, Any]:
    """Attempts against logical requests: how much retrying multiplied the load."""
    logical = metrics.logical_requests
    return {
        "attempts": metrics.requests,
        "logical_requests": logical,
        "amplification": _share(metrics.requests, logical),
        "logical_success_rate": _share(metrics.logical_ok, logical),
        "retry_attempts": metrics.retries,
        "retried_requests": metrics.retried_logical,
        "succeeded_after_retry": metrics.succeeded_after_retry,
        "denied_by_budget": metrics.retry_denied_by_budget,
        "limited_attempts": metrics.limited_attempts,
        "fallback_attempts": metrics.fallback_attempts,
        "fallback_rate": _share(metrics.fell_back, logical),
        "routed": metrics.routed,
        "routed_rate": _share(metrics.routed, logical),
        "fallbacks_from": dict(sorted(metrics.fell_back_from.items())),
    }


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def has_retry_activity(block: dict[str, Any]) -> bool:
    """True when a metrics block saw a retry, a retry the budget denied or a limiter wait."""
    retries = block["retries"]
    return bool(
        retries["retry_attempts"] or retries["denied_by_budget"] or retries["limited_attempts"]
    )


def has_fallback_activity(block: dict[str, Any]) -> bool:
    """True when a metrics block saw an attempt on a fallback target or a routed request."""
    retries = block["retries"]
    return bool(retries["fallback_attempts"] or retries["routed"])


def timeseries_rows(series: SecondSeries, run_started_at: float) -> list[dict[str, Any]]:
    """One row per second from the first to the last recorded second; quiet seconds are zeros."""
    span = series.span()
    if span is None:
        return []
    origin = math.floor(run_started_at)
    quiet = SecondBin()
    in_flight = series.in_flight()
    rows = []
    for second in range(span[0], span[1] + 1):
        slot = series.bins.get(second, quiet)
        rows.append(
            {
                "t": second - origin,
                "at": second,
                "ok": slot.ok,
                "failed": slot.failed,
                "errors_by_kind": dict(sorted(slot.errors_by_kind.items())),
                "retries": slot.retries,
                "output_tokens": slot.output_tokens,
                "ttft_p50": slot.ttft.quantile(0.50),
                "ttft_p95": slot.ttft.quantile(0.95),
                "e2e_p50": slot.e2e.quantile(0.50),
                "e2e_p95": slot.e2e.quantile(0.95),
                "offered": slot.offered,
                "sent": slot.sent,
                "in_flight": in_flight[second],
                "rate_limit_remaining_requests": slot.rate_limit_remaining_requests,
                "rate_limit_remaining_tokens": slot.rate_limit_remaining_tokens,
            }
        )
    return rows
