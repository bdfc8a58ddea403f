"""Load shapes: users over time for ramp, step, spike and soak; precise errors."""

from __future__ import annotations

import pytest

from harness.errors import HarnessConfigError
from harness.load_shapes import Tick, parse_shape, shape_from_table


def users(spec: str, *times: float) -> list[int | None]:
    plan = parse_shape(spec)
    ticks = [plan.tick(t) for t in times]
    return [None if tick is None else tick.users for tick in ticks]


def test_step_adds_users_every_interval_and_holds_the_last_step() -> None:
    spec = "step:start=8,step=8,every=30s,max=24"

    assert users(spec, 0, 29.9, 30, 60, 89.9, 90) == [8, 8, 16, 24, 24, None]
    assert parse_shape(spec).duration_s == 90


def test_ramp_rises_linearly_then_holds() -> None:
    spec = "ramp:users=60,over=1m,hold=30"

    assert users(spec, 0.5, 30, 60, 89, 90) == [1, 30, 60, 60, None]
    assert parse_shape(spec).tick(10) == Tick(10, 1.0)


def test_spike_jumps_to_the_peak_and_back() -> None:
    spec = "spike:base=4,peak=40,at=10,for=5,total=20"

    assert users(spec, 0, 10, 14.9, 15, 20) == [4, 40, 40, 4, None]


def test_soak_and_defaults() -> None:
    assert users("soak:users=10,ramp=10s,hold=1h", 5, 3600, 3610) == [5, 10, None]
    assert parse_shape("step").settings["every"] == 30


def test_a_toml_table_takes_numbers_and_durations() -> None:
    plan = shape_from_table({"kind": "step", "start": 2, "every": "2m"}, "h.toml: [shape]")

    assert (plan.settings["start"], plan.settings["every"]) == (2, 120)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("wave:users=3", r"--load-shape 'wave:users=3': kind 'wave': expected one of ramp"),
        ("step:start", r"expected key=value, got 'start'"),
        ("step:top=3", r"unknown key 'top' for step; expected start, step, every, max"),
        ("ramp:over=soon", r"over = 'soon': expected a duration like 30, 90s, 2m or 1h"),
        ("ramp:users=2.5", r"users = '2.5': expected a count"),
        ("step:every=0", r"every must be > 0"),
    ],
)
def test_bad_specs_say_which_key(spec: str, message: str) -> None:
    with pytest.raises(HarnessConfigError, match=message):
        parse_shape(spec)
