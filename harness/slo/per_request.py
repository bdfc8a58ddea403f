"""Which attempts meet every per-request SLO: the numerator of goodput.

A latency rule on ``ttft``, ``itl``, ``tpot`` or ``e2e`` that sets an upper
bound (``<``, ``<=``) also bounds each request: a request meets
``ttft.p95<500ms`` when its own TTFT is under 500 ms, whatever the statistic.
A scoped rule applies only to the attempts of its scope. ``itl`` is judged on
the request's mean inter-token gap; ``tpot`` and ``itl`` do not apply to a
request with fewer than two output tokens, while a successful request without
a TTFT or E2E misses a rule on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from harness.contracts import RequestRecord
from harness.metrics import record_values
from harness.metrics.aggregate import GROUPINGS
from harness.slo.catalog import PER_REQUEST_METRICS
from harness.slo.parse import SloRule

RequestCheck = Callable[[RequestRecord], bool]


def per_request_rules(rules: Sequence[SloRule]) -> list[SloRule]:
    return [r for r in rules if r.metric in PER_REQUEST_METRICS and r.op in ("<", "<=")]


def request_check(rules: Sequence[SloRule]) -> RequestCheck:
    """A predicate: the attempt succeeded and met every per-request rule that applies to it."""
    bounds = per_request_rules(rules)

    def meets(record: RequestRecord) -> bool:
        if not record.ok:
            return False
        for rule in bounds:
            if rule.group is not None and GROUPINGS[rule.group](record) != rule.key:
                continue
            value = _value(record, rule.metric)
            if value is None:
                if rule.metric in ("ttft", "e2e"):
                    return False
                continue
            if not rule.holds(value):
                return False
        return True

    return meets


def _value(record: RequestRecord, metric: str) -> float | None:
    if metric == "ttft":
        return record.ttft_s
    if metric == "e2e":
        return record.e2e_s
    if metric == "tpot":
        return record_values.tpot(record)
    gaps = sum(record.itl_buckets.values())
    return record.itl_sum_s / gaps if gaps else None
