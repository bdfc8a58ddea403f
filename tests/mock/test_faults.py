from __future__ import annotations

import pytest

from harness.mock.faults import FaultPlan, FaultSpec, parse_fault_spec, parse_scenario

from .conftest import FakeClock


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cut:3", FaultSpec(spec="cut:3", kind="cut", chunks=3)),
        ("cut:0@next", FaultSpec(spec="cut:0@next", kind="cut", chunks=0, selector="next")),
        ("stall:1.5", FaultSpec(spec="stall:1.5", kind="stall", seconds=1.5)),
        ("malformed@n=4", FaultSpec(spec="malformed@n=4", kind="malformed", selector="n", count=4)),
        (
            "http:503@p=0.25",
            FaultSpec(
                spec="http:503@p=0.25", kind="http", status=503, selector="p", probability=0.25
            ),
        ),
        (
            "429:2@every=10",
            FaultSpec(
                spec="429:2@every=10",
                kind="429",
                seconds=2.0,
                status=429,
                selector="every",
                count=10,
            ),
        ),
        (" http:529 ", FaultSpec(spec="http:529", kind="http", status=529)),
        ("overload@next", FaultSpec(spec="overload@next", kind="overload", selector="next")),
        ("blocked", FaultSpec(spec="blocked", kind="blocked")),
        ("wrong_usage:1.5", FaultSpec(spec="wrong_usage:1.5", kind="wrong_usage", factor=1.5)),
        ("wrong_usage:0", FaultSpec(spec="wrong_usage:0", kind="wrong_usage", factor=0.0)),
    ],
)
def test_parse_valid_specs(text: str, expected: FaultSpec) -> None:
    assert parse_fault_spec(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty spec"),
        ("boom", "unknown kind 'boom'"),
        ("cut", "'cut' needs an argument"),
        ("cut:", "'cut' needs an argument"),
        ("cut:x", "cut's chunk count K must be an integer, got 'x'"),
        ("cut:-1", "cut's chunk count K must be >= 0, got -1"),
        ("stall:0", "stall's seconds must be a finite number > 0"),
        ("stall:nan", "stall's seconds must be a finite number > 0"),
        ("malformed:2", "'malformed' takes no argument"),
        ("overload:1", "'overload' takes no argument"),
        ("blocked:SAFETY", "'blocked' takes no argument"),
        ("wrong_usage", "'wrong_usage' needs an argument"),
        ("wrong_usage:-2", "wrong_usage's FACTOR must be a finite number >= 0"),
        ("wrong_usage:inf", "wrong_usage's FACTOR must be a finite number >= 0"),
        ("http:200", "http's STATUS must be >= 400, got 200"),
        ("http:600", "http's STATUS must be 400..599, got 600"),
        ("429:-1", "429's Retry-After seconds must be a finite number >= 0"),
        ("http:500@p=1.5", "p must be within 0..1, got '1.5'"),
        ("http:500@p", "selector 'p' needs '=FLOAT'"),
        ("http:500@n=0", "n must be >= 1, got 0"),
        ("http:500@every=x", "every must be an integer, got 'x'"),
        ("http:500@next=2", "'next' takes no value"),
        ("http:500@sometimes", "unknown selector 'sometimes'"),
        ("http:500@n=1@n=2", "more than one selector"),
        ("http:500@t=1-2@t=3-4", "more than one time window"),
        ("http:500@t=5", "a time window is t=START-END or t=START-"),
        ("http:500@t=-5", "a time window is t=START-END or t=START-"),
        ("http:500@t=5-2", "the window's END must be after its START"),
        ("http:500@t=a-2", "a window bound must be a number"),
        ("slow_headers:0", "slow_headers's seconds must be a finite number > 0"),
        ("reset:1", "'reset' takes no argument"),
        ("no_usage:1", "'no_usage' takes no argument"),
    ],
)
def test_bad_specs_name_the_spec_and_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_fault_spec(text)
    message = str(caught.value)
    assert message.startswith(f"bad fault spec {text!r}: ")
    assert problem in message
    assert "expected KIND[:ARG][@SELECT][@t=START-END]" in message


def fired(plan: FaultPlan, requests: int) -> list[str | None]:
    result = []
    for _ in range(requests):
        chosen = plan.choose()
        result.append(chosen.spec if chosen else None)
    return result


def test_no_selector_fires_on_every_request() -> None:
    assert fired(FaultPlan(["http:500"]), 3) == ["http:500"] * 3


def test_empty_plan_chooses_nothing() -> None:
    plan = FaultPlan()
    assert not plan
    assert fired(plan, 3) == [None] * 3


def test_n_fires_exactly_once_on_the_nth_request() -> None:
    plan = FaultPlan(["cut:1@n=3"])
    assert fired(plan, 6) == [None, None, "cut:1@n=3", None, None, None]
    assert plan.specs == ()


def test_every_fires_periodically() -> None:
    plan = FaultPlan(["stall:1@every=3"])
    assert fired(plan, 7) == [None, None, "stall:1@every=3", None, None, "stall:1@every=3", None]


def test_next_fires_once_then_is_gone() -> None:
    plan = FaultPlan()
    assert plan.choose() is None
    plan.add("malformed@next")
    assert fired(plan, 3) == ["malformed@next", None, None]


def test_counting_starts_when_a_spec_is_added() -> None:
    plan = FaultPlan()
    fired(plan, 10)
    plan.add("http:503@n=2")
    assert fired(plan, 3) == [None, "http:503@n=2", None]


def test_first_matching_spec_wins() -> None:
    plan = FaultPlan(["http:500@every=2", "http:503"])
    assert fired(plan, 4) == ["http:503", "http:500@every=2", "http:503", "http:500@every=2"]


