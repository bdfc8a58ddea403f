"""One sweep stage's numbers, from its records: the measured window only.

The window opens ``warmup`` seconds after the stage's first scheduled
arrival and lasts ``window`` seconds. Latency, errors and cost cover the
requests due within it; achieved throughput and goodput count the
successful requests that *ended* within it, so a target past its capacity
shows its real service rate, not the offered one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.contracts import RequestRecord
from harness.metrics.aggregate import RunAggregate
from harness.metrics.record_values import ended_at
from harness.report.summary import metrics_block
from harness.slo.parse import SloRule
from harness.slo.per_request import request_check
from harness.sweep.plan import SweepPlan
from harness.sweep.slo_check import judge_stage

_PERCENTILES = ("p50", "p95", "p99")


def _due(record: RequestRecord) -> float:
    return record.scheduled_at if record.scheduled_at is not None else record.started_at


def stage_row(
    plan: SweepPlan, load: float, records: Sequence[RequestRecord], rules: Sequence[SloRule]
) -> dict[str, Any]:
    """``summary["sweep"]["stages"][i]``; ``slo`` holds each rule's result."""
    row = {
        "stage": plan.label(load),
        "offered_rps": load if plan.mode == "rate" else None,
        "users": int(load) if plan.mode == "concurrency" else None,
    }
    if not records:
        return {**row, **_EMPTY}
    window_s = plan.window_s
    opens = min(_due(record) for record in records) + plan.warmup_s
    closes = opens + window_s
    aggregate = RunAggregate()
    aggregate.add_all(record for record in records if opens <= _due(record) < closes)
    window = (opens, closes)
    block = metrics_block(aggregate.overall, window)
    ended = [
        record
        for record in records
        if record.ok and record.final and opens <= ended_at(record) < closes
    ]
    meets = request_check(rules)
    good = sum(1 for record in ended if meets(record))
    block["goodput"] = {
        "requests": good,
        "requests_per_s": good / window_s,
        "share": good / len(ended) if ended else None,
    }
    blocks = {
        "overall": block,
        **{
            name: {key: metrics_block(metrics, window) for key, metrics in groups.items()}
            for name, groups in aggregate.groups.items()
        },
    }
    results = judge_stage(blocks, rules) if rules else []
    latency = block["latency"]
    return {
        **row,
        "achieved_rps": len(ended) / window_s,
        "goodput_rps": good / window_s,
        "requests": block["requests"],
        "ttft": {q: latency["ttft"][q] for q in _PERCENTILES},
        "e2e": {q: latency["e2e"][q] for q in _PERCENTILES},
        "ttft_scheduled": {q: latency["ttft_scheduled"][q] for q in _PERCENTILES},
        "schedule_lag_p99": latency["schedule_lag"]["p99"],
        "error_rate": block["error_rate"],
        "cost_per_1k": block["cost"]["per_1k_requests"],
        "currency": block["cost"]["currency"],
        "slo_passed": block["requests"] > 0 and all(result["passed"] for result in results),
        "slo": results,
    }


_NOTHING = dict.fromkeys(_PERCENTILES)
#: A stage that recorded nothing (the target never answered).
_EMPTY: dict[str, Any] = {
    "achieved_rps": 0.0,
    "goodput_rps": 0.0,
    "requests": 0,
    "ttft": _NOTHING,
    "e2e": _NOTHING,
    "ttft_scheduled": _NOTHING,
    "schedule_lag_p99": None,
    "error_rate": None,
    "cost_per_1k": None,
    "currency": None,
    "slo_passed": False,
    "slo": [],
}
