from __future__ import annotations

import pytest

from harness.contracts import ErrorInfo, Usage
from harness.metrics.metric_set import MetricSet
from harness.metrics.throughput import measured_window, throughput


def test_default_window_runs_from_first_start_to_last_end(make_record):
    metrics = MetricSet()
    metrics.add(make_record(started_at=100.0, e2e_s=2.0, usage=Usage(output_tokens=100)))
    metrics.add(make_record(started_at=104.0, e2e_s=6.0, usage=Usage(output_tokens=300)))
    metrics.add(
        make_record(
            started_at=101.0,
            ok=False,
            e2e_s=0.5,
            error=ErrorInfo(kind="server", message=""),
        )
    )

    assert measured_window(metrics) == (100.0, 110.0)
    rates = throughput(metrics)
    assert rates.window_s == 10.0
    # Failed attempts count as attempts, not as served requests.
    assert rates.requests_per_s == pytest.approx(0.2)
    assert rates.output_tokens_per_s == pytest.approx(40.0)


def test_explicit_window_overrides_the_record_span(make_record):
    metrics = MetricSet()
    metrics.add(make_record(started_at=100.0, e2e_s=2.0, usage=Usage(output_tokens=100)))

    rates = throughput(metrics, window=(95.0, 120.0))

    assert rates.window_s == 25.0
    assert rates.requests_per_s == pytest.approx(1 / 25)
    assert rates.output_tokens_per_s == pytest.approx(4.0)


@pytest.mark.parametrize("window", [None, (50.0, 50.0)])
def test_empty_window_has_no_rates(window):
    rates = throughput(MetricSet(), window=window)
    assert (rates.window_s, rates.requests_per_s, rates.output_tokens_per_s) == (None, None, None)