def test_next_waits_for_a_request_no_earlier_spec_claims() -> None:
    plan = FaultPlan(["http:500@n=1", "cut:2@next"])
    assert fired(plan, 3) == ["http:500@n=1", "cut:2@next", None]


def test_n_claimed_by_an_earlier_spec_is_spent() -> None:
    plan = FaultPlan(["http:500@every=2", "cut:2@n=2"])
    assert fired(plan, 4) == [None, "http:500@every=2", None, "http:500@every=2"]
    assert [spec.spec for spec in plan.specs] == ["http:500@every=2"]


def test_probability_is_seeded_and_close_to_p() -> None:
    first = fired(FaultPlan(["http:500@p=0.2"], seed=3), 5000)
    again = fired(FaultPlan(["http:500@p=0.2"], seed=3), 5000)
    other = fired(FaultPlan(["http:500@p=0.2"], seed=4), 5000)
    assert first == again
    assert first != other
    assert first.count("http:500@p=0.2") / 5000 == pytest.approx(0.2, abs=0.02)


def test_probability_draws_do_not_depend_on_earlier_specs() -> None:
    alone = fired(FaultPlan(["http:500", "cut:1@p=0.5"], seed=9), 1)
    assert alone == ["http:500"]
    plan_a = FaultPlan(["cut:1@p=0.5"], seed=9)
    plan_b = FaultPlan(["http:500@every=2", "cut:1@p=0.5"], seed=9)
    a = fired(plan_a, 200)
    b = fired(plan_b, 200)
    assert [x for i, x in enumerate(a) if i % 2 == 0] == [x for i, x in enumerate(b) if i % 2 == 0]


def test_clear_removes_everything() -> None:
    plan = FaultPlan(["http:500", "cut:1@every=2"])
    plan.clear()
    assert fired(plan, 2) == [None, None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reset", FaultSpec(spec="reset", kind="reset")),
        ("no_usage@next", FaultSpec(spec="no_usage@next", kind="no_usage", selector="next")),
        ("slow_headers:0.5", FaultSpec(spec="slow_headers:0.5", kind="slow_headers", seconds=0.5)),
        ("reset@t=5-10", FaultSpec(spec="reset@t=5-10", kind="reset", start_s=5.0, end_s=10.0)),
        ("reset@t=5s-", FaultSpec(spec="reset@t=5s-", kind="reset", start_s=5.0)),
        (
            "429:1@t=2.5-4@p=0.8",
            FaultSpec(
                spec="429:1@t=2.5-4@p=0.8",
                kind="429",
                seconds=1.0,
                status=429,
                selector="p",
                probability=0.8,
                start_s=2.5,
                end_s=4.0,
            ),
        ),
    ],
)
def test_parse_new_kinds_and_windows(text: str, expected: FaultSpec) -> None:
    assert parse_fault_spec(text) == expected


def test_a_window_limits_a_spec_to_its_time_and_counts_from_its_start() -> None:
    clock = FakeClock()
    plan = FaultPlan(["reset@t=2-4", "cut:1@n=2@t=2-"], clock=clock)
    assert plan.choose() is None  # t = 0: before both windows
    clock.now += 1.99
    assert plan.choose() is None
    clock.now += 0.01  # t = 2: both windows open; the first spec wins
    first = plan.choose()
    assert first is not None and first.kind == "reset"
    clock.now += 1.0
    assert plan.choose() is not None and plan.choose() is not None
    clock.now += 1.0  # t = 4: the first window has closed for good
    assert plan.choose() is None  # the second spec's n=2 went by while the first won
    assert [spec.spec for spec in plan.specs] == []
    assert plan.elapsed() == pytest.approx(4.0)


def test_n_counts_requests_inside_the_window_only() -> None:
    clock = FakeClock()
    plan = FaultPlan(["http:500@n=2@t=1-"], clock=clock)
    assert [plan.choose() for _ in range(5)] == [None] * 5
    clock.now += 1
    assert plan.choose() is None
    hit = plan.choose()
    assert hit is not None and hit.status == 500


def test_probability_inside_a_window_is_about_right() -> None:
    clock = FakeClock()
    plan = FaultPlan(["429:0@p=0.3@t=1-2"], seed=3, clock=clock)
    assert all(plan.choose() is None for _ in range(200))
    clock.now += 1.5
    hits = sum(plan.choose() is not None for _ in range(2000))
    assert 500 <= hits <= 700


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0-30s ok; 30-60s 429:1@p=0.9; 60-90s ok", ("429:1@p=0.9@t=30-60",)),
        ("4-8 http:503; 8- reset", ("http:503@t=4-8", "reset@t=8-")),
        (" cut:2@n=3 ;; stall:1@t=1-2 ", ("cut:2@n=3", "stall:1@t=1-2")),
        ("1.5-2.5s slow_headers:0.2@every=2", ("slow_headers:0.2@every=2@t=1.5-2.5",)),
        ("", ()),
    ],
)
def test_parse_scenario(text: str, expected: tuple[str, ...]) -> None:
    assert parse_scenario(text) == expected
    for spec in expected:
        parse_fault_spec(spec)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0-30s ok; 30-60s 429 storm", "unknown kind '429 storm'"),
        ("5-2s ok", "the window's END must be after its START"),
        ("1-2s reset@t=3-4", "in front or in '@t=', not both"),
        ("nope", "unknown kind 'nope'"),
    ],
)
def test_bad_scenarios_name_the_entry(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match="bad fault spec") as caught:
        parse_scenario(text)
    assert problem in str(caught.value)
