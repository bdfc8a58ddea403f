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
from typing import Any

from locust import events, task
from locust.env import Environment
from locust.exception import StopUser
from locust.user.task import LOCUST_STATE_STOPPING

from harness.arrivals.trace import trace_request
from harness.contracts import ChatRequest, RequestRecord
from harness.errors import HarnessConfigError
from harness.locust.arrival_dispatch import Arrival, Dispatcher, Start
from harness.locust.arrival_schedule import NEEDS_SCHEDULE, process_share, schedule_for
from harness.locust.lifecycle import llm_run_for, refuse_to_start
from harness.locust.shapes import configured_plan
from harness.locust.user import LlmUser
from harness.locust.user_session import UserSession

#: The user that dispatches for each environment (this process's part of the run).
_DISPATCHING: weakref.WeakKeyDictionary[Environment, ArrivalUser] = weakref.WeakKeyDictionary()


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
            counts, schedule = schedule_for(options, index, processes, self._rng)
        except HarnessConfigError as exc:  # the web UI's form left both out
            self.llm_run.stop_early(str(exc))
            raise StopUser() from None
        self.llm_run.arrivals = counts
        dispatcher = Dispatcher(counts, self._send)
        completed = dispatcher.run(schedule, self._stopping)
        if completed:
            self.llm_run.stop_early(f"the {counts.shape or 'trace'} schedule ran to its end")
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
        refuse_to_start(HarnessConfigError(NEEDS_SCHEDULE))


def _stamp(start: Start) -> Any:
    def annotate(record: RequestRecord) -> None:
        record.queue_s = start.queue_s
        record.scheduled_at = start.scheduled_at

    return annotate
