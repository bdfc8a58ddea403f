"""Fallback and routing counters: under the target that served, merged exactly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
import pytest

from harness.contracts import ErrorInfo, RequestRecord
from harness.metrics.aggregate import FORMAT_VERSION, RunAggregate
from harness.metrics.metric_set import MetricSet


@pytest.fixture
def chain_records(make_record) -> list[RequestRecord]:
    """Five logical requests; a, b and c fall back, d is routed, e is plain.

    a: primary fails, backup succeeds (1.25 s). b: primary fails, backup
    retries and succeeds (2.5 s). c: primary fails, spare fails too. d: a
    router sent it to backup (0.5 s). e: primary succeeds (0.75 s).
    """
    timeout = ErrorInfo(kind="timeout", message="")

    def cost(total: str) -> dict[str, str]:
        return {"currency": "USD", "input": total, "total": total}

    def on(target: str, request_id: str, attempt: int, **fields: Any) -> RequestRecord:
        return make_record(target=target, request_id=request_id, attempt=attempt, **fields)

    failed: dict[str, Any] = {"ok": False, "error": timeout, "final": False, "e2e_s": 0.25}
    return [
        on("primary", "a", 1, **failed),
        on("backup", "a", 2, fallback_from="primary", e2e_s=1.0, logical_e2e_s=1.25,
           cost=cost("0.12345678901")),
        on("primary", "b", 1, **failed),
        on("backup", "b", 2, fallback_from="primary", cost=cost("0.00000000001"), **failed),
        on("backup", "b", 3, fallback_from="primary", e2e_s=1.0, logical_e2e_s=2.5,
           cost=cost("0.2")),
        on("primary", "c", 1, **failed),
        on("spare", "c", 2, fallback_from="primary", ok=False, error=timeout),
        on("backup", "d", 1, routed_by="by-role", e2e_s=0.5, logical_e2e_s=0.5,
           cost=cost("1")),
        on("primary", "e", 1, e2e_s=0.75, logical_e2e_s=0.75),
    ]  # fmt: skip


def aggregate_of(records: list[RequestRecord]) -> RunAggregate:
    aggregate = RunAggregate()
    aggregate.add_all(records)
    return aggregate


def test_fallbacks_count_under_the_target_that_served(chain_records):
    aggregate = aggregate_of(chain_records)
    overall, targets = aggregate.overall, aggregate.targets

    assert (overall.fallback_attempts, overall.fell_back, overall.routed) == (4, 3, 1)
    assert overall.logical_requests == 5
    assert overall.fell_back_from == {"primary": 3}
    backup, spare, primary = targets["backup"], targets["spare"], targets["primary"]
    assert (backup.fallback_attempts, backup.fell_back, backup.routed) == (3, 2, 1)
    assert backup.fell_back_from == {"primary": 2}
    assert (spare.fallback_attempts, spare.fell_back, spare.fell_back_from) == (
        1,
        1,
        {"primary": 1},
    )
    # The target that gave up counts none of it: its attempts were not fallbacks.
    assert (primary.fallback_attempts, primary.fell_back, primary.fell_back_from) == (0, 0, {})


def test_fallback_latency_is_measured_against_all_logical_requests(chain_records):
    overall = aggregate_of(chain_records).overall

    fallen = overall.fallback_logical_e2e
    assert (fallen.count, fallen.sum, fallen.min, fallen.max) == (2, 3.75, 1.25, 2.5)
    logical = overall.logical_e2e
    assert (logical.count, logical.sum) == (4, 5.0)


def test_fallback_cost_sums_only_fallback_attempts_exactly(chain_records):
    overall = aggregate_of(chain_records).overall

    assert overall.fallback_cost.total == Decimal("0.32345678902")
    assert overall.fallback_cost.priced_records == 3
    assert overall.cost.total == Decimal("1.32345678902")


def test_fallback_facts_merge_exactly_across_workers(chain_records):
    whole = aggregate_of(chain_records)
    left = aggregate_of(chain_records[::2])
    right = aggregate_of(chain_records[1::2])

    shipped = orjson.loads(orjson.dumps(right.to_dict()))
    assert shipped["format_version"] == FORMAT_VERSION == 12
    left.merge(RunAggregate.from_dict(shipped))

    assert left.to_dict() == whole.to_dict()
    assert left.targets["backup"].fell_back_from == {"primary": 2}
    assert left.overall.fallback_cost.total == Decimal("0.32345678902")


def test_a_set_without_fallbacks_round_trips_empty(make_record):
    metrics = MetricSet()
    metrics.add(make_record(e2e_s=1.0))

    restored = MetricSet.from_dict(orjson.loads(orjson.dumps(metrics.to_dict())))

    assert (restored.fallback_attempts, restored.fell_back, restored.routed) == (0, 0, 0)
    assert restored.fell_back_from == {}
    assert restored.fallback_logical_e2e.count == 0
    assert restored.fallback_cost.priced_records == 0
