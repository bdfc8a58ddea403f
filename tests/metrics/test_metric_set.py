from __future__ import annotations

import math

import orjson
import pytest

from harness.contracts import ErrorInfo, Usage
from harness.metrics.histogram import QUANTILES, RELATIVE_ACCURACY, bucket_index
from harness.metrics.metric_set import MetricSet


def exact_quantile(values: list[float], q: float) -> float:
    """The value at rank q * (n - 1), the rank the histogram reports."""
    ordered = sorted(values)
    return ordered[math.floor(q * (len(ordered) - 1))]


def ttft_metrics(make_record, values: list[float]) -> MetricSet:
    metrics = MetricSet()
    for value in values:
        metrics.add(make_record(ttft_s=value, e2e_s=value + 1.0))
    return metrics


TTFT_VALUES = [0.05 + 0.003 * i for i in range(200)]


def test_ttft_percentiles_are_within_one_percent(make_record):
    metrics = ttft_metrics(make_record, TTFT_VALUES)
    for name, q in QUANTILES:
        expected = exact_quantile(TTFT_VALUES, q)
        assert metrics.ttft.quantile(q) == pytest.approx(expected, rel=RELATIVE_ACCURACY), name


def test_failures_are_counted_by_kind_but_not_timed(make_record):
    metrics = MetricSet()
    metrics.add(make_record(ttft_s=0.2, e2e_s=1.0, headers_s=0.1))
    metrics.add(
        make_record(
            ok=False,
            error=ErrorInfo(kind="rate_limited", message="slow down", http_status=429),
            headers_s=0.05,
            e2e_s=0.06,
        )
    )
    metrics.add(
        make_record(
            ok=False,
            error=ErrorInfo(kind="stream_broken", message="cut"),
            ttft_s=0.3,
            e2e_s=2.5,
        )
    )
    metrics.add(make_record(ok=False, error=ErrorInfo(kind="rate_limited", message="again")))
    metrics.add(make_record(ok=False))

    assert (metrics.requests, metrics.ok, metrics.failed) == (5, 1, 4)
    assert metrics.errors_by_kind == {"rate_limited": 2, "stream_broken": 1, "unknown": 1}
    assert metrics.ttft.count == 1 and metrics.ttft.max == 0.2
    assert metrics.headers.count == 1 and metrics.headers.max == 0.1
    assert metrics.e2e.count == 1 and metrics.e2e.max == 1.0
    assert metrics.e2e_failed.count == 2
    assert (metrics.e2e_failed.min, metrics.e2e_failed.max) == (0.06, 2.5)


def test_tokens_bytes_and_estimated_usage_cover_every_attempt(make_record):
    metrics = MetricSet()
    metrics.add(
        make_record(
            usage=Usage(
                input_tokens=120, output_tokens=40, cached_input_tokens=100, reasoning_tokens=10
            ),
            bytes_received=2_000,
        )
    )
    metrics.add(
        make_record(usage=Usage(input_tokens=30, output_tokens=5, source="estimated"), ok=False)
    )
    metrics.add(make_record(bytes_received=50))

    assert metrics.input_tokens == 150
    assert metrics.output_tokens == 45
    assert metrics.cached_input_tokens == 100
    assert metrics.reasoning_tokens == 10
    assert metrics.usage_estimated == 1
    assert metrics.bytes_received == 2_050


def test_usage_diff_is_a_ratio_of_sums_over_compared_attempts(make_record):
    metrics = MetricSet()
    reported = [(100, 12), (300, 40)]
    estimated = [(100, 10), (200, 40)]
    for (r_in, r_out), (e_in, e_out) in zip(reported, estimated, strict=True):
        metrics.add(
            make_record(
                usage=Usage(input_tokens=r_in, output_tokens=r_out),
                usage_estimate=Usage(input_tokens=e_in, output_tokens=e_out, source="estimated"),
            )
        )
    # Neither of these is compared: no estimate, or usage that is itself the estimate.
    metrics.add(make_record(usage=Usage(input_tokens=999, output_tokens=999)))
    estimate = Usage(input_tokens=5, output_tokens=5, source="estimated")
    metrics.add(make_record(usage=estimate, usage_estimate=estimate))

    assert metrics.usage_compared == 2
    assert metrics.usage_estimated == 1
    diff = metrics.usage_diff_pct()
    assert diff["input"] == pytest.approx((400 - 300) / 300 * 100)
    assert diff["output"] == pytest.approx((52 - 50) / 50 * 100)


