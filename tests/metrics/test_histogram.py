from __future__ import annotations

import random

import pytest

from harness.metrics.histogram import (
    QUANTILES,
    RELATIVE_ACCURACY,
    LogHistogram,
    bucket_counts,
    bucket_index,
    bucket_value,
)


def exact(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_quantile_within_relative_accuracy(seed: int) -> None:
    rng = random.Random(seed)
    values = [rng.lognormvariate(-1.5, 1.2) for _ in range(20_000)]
    hist = LogHistogram()
    hist.add_all(values)
    for name, q in QUANTILES:
        assert hist.quantile(q) == pytest.approx(exact(values, q), rel=RELATIVE_ACCURACY), name
    assert hist.quantile(1.0) == max(values) and hist.quantile(0.0) == min(values)


def test_bucket_value_lies_within_accuracy_of_its_bucket_edges() -> None:
    for value in (1e-6, 0.0042, 0.2, 1.0, 37.5, 1e4):
        represented = bucket_value(bucket_index(value))
        # At a bucket edge the error is exactly the bound, up to float rounding.
        assert abs(represented - value) <= RELATIVE_ACCURACY * value * (1 + 1e-9)


def test_merge_equals_adding_everything_to_one() -> None:
    rng = random.Random(9)
    a_values = [rng.uniform(0.01, 2.0) for _ in range(500)]
    b_values = [rng.uniform(0.5, 5.0) for _ in range(700)]
    a, b, both = LogHistogram(), LogHistogram(), LogHistogram()
    a.add_all(a_values)
    b.add_all(b_values)
    both.add_all(a_values + b_values)
    a.merge(b)
    assert a.buckets == both.buckets and a.count == both.count == 1200
    assert (a.min, a.max) == (both.min, both.max)


def test_round_trip_and_empty_summary() -> None:
    hist = LogHistogram()
    assert hist.summary()["p50"] is None and hist.mean is None
    hist.add_all([0.0, 0.1, 0.2])
    again = LogHistogram.from_dict(hist.to_dict())
    assert again.buckets == hist.buckets and again.summary() == hist.summary()
    assert hist.quantile(0.01) == 0.0


def test_bucket_counts_count_bucket_index_of_each_value() -> None:
    values = [0.0, 1e-12, 0.001, 0.001, 0.0123, 0.5, 0.5, 0.5, 7.0]
    expected: dict[int, int] = {}
    for value in values:
        expected[bucket_index(value)] = expected.get(bucket_index(value), 0) + 1
    assert bucket_counts(values) == expected
    assert sum(bucket_counts(values).values()) == len(values)
