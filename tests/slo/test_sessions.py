from __future__ import annotations

from collections.abc import Callable

from harness.contracts import ErrorInfo, RequestRecord
from harness.metrics.metric_set import MetricSet
from harness.slo.sessions import SessionVerdict, ends_session, session_met

RecordFactory = Callable[..., RequestRecord]


def conversation(make_record: RecordFactory, met: list[bool], turns: int) -> list[RequestRecord]:
    """The final records of one conversation; a turn that met nothing fails when it is last."""
    verdict = SessionVerdict(turns)
    records = []
    for turn, turn_met in enumerate(met, start=1):
        record = make_record(tags={"turn": str(turn)})
        verdict.annotate_turn(turn)(record)
        record.slo_met = turn_met
        records.append(record)
        verdict.turn_done(record)
    return records


def test_only_the_last_turn_ends_the_session(make_record: RecordFactory) -> None:
    records = conversation(make_record, [True, True, True], turns=3)
    assert [ends_session(r) for r in records] == [False, False, True]
    assert session_met(records[-1])
    assert records[0].tags == {"turn": "1"}


def test_one_slow_turn_misses_the_session(make_record: RecordFactory) -> None:
    early = conversation(make_record, [False, True], turns=2)
    late = conversation(make_record, [True, False], turns=2)
    assert not session_met(early[-1]) and not session_met(late[-1])


def test_a_failed_turn_ends_the_session_missed(make_record: RecordFactory) -> None:
    verdict = SessionVerdict(5)
    failed = make_record(ok=False, error=ErrorInfo(kind="server", message=""))
    verdict.annotate_turn(1)(failed)
    assert ends_session(failed) and not session_met(failed)


def test_metric_sets_count_sessions(make_record: RecordFactory) -> None:
    metrics = MetricSet()
    for met in ([True, True], [True, False], [True, True]):
        for record in conversation(make_record, met, turns=2):
            metrics.add(record)
    assert (metrics.sessions, metrics.sessions_met) == (3, 2)
    assert MetricSet.from_dict(metrics.to_dict()).sessions_met == 2