def test_usage_diff_is_none_without_comparable_attempts(make_record):
    metrics = MetricSet()
    assert metrics.usage_diff_pct() == {"input": None, "output": None}
    nothing_counted = Usage(input_tokens=0, output_tokens=0, source="estimated")
    metrics.add(make_record(usage=Usage(input_tokens=3), usage_estimate=nothing_counted))
    assert metrics.usage_compared == 1
    assert metrics.usage_diff_pct() == {"input": None, "output": None}


def test_usage_diff_merges_exactly(make_record):
    records = [
        make_record(
            usage=Usage(input_tokens=10 * i, output_tokens=i + 3),
            usage_estimate=Usage(input_tokens=9 * i, output_tokens=i, source="estimated"),
        )
        for i in range(1, 7)
    ]
    whole, left, right = MetricSet(), MetricSet(), MetricSet()
    for index, record in enumerate(records):
        whole.add(record)
        (left if index % 2 else right).add(record)

    left.merge(MetricSet.from_dict(orjson.loads(orjson.dumps(right.to_dict()))))

    assert left.to_dict() == whole.to_dict()
    assert left.usage_diff_pct() == whole.usage_diff_pct()
    # Output: reported sum of i + 3 is 39, the estimate 21.
    assert whole.usage_diff_pct()["output"] == pytest.approx((39 - 21) / 21 * 100)


def test_itl_buckets_fold_in_exactly(make_record):
    gaps_one = [0.010, 0.012, 0.011, 0.030]
    gaps_two = [0.020, 0.010]
    metrics = MetricSet()
    for gaps in (gaps_one, gaps_two):
        buckets: dict[int, int] = {}
        for gap in gaps:
            buckets[bucket_index(gap)] = buckets.get(bucket_index(gap), 0) + 1
        metrics.add(
            make_record(
                itl_buckets=buckets,
                itl_sum_s=sum(gaps),
                itl_min_s=min(gaps),
                itl_max_s=max(gaps),
            )
        )

    every_gap = gaps_one + gaps_two
    expected: dict[int, int] = {}
    for gap in every_gap:
        expected[bucket_index(gap)] = expected.get(bucket_index(gap), 0) + 1
    assert metrics.itl.buckets == expected
    assert metrics.itl.count == 6
    assert metrics.itl.sum == pytest.approx(sum(every_gap))
    assert (metrics.itl.min, metrics.itl.max) == (0.010, 0.030)


def test_itl_from_a_failed_attempt_is_left_out(make_record):
    metrics = MetricSet()
    metrics.add(
        make_record(ok=False, itl_buckets={bucket_index(0.01): 3}, itl_sum_s=0.03, itl_min_s=0.01)
    )
    assert metrics.itl.count == 0


def test_tpot_uses_the_record_value_or_the_definition(make_record):
    metrics = MetricSet()
    # (e2e - ttft) / (output_tokens - 1) = (2.2 - 0.2) / 20 = 0.1
    metrics.add(make_record(ttft_s=0.2, e2e_s=2.2, usage=Usage(output_tokens=21)))
    metrics.add(make_record(ttft_s=0.2, e2e_s=2.2, tpot_s=0.5, usage=Usage(output_tokens=21)))
    # One output token has no inter-token time.
    metrics.add(make_record(ttft_s=0.2, e2e_s=0.3, usage=Usage(output_tokens=1)))

    assert metrics.tpot.count == 2
    assert metrics.tpot.min == pytest.approx(0.1)
    assert metrics.tpot.max == 0.5


