"""ArrivalUser: the open-loop driver of a Locust process (``--rate`` or ``--trace``).

Exactly one instance per process dispatches; it owns the schedule, the
pool of calls in flight and one UserSession per pool slot (each call needs
its own connections). Further instances on the same process stop at once,
so ``-u`` only matters in distributed runs, where each worker needs one.

The rate is split evenly: a worker dispatches ``--rate / --expect-workers``
(Locust hands ``--expect-workers`` to every worker), a trace is dealt out
row by row (worker ``i`` of ``n`` replays rows ``i, i + n, ...``).
"""

from __future__ import annotations

import random
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from locust import events, task
from locust.env import Environment
from locust.exception import StopUser
from locust.runners import WorkerRunner
from locust.user.task import LOCUST_STATE_STOPPING

from harness.arrivals.counts import ArrivalCounts
from harness.arrivals.process import ArrivalProcess
from harness.arrivals.trace import load_trace, trace_request
from harness.contracts import ChatRequest, RequestRecord
from harness.errors import HarnessConfigError
from harness.load_shapes import ShapePlan
from harness.locust.arrival_dispatch import Arrival, Dispatcher, Start
from harness.locust.lifecycle import llm_run_for, refuse_to_start
from harness.locust.shapes import configured_plan
from harness.locust.user import LlmUser
from harness.locust.user_session import UserSession

#: The user that dispatches for each environment (this process's part of the run).
_DISPATCHING: weakref.WeakKeyDictionary[Environment, ArrivalUser] = weakref.WeakKeyDictionary()


def process_share(options: Any, runner: object) -> tuple[int, int]:
    """(this process's index, number of processes) that share the schedule."""
    if isinstance(runner, WorkerRunner):
        return max(runner.worker_index, 0), max(int(options.expect_workers or 1), 1)
    return 0, 1


class ArrivalUser(LlmUser):
    """Sends requests on a schedule instead of back to back (see the module doc)."""

    #: A load shape sets this user's rate, not the number of users.
    open_loop = True

    def on_start(self) -> None:
        self.llm_run = llm_run_for(self.environment)
        self._idle: list[UserSession] = []
        self._rng = random.Random(self.llm_run.options.workload_seed)
        if self.environment in _DISPATCHING:
            raise StopUser()  # another instance already dispatches for this process
        _DISPATCHING[self.environment] = self

    def on_stop(self) -> None:
        if _DISPATCHING.get(self.environment) is self:
            del _DISPATCHING[self.environment]
        for session in self._idle:
            session.close()
        self._idle.clear()

    @task
    def dispatch(self) -> None:
        options = self.llm_run.options
        index, processes = process_share(options, self.environment.runner)
        try:
            counts, schedule = _plan(options, index, processes, self._rng)
        except HarnessConfigError as exc:  # the web UI's form left both out
            self.llm_run._stop_early(str(exc))
            raise StopUser() from None
        self.llm_run.arrivals = counts
        dispatcher = Dispatcher(counts, self._send)
        completed = dispatcher.run(schedule, self._stopping)
        if completed:
            self.llm_run._stop_early(f"the {counts.shape or 'trace'} schedule ran to its end")
        raise StopUser()

    def _stopping(self) -> bool:
        return self._state == LOCUST_STATE_STOPPING

    def _send(self, start: Start) -> bool:
        session = self._idle.pop() if self._idle else self.llm_run.new_session()
        try:
            outcome = self.llm_run.execute(
                session, self._request(session, start.arrival), _stamp(start)
            )
        finally:
            self._idle.append(session)
        return outcome is not None

    def _request(self, session: UserSession, arrival: Arrival) -> ChatRequest:
        if arrival.row is None:
            return session.workload.next_request()
        options = self.llm_run.options
        return trace_request(arrival.row, session.target.target.model, options.stream, self._rng)


@events.init.add_listener
def _check_headless_options(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    if (
        ArrivalUser in environment.user_classes
        and environment.web_ui is None
        and options is not None
        and options.rate is None
        and not options.trace
        and configured_plan(options) is None
    ):
        refuse_to_start(HarnessConfigError(_NEEDS_SCHEDULE))


_NEEDS_SCHEDULE = (
    "open loop (ArrivalUser) needs --rate REQ_PER_S, --trace FILE.jsonl or --load-shape"
)


def _stamp(start: Start) -> Any:
    def annotate(record: RequestRecord) -> None:
        record.queue_s = start.queue_s
        record.scheduled_at = start.scheduled_at

    return annotate


def _plan(
    options: Any, index: int, processes: int, rng: random.Random
) -> tuple[ArrivalCounts, Iterator[Arrival]]:
    """This process's counters and schedule: ``--trace``, else ``--rate``, else the shape."""
    if options.trace:
        rows = load_trace(Path(options.trace))[index::processes]
        counts = ArrivalCounts("trace", None, options.max_concurrency, options.max_queue)
        scale = options.time_scale
        return counts, (Arrival(row.offset_s / scale, row) for row in rows)
    if options.rate is not None:
        process = ArrivalProcess(options.arrival, options.rate / processes, options.burstiness)
        counts = ArrivalCounts(
            process.kind, process.rate, options.max_concurrency, options.max_queue
        )
        return counts, (Arrival(offset) for offset in process.offsets(rng))
    shape = configured_plan(options)
    if shape is None:
        raise HarnessConfigError(_NEEDS_SCHEDULE)
    # The shape's "users" are requests/s: the rate of each second of the run.
    process = ArrivalProcess(options.arrival, 1.0, options.burstiness)
    counts = ArrivalCounts(
        process.kind, None, options.max_concurrency, options.max_queue, shape=shape.spec
    )

    def rate_at(elapsed: float, plan: ShapePlan = shape) -> float | None:
        tick = plan.tick(elapsed)
        return None if tick is None else tick.users / processes

    return counts, (Arrival(offset) for offset in process.scheduled_offsets(rng, rate_at))
