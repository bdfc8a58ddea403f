"""Arrival processes: the right distribution of gaps, at the right mean rate."""

from __future__ import annotations

import itertools
import math
import random
import statistics

import pytest

from harness.arrivals.process import ArrivalProcess
from harness.errors import HarnessConfigError

SAMPLES = 20_000
#: Kolmogorov-Smirnov critical value at alpha = 0.001 for large n: 1.95 / sqrt(n).
KS_CRITICAL = 1.95 / math.sqrt(SAMPLES)


def ks_distance_from_exponential(gaps: list[float], rate: float) -> float:
    """max |empirical CDF - exponential CDF| over the sorted sample."""
    ordered = sorted(gaps)
    n = len(ordered)
    distance = 0.0
    for index, gap in enumerate(ordered):
        expected = 1.0 - math.exp(-rate * gap)
        distance = max(distance, abs((index + 1) / n - expected), abs(index / n - expected))
    return distance


def draw(process: ArrivalProcess, seed: int = 1) -> list[float]:
    return list(itertools.islice(process.gaps(random.Random(seed)), SAMPLES))


def test_poisson_gaps_are_exponential_at_the_rate() -> None:
    gaps = draw(ArrivalProcess("poisson", 20.0))

    assert ks_distance_from_exponential(gaps, 20.0) < KS_CRITICAL
    assert statistics.fmean(gaps) == pytest.approx(1 / 20.0, rel=0.03)


def test_the_ks_check_rejects_gaps_that_are_not_exponential() -> None:
    # The same mean but another shape: the check above has the power to fail.
    smooth = draw(ArrivalProcess("gamma", 20.0, burstiness=4.0))
    rate_off = draw(ArrivalProcess("poisson", 23.0))

    assert ks_distance_from_exponential(smooth, 20.0) > 5 * KS_CRITICAL
    assert ks_distance_from_exponential(rate_off, 20.0) > KS_CRITICAL


@pytest.mark.parametrize("burstiness", [0.25, 1.0, 4.0])
def test_gamma_keeps_the_mean_and_spreads_by_burstiness(burstiness: float) -> None:
    gaps = draw(ArrivalProcess("gamma", 10.0, burstiness=burstiness))
    mean = statistics.fmean(gaps)
    variation = statistics.pstdev(gaps) / mean

    assert mean == pytest.approx(0.1, rel=0.05)
    assert variation == pytest.approx(1 / math.sqrt(burstiness), rel=0.08)


def test_constant_arrivals_are_evenly_spaced_from_one_gap_in() -> None:
    offsets = list(itertools.islice(ArrivalProcess("constant", 4.0).offsets(random.Random()), 4))

    assert offsets == [0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize(
    ("kind", "rate", "burstiness", "message"),
    [
        ("uniform", 1.0, 1.0, "--arrival 'uniform': expected one of constant, poisson, gamma"),
        ("poisson", 0.0, 1.0, "--rate 0.0: expected requests/s > 0"),
        ("poisson", math.inf, 1.0, "--rate inf"),
        ("gamma", 1.0, 0.0, "--burstiness 0.0: expected a gamma shape > 0"),
    ],
)
def test_bad_settings_say_which_option(
    kind: str, rate: float, burstiness: float, message: str
) -> None:
    with pytest.raises(HarnessConfigError, match=message.replace("(", r"\(")):
        ArrivalProcess(kind, rate, burstiness)


def test_a_rate_schedule_changes_the_rate_each_second_and_ends_with_it() -> None:
    rates = {0: 10.0, 1: 30.0, 2: 0.0, 3: 5.0}

    def rate_at(elapsed: float) -> float | None:
        return rates.get(int(elapsed))

    offsets = list(ArrivalProcess("constant", 1.0).scheduled_offsets(random.Random(), rate_at))

    per_second = [sum(1 for t in offsets if int(t - 1e-9) == s) for s in range(4)]
    assert per_second == [10, 30, 0, 5]


def test_a_poisson_rate_schedule_keeps_each_seconds_rate() -> None:
    def rate_at(elapsed: float) -> float | None:
        return None if elapsed >= 400 else (5.0 if int(elapsed) % 2 == 0 else 50.0)

    offsets = list(ArrivalProcess("poisson", 1.0).scheduled_offsets(random.Random(3), rate_at))
    slow = sum(1 for t in offsets if int(t) % 2 == 0)

    assert slow / 200 == pytest.approx(5.0, rel=0.1)
    assert (len(offsets) - slow) / 200 == pytest.approx(50.0, rel=0.05)