def test_output_tps_is_tokens_over_decode_time(make_record):
    metrics = MetricSet()
    metrics.add(make_record(ttft_s=0.5, e2e_s=2.5, usage=Usage(output_tokens=100)))
    metrics.add(make_record(ttft_s=0.5, e2e_s=1.5, usage=Usage(output_tokens=1)))
    metrics.add(make_record(ttft_s=0.5, e2e_s=1.5))

    assert metrics.output_tps.count == 1
    assert metrics.output_tps.max == pytest.approx(50.0)


def test_span_runs_from_first_start_to_last_end(make_record):
    metrics = MetricSet()
    metrics.add(make_record(started_at=105.0, e2e_s=1.0))
    metrics.add(make_record(started_at=100.0, e2e_s=2.0))
    # A failure without a duration ends where it started.
    metrics.add(make_record(started_at=110.0, ok=False))
    metrics.add(make_record(started_at=103.0, ok=False, e2e_s=4.5))

    assert metrics.first_started_at == 100.0
    assert metrics.last_ended_at == 110.0


def test_merge_and_round_trip_keep_every_field(make_record):
    left, right, both = MetricSet(), MetricSet(), MetricSet()
    records = [
        make_record(started_at=10.0, ttft_s=0.25, e2e_s=1.0, usage=Usage(output_tokens=8)),
        make_record(started_at=12.0, ok=False, error=ErrorInfo(kind="server", message="500")),
        make_record(started_at=9.0, ttft_s=0.5, e2e_s=3.0, usage=Usage(output_tokens=16)),
    ]
    left.add(records[0])
    right.add(records[1])
    right.add(records[2])
    for record in records:
        both.add(record)

    left.merge(right)
    assert left.to_dict() == both.to_dict()
    assert MetricSet.from_dict(both.to_dict()).to_dict() == both.to_dict()


def test_merging_an_empty_set_changes_nothing(make_record):
    metrics = MetricSet()
    metrics.add(make_record(started_at=10.0, ttft_s=0.25, e2e_s=1.0))
    before = metrics.to_dict()
    metrics.merge(MetricSet())
    assert metrics.to_dict() == before


def metrics_of(records) -> MetricSet:
    metrics = MetricSet()
    for record in records:
        metrics.add(record)
    return metrics


def test_attempts_and_logical_requests_are_counted_apart(retried_records):
    metrics = metrics_of(retried_records)

    assert (metrics.requests, metrics.logical_requests, metrics.logical_ok) == (8, 5, 3)
    assert (metrics.retries, metrics.retried_logical, metrics.succeeded_after_retry) == (3, 2, 1)
    assert (metrics.retry_denied_by_budget, metrics.limited_attempts) == (1, 1)
    # Attempt counts are untouched by the logical view.
    assert (metrics.ok, metrics.failed) == (3, 5)


def test_latency_with_and_without_retries(retried_records):
    metrics = metrics_of(retried_records)

    # Successful logical requests: A with its backoff, B with its limiter wait,
    # E with its one attempt's time. C and D failed.
    logical = metrics.logical_e2e
    assert (logical.count, logical.sum, logical.min, logical.max) == (3, 3.125, 0.375, 2.0)
    # Successful first attempts: B and E (A succeeded on a retry).
    first = metrics.first_attempt_e2e
    assert (first.count, first.min, first.max) == (2, 0.375, 0.5)
    # Every retry's backoff, failed or not; the limiter held only B.
    delay = metrics.retry_delay
    assert (delay.count, delay.sum, delay.min, delay.max) == (3, 1.75, 0.25, 1.0)
    assert (metrics.limiter_wait.count, metrics.limiter_wait.max) == (1, 0.25)


def test_retry_counters_and_histograms_merge_exactly(retried_records):
    left = metrics_of(retried_records[::2])
    right = metrics_of(retried_records[1::2])

    left.merge(MetricSet.from_dict(orjson.loads(orjson.dumps(right.to_dict()))))

    assert left.to_dict() == metrics_of(retried_records).to_dict()
    assert left.succeeded_after_retry == 1 and left.retry_delay.count == 3
