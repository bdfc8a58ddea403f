from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.contracts import RequestRecord
from harness.metrics.aggregate import RunAggregate
from harness.report.run_info import RunInfo
from harness.slo.phases import PhaseClock, parse_duration, with_measurement

RecordFactory = Callable[..., RequestRecord]


def test_durations() -> None:
    assert parse_duration("10s") == 10.0
    assert parse_duration("500ms") == 0.5
    assert parse_duration("2m") == 120.0
    assert parse_duration("3") == 3.0
    with pytest.raises(ValueError, match="expected a duration like 10s, 500ms or 2m, got '1x'"):
        parse_duration("1x")


def test_phase_follows_the_start_of_the_attempt() -> None:
    clock = PhaseClock(started_at=100.0, warmup_s=10.0, cooldown_s=5.0, planned_end=160.0)
    assert [clock.phase_of(t) for t in (100.0, 109.9, 110.0, 154.9, 155.0, 170.0)] == [
        "warmup",
        "warmup",
        "measured",
        "measured",
        "cooldown",
        "cooldown",
    ]
    assert PhaseClock(100.0, cooldown_s=5.0).phase_of(1e9) == "measured"
    # Without a cool-down, attempts started after the planned end still count.
    assert PhaseClock(100.0, planned_end=160.0).phase_of(170.0) == "measured"


def test_warmup_and_cooldown_attempts_stay_out_of_every_metric(make_record: RecordFactory) -> None:
    records = [
        make_record(started_at=100.0, e2e_s=9.0, phase="warmup"),
        make_record(started_at=110.0, e2e_s=1.0),
        make_record(started_at=112.0, e2e_s=2.0),
        make_record(started_at=150.0, e2e_s=0.5, phase="cooldown"),
    ]
    one_by_one, all_at_once = RunAggregate(), RunAggregate()
    for record in records:
        one_by_one.add(record)
    all_at_once.add_all(records)
    for aggregate in (one_by_one, all_at_once):
        assert aggregate.overall.requests == 2
        assert aggregate.overall.e2e.max == 2.0
        assert aggregate.excluded == {"warmup": 1, "cooldown": 1}
    shipped = RunAggregate.from_dict(one_by_one.to_dict())
    shipped.merge(all_at_once)
    assert shipped.excluded == {"warmup": 2, "cooldown": 2}

    run = with_measurement(RunInfo(started_at=100.0, ended_at=160.0), one_by_one, ["rps>1"])
    assert run.measured_window == (110.0, 114.0)
    assert run.excluded == {"cooldown": 1, "warmup": 1} and run.slo == ["rps>1"]


def test_without_exclusions_the_window_stays_each_blocks_own(make_record: RecordFactory) -> None:
    aggregate = RunAggregate()
    aggregate.add(make_record(started_at=110.0, e2e_s=1.0))
    run = with_measurement(RunInfo(started_at=100.0, ended_at=160.0), aggregate, [])
    assert run.measured_window is None and run.excluded == {}
