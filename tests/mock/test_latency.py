from __future__ import annotations

import statistics

import pytest

from harness.mock.latency import LatencyModel


def test_zero_jitter_is_exact() -> None:
    model = LatencyModel(ttft_ms=200, itl_ms=20, jitter=0.0, seed=1)
    assert [model.ttft_s() for _ in range(5)] == [0.2] * 5
    assert [model.itl_s() for _ in range(5)] == [0.02] * 5


def test_zero_latency_is_zero_whatever_the_jitter() -> None:
    model = LatencyModel(ttft_ms=0, itl_ms=0, jitter=0.5, seed=1)
    assert model.ttft_s() == 0.0
    assert model.itl_s() == 0.0


def test_same_seed_same_draws_other_seed_other_draws() -> None:
    def draws(seed: int) -> list[float]:
        model = LatencyModel(ttft_ms=100, itl_ms=10, jitter=0.3, seed=seed)
        return [model.ttft_s() if i % 5 == 0 else model.itl_s() for i in range(50)]

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


@pytest.mark.parametrize("jitter", [0.1, 0.5])
def test_jitter_keeps_the_mean_and_sets_the_relative_spread(jitter: float) -> None:
    model = LatencyModel(ttft_ms=100, itl_ms=10, jitter=jitter, seed=42)
    samples = [model.itl_s() for _ in range(40_000)]
    mean = statistics.fmean(samples)
    spread = statistics.pstdev(samples) / mean
    assert mean == pytest.approx(0.010, rel=0.02)
    assert spread == pytest.approx(jitter, rel=0.1)
    assert min(samples) > 0


def test_negative_values_are_refused() -> None:
    with pytest.raises(ValueError, match="jitter"):
        LatencyModel(ttft_ms=1, itl_ms=1, jitter=-0.1)
    with pytest.raises(ValueError, match="ttft"):
        LatencyModel(ttft_ms=-1, itl_ms=1)
