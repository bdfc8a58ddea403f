"""The open-loop dispatcher: sleeps to each due arrival and starts it in a bounded pool.

A closed-loop user waits for its answer before sending again, so a slow
target slows the load down and hides its own queueing (coordinated
omission). Here arrivals follow their schedule whatever the answers take:
an arrival that finds ``max_concurrency`` calls in flight waits in a FIFO
queue (its ``queue_s`` grows), and one that finds the queue full is dropped
and counted, because the generator, not the target, ran out of room.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import gevent
from gevent.pool import Group

from harness.arrivals.counts import ArrivalCounts
from harness.arrivals.trace import TraceRow

#: Longest single sleep, so a stop request is noticed between sparse arrivals.
_STOP_CHECK_S = 0.1


@dataclass(frozen=True)
class Arrival:
    #: Seconds after the schedule's start when the request is due.
    offset_s: float
    #: The trace row it replays; None for a rate-driven arrival.
    row: TraceRow | None = None


@dataclass(frozen=True)
class Start:
    """One arrival as it starts: when it was due (epoch) and how late it starts."""

    arrival: Arrival
    scheduled_at: float
    queue_s: float


#: Sends one request; False when the run takes no more (``--max-requests``, budget).
Launch = Callable[[Start], bool]


class Dispatcher:
    def __init__(self, counts: ArrivalCounts, launch: Launch) -> None:
        self.counts = counts
        self._launch = launch
        self._waiting: deque[tuple[Arrival, float]] = deque()
        self._workers = Group()
        self._refused = False
        self._origin = time.perf_counter()
        self._epoch_origin = time.time()

    def run(self, schedule: Iterable[Arrival], stopping: Callable[[], bool]) -> bool:
        """Dispatch until the schedule ends (True) or ``stopping()`` (False).

        Calls in flight finish either way; arrivals still queued at a stop
        are never sent. The pool is killed if this greenlet is.
        """
        self._origin = time.perf_counter()
        self._epoch_origin = time.time()
        completed = False
        try:
            for arrival in schedule:
                due = self._origin + arrival.offset_s
                if self._refused or not _sleep_until(due, stopping):
                    break
                self._arrive(arrival, due)
            else:
                completed = True
                while (self._waiting or self._workers) and not stopping():
                    gevent.sleep(_STOP_CHECK_S)
            self._waiting.clear()
            self._workers.join()
        finally:
            self._workers.kill(block=False)
        return completed

    def _arrive(self, arrival: Arrival, due: float) -> None:
        counts = self.counts
        counts.scheduled += 1
        if len(self._workers) < counts.max_concurrency:
            self._workers.spawn(self._work, arrival, due)
        elif len(self._waiting) < counts.max_queue:
            self._waiting.append((arrival, due))
            counts.max_queued = max(counts.max_queued, len(self._waiting))
        else:
            counts.dropped += 1

    def _work(self, arrival: Arrival, due: float) -> None:
        """Send this arrival, then the oldest queued ones, while any wait."""
        item: tuple[Arrival, float] | None = (arrival, due)
        while item is not None and not self._refused:
            arrival, due = item
            self.counts.started += 1
            start = Start(
                arrival,
                scheduled_at=self._epoch_origin + (due - self._origin),
                queue_s=max(time.perf_counter() - due, 0.0),
            )
            if not self._launch(start):
                self._refused = True
                return
            item = self._waiting.popleft() if self._waiting else None


def _sleep_until(due: float, stopping: Callable[[], bool]) -> bool:
    """Sleep to ``due`` (perf_counter time); False as soon as ``stopping()``."""
    while not stopping():
        remaining = due - time.perf_counter()
        if remaining <= 0:
            return True
        gevent.sleep(min(remaining, _STOP_CHECK_S))
    return False
