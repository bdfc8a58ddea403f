"""Session goodput: conversations whose every turn met the per-request SLOs.

A SessionUser follows each conversation with a :class:`SessionVerdict`; the
record of the turn that ends it (the last turn, or a failed one) is tagged
``session_end`` with whether every earlier turn met the SLOs. Whether that
last turn met them too is its own ``slo_met``, judged as it is recorded, so
``MetricSet`` counts sessions from single records and merges like any counter.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.contracts import RequestRecord

SESSION_END_TAG = "session_end"
PRIOR_MET = "prior_met"
PRIOR_MISSED = "prior_missed"


class SessionVerdict:
    def __init__(self, turns: int) -> None:
        self.turns = turns
        self._met_so_far = True

    def annotate_turn(self, turn: int) -> Callable[[RequestRecord], None]:
        """Tags the turn's final record when the conversation ends with it."""

        def annotate(record: RequestRecord) -> None:
            if turn >= self.turns or not record.ok:
                record.tags = {
                    **record.tags,
                    SESSION_END_TAG: PRIOR_MET if self._met_so_far else PRIOR_MISSED,
                }

        return annotate

    def turn_done(self, record: RequestRecord) -> None:
        self._met_so_far = self._met_so_far and bool(record.slo_met)


def ends_session(record: RequestRecord) -> bool:
    return SESSION_END_TAG in record.tags


def session_met(record: RequestRecord) -> bool:
    """The record ends a session whose every turn, this one included, met the SLOs."""
    return record.tags.get(SESSION_END_TAG) == PRIOR_MET and record.ok and bool(record.slo_met)
