from __future__ import annotations

import time
from argparse import Namespace
from collections.abc import Callable
from typing import Any

import gevent
import pytest

from harness.contracts import ErrorInfo, RequestRecord
from harness.errors import HarnessConfigError
from harness.locust.run_guards import GuardSettings, RunGuards
from harness.slo.parse import parse_rule
from harness.slo.per_request import request_check

RecordFactory = Callable[..., RequestRecord]


def options(**values: Any) -> Namespace:
    defaults = {"warmup": None, "cooldown": None, "run_time": None, "max_error_rate": None}
    return Namespace(**{**defaults, **values})


def test_settings_take_command_line_values_and_web_form_text() -> None:
    typed = GuardSettings.from_options(options(warmup=10.0, cooldown=5.0, run_time=60))
    form = GuardSettings.from_options(
        options(warmup="10s", cooldown="5000ms", run_time=60, max_error_rate="5%")
    )
    assert (typed.warmup_s, typed.cooldown_s, typed.run_time_s) == (10.0, 5.0, 60.0)
    assert (form.warmup_s, form.cooldown_s, form.max_error_rate) == (10.0, 5.0, 5.0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"cooldown": 5.0}, "--cooldown needs --run-time"),
        ({"warmup": 8.0, "cooldown": 2.0, "run_time": 10}, "leave nothing of --run-time 10s"),
        ({"warmup": "ten"}, "--warmup: expected a duration like 10s, 500ms or 2m, got 'ten'"),
        ({"max_error_rate": "lots"}, "--max-error-rate: expected a percentage like 5%"),
        ({"max_error_rate": "150%"}, "--max-error-rate: expected 0% to 100%"),
    ],
)
def test_bad_settings_stop_before_any_traffic(values: dict[str, Any], message: str) -> None:
    with pytest.raises(HarnessConfigError, match=message):
        GuardSettings.from_options(options(**values))


def test_classify_sets_the_phase_and_the_per_request_verdict(make_record: RecordFactory) -> None:
    guards = RunGuards(
        GuardSettings(warmup_s=2.0), lambda reason: None, request_check([parse_rule("ttft.p95<1s")])
    )
    guards.start(100.0)
    guards.stop()
    early, late = make_record(started_at=101.0, ttft_s=0.5), make_record(started_at=103.0, ttft_s=2)
    guards.classify(early)
    guards.classify(late)
    assert (early.phase, early.slo_met) == ("warmup", True)
    assert (late.phase, late.slo_met) == ("measured", False)


def test_the_error_rate_stop_calls_back_with_its_reason(make_record: RecordFactory) -> None:
    reasons: list[str] = []
    guards = RunGuards(GuardSettings(max_error_rate=10.0), reasons.append)
    guards.start(time.time())
    try:
        for _ in range(20):
            guards.observe(make_record(ok=False, error=ErrorInfo(kind="server", message="")))
    finally:
        guards.stop()
    assert reasons and reasons[0].startswith("--max-error-rate 10% exceeded: 20 of the last 20")


def test_the_sampler_measures_lag_and_cpu_every_second() -> None:
    guards = RunGuards(GuardSettings(), lambda reason: None)
    guards.start(time.time())
    deadline = time.perf_counter() + 2.6
    while time.perf_counter() < deadline:
        gevent.sleep(0.05)
    guards.stop()
    report = guards.health.report()
    assert report["samples"] == 2
    assert 0 <= report["loop_lag_ms"]["max"] < 1000
    assert 0 <= report["cpu_percent"]["max"] <= 200
