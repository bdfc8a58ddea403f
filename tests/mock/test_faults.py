from __future__ import annotations

import pytest

from harness.mock.faults import FaultPlan, FaultSpec, parse_fault_spec


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
        ("http:500@n=1@n=2", "more than one '@'"),
    ],
)
def test_bad_specs_name_the_spec_and_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_fault_spec(text)
    message = str(caught.value)
    assert message.startswith(f"bad fault spec {text!r}: ")
    assert problem in message
    assert "expected KIND[:ARG][@SELECT]" in message


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
