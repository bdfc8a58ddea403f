from __future__ import annotations

import random

from harness.slo.stop_rules import ErrorRateStop, OversaturationStop, rising


def test_error_rate_waits_for_the_minimum_then_stops_on_the_window() -> None:
    stop = ErrorRateStop(5.0, window=100, minimum=20)
    reasons = [stop.observe(ok=False) for _ in range(19)]
    assert reasons == [None] * 19
    reason = stop.observe(ok=False)
    assert reason == "--max-error-rate 5% exceeded: 20 of the last 20 attempts failed (100.0%)"


def test_error_rate_forgets_failures_that_left_the_window() -> None:
    stop = ErrorRateStop(5.0, window=100, minimum=20)
    outcomes = [stop.observe(ok) for ok in [True] * 100 + [False] * 5 + [True] * 100]
    assert all(reason is None for reason in outcomes)  # at most 5 of 100: not over 5%
    assert [stop.observe(ok=False) for _ in range(5)] == [None] * 5  # the old ones left
    assert stop.observe(ok=False) == (
        "--max-error-rate 5% exceeded: 6 of the last 100 attempts failed (6.0%)"
    )


def test_rising_needs_confidence_and_a_real_rise() -> None:
    assert rising([1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8])
    assert not rising([1.0] * 10)
    assert not rising([2.8, 2.6, 2.4, 2.2, 2.0, 1.8, 1.6, 1.4, 1.2, 1.0])
    noise = random.Random(7)
    assert not rising([1.0 + noise.uniform(-0.3, 0.3) for _ in range(10)])
    # A confident but tiny rise (1 % over the window) is not over-saturation.
    assert not rising([1.0 + 0.001 * i for i in range(10)])


def test_oversaturation_needs_latency_and_in_flight_rising_together() -> None:
    stop = OversaturationStop(window=10)
    for second in range(9):
        assert stop.observe(in_flight=10 + 5 * second, latency_s=1.0 + 0.3 * second) is None
    assert stop.observe(in_flight=10 + 5 * 9, latency_s=None) is None  # quiet second: skipped
    reason = stop.observe(in_flight=60, latency_s=4.0)
    assert reason is not None and "over-saturated" in reason and "10 -> 60" in reason

    flat = OversaturationStop(window=10)
    assert all(flat.observe(in_flight=16, latency_s=1.0 + 0.3 * s) is None for s in range(20))
