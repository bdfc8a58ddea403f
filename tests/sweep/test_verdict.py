"""When a sweep stops and what capacity it states, from stage rows."""

from __future__ import annotations

from typing import Any

import pytest

from harness.errors import HarnessConfigError
from harness.sweep.plan import SweepPlan, stage_rates
from harness.sweep.slo_check import describe, sweep_rules
from harness.sweep.verdict import capacity, stop_reason


def stage(offered: float, achieved: float, passed: bool = True, **extra: Any) -> dict[str, Any]:
    results = [] if passed else [{"rule": "ttft.p95<500ms", "passed": False}]
    return {
        "stage": f"{offered:g} req/s",
        "offered_rps": offered,
        "users": None,
        "achieved_rps": achieved,
        "slo_passed": passed,
        "slo": results,
        "cost_per_1k": extra.get("cost", "0.10"),
        "currency": "USD",
    }


def test_a_broken_slo_stops_the_sweep_and_caps_the_capacity() -> None:
    stages = [stage(10, 10), stage(20, 19.5), stage(30, 24, passed=False)]
    rules = sweep_rules(["ttft.p95<500ms", "error_rate<1%"])

    assert stop_reason(stages, 0.05) == "SLO broken at 30 req/s: ttft.p95<500ms"
    found = capacity(stages, rules)
    assert found["rps"] == 19.5
    assert found["statement"] == "max 19.5 req/s with TTFT p95 < 500 ms and errors < 1 %"
    assert found["cost_per_1k_requests"] == "0.10"


def test_throughput_that_stops_growing_stops_the_sweep() -> None:
    assert stop_reason([stage(10, 10), stage(20, 19)], 0.05) is None
    reason = stop_reason([stage(10, 10), stage(20, 19), stage(30, 19.5)], 0.05)
    assert reason is not None and reason.startswith("throughput stopped growing at 30 req/s")


def test_a_concurrency_stage_names_its_users() -> None:
    row = {**stage(0, 12.0), "stage": "16 users", "offered_rps": None, "users": 16}
    found = capacity([row], [])
    assert found["statement"] == "max 12.0 req/s (at 16 users) (no SLO given: highest throughput)"
    assert found["users"] == 16


def test_no_passing_stage_means_no_capacity() -> None:
    found = capacity([stage(10, 3, passed=False)], sweep_rules(["e2e.p99<2s"]))
    assert found["rps"] is None
    assert describe(sweep_rules(["e2e.p99<2s"])[0]) == "E2E p99 < 2 s"


def test_stage_rates_from_a_list_or_a_linear_range() -> None:
    assert stage_rates("2, 4,8", None, None, None) == (2.0, 4.0, 8.0)
    assert stage_rates(None, 5, 2.5, 12) == (5.0, 7.5, 10.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stage_rates("2,x", None, None, None), "--rates '2,x': expected numbers"),
        (lambda: stage_rates(None, 5, None, 10), r"give --rates R1,R2,..., all of"),
        (lambda: SweepPlan("rate", (4.0, 2.0), 1, 1), "--rates: expected increasing stages"),
        (lambda: SweepPlan("concurrency", (1.5,), 1, 1), "--concurrency: expected whole numbers"),
        (lambda: sweep_rules(["latency<3"]), "harness sweep --slo"),
    ],
)
def test_bad_sweep_settings_are_precise_errors(call: Any, message: str) -> None:
    with pytest.raises(HarnessConfigError, match=message):
        call()
