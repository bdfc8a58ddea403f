"""Latency from the scheduled start: queueing in the generator is never hidden."""

from __future__ import annotations

import pytest

from harness.contracts import RequestRecord
from harness.metrics.metric_set import MetricSet
from harness.metrics.record_values import since_scheduled


def record(**fields: object) -> RequestRecord:
    base: dict[str, object] = {
        "request_id": "r",
        "attempt": 1,
        "started_at": 100.0,
        "target": "t",
        "provider": "openai",
        "model": "m",
        "stream": True,
        "ok": True,
        "ttft_s": 0.2,
        "e2e_s": 1.0,
    }
    return RequestRecord(**{**base, **fields})  # type: ignore[arg-type]


def test_a_queued_request_counts_from_when_it_was_due() -> None:
    queued = record(queue_s=0.5, logical_e2e_s=1.0)

    assert since_scheduled(queued, queued.ttft_s) == pytest.approx(0.7)
    assert since_scheduled(queued, queued.e2e_s) == pytest.approx(1.5)


def test_a_retried_request_counts_earlier_attempts_and_backoff() -> None:
    retried = record(attempt=2, queue_s=0.5, logical_e2e_s=3.0)

    assert since_scheduled(retried, retried.ttft_s) == pytest.approx(0.5 + 2.0 + 0.2)


def test_closed_loop_and_intermediate_attempts_have_no_scheduled_latency() -> None:
    assert since_scheduled(record(), 0.2) is None
    assert since_scheduled(record(queue_s=0.1, final=False), 0.2) is None


def test_the_metric_set_keeps_scheduled_latency_and_lag_apart_from_the_actual() -> None:
    metrics = MetricSet()
    metrics.add(record(queue_s=0.5))
    metrics.add(record(ok=False, e2e_s=None, ttft_s=None, queue_s=2.0))
    metrics.add(record())

    assert metrics.schedule_lag.count == 2
    assert metrics.schedule_lag.max == pytest.approx(2.0)
    assert metrics.ttft_scheduled.count == 1
    assert metrics.ttft_scheduled.quantile(0.5) == pytest.approx(0.7, rel=0.02)
    assert metrics.e2e.count == 2
    assert metrics.e2e_scheduled.quantile(0.5) == pytest.approx(1.5, rel=0.02)
    copy = MetricSet.from_dict(metrics.to_dict())
    assert copy.e2e_scheduled.count == 1
    assert copy.schedule_lag.count == 2
