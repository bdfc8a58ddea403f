from __future__ import annotations

from harness.metrics.generator_health import GeneratorHealth


def test_a_healthy_generator() -> None:
    health = GeneratorHealth()
    for lag, cpu in [(1.0, 20.0), (2.0, 35.0), (1.5, 30.0), (3.0, 95.0)]:
        health.add(lag, cpu)
    report = health.report()
    assert report["saturated"] is False and report["reason"] is None
    assert report["loop_lag_ms"] == {"p50": 2.0, "p99": 3.0, "max": 3.0}
    assert report["cpu_percent"] == {"mean": 45.0, "max": 95.0}
    assert report["samples"] == 4


def test_sustained_cpu_saturates() -> None:
    health = GeneratorHealth()
    for cpu in (95.0, 97.0, 40.0, 99.0):
        health.add(2.0, cpu)
    assert health.report()["saturated"] is True
    assert health.saturation_reason() == "CPU at or above 90% in 3 of 4 one-second samples"


def test_event_loop_lag_saturates() -> None:
    health = GeneratorHealth()
    for lag in (5.0, 4.0, 250.0):
        health.add(lag, 10.0)
    assert health.saturation_reason() == "event-loop lag p99 250 ms > 100 ms"


def test_too_few_samples_say_nothing() -> None:
    health = GeneratorHealth()
    health.add(500.0, 100.0)
    assert health.report() == {
        "samples": 1,
        "loop_lag_ms": {"p50": 500.0, "p99": 500.0, "max": 500.0},
        "cpu_percent": {"mean": 100.0, "max": 100.0},
        "saturated": False,
        "reason": None,
    }
    assert GeneratorHealth().report()["loop_lag_ms"]["p50"] is None
