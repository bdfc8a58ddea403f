"""A Locust worker's side of a distributed run: its records file, deltas and last numbers.

The worker records and aggregates like a local run but writes no report. Every
report interval (Locust's ``report_to_master``) it ships what it aggregated
since the last report and starts a fresh aggregate, so each record reaches the
master exactly once; when its test stops it sends the rest in a final message
the master waits for (Locust's own last report, sent on ``quit``, comes after
the master may already have written its reports).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import socket
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from locust.env import Environment
from locust.runners import WorkerRunner

from harness.metrics.aggregate import RunAggregate
from harness.report.run_info import RunInfo

if TYPE_CHECKING:
    from harness.locust.llm_run import LlmRun

log = logging.getLogger("harness")

#: Key of the harness's delta in Locust's worker report.
REPORT_KEY = "harness"
#: Worker -> master: the last delta of a test, with the worker's stop reason.
FINAL_MESSAGE = "harness_final"
#: Master -> worker: stop your users now and send your final delta.
STOP_MESSAGE = "harness_stop"
#: Master -> workers, in the options of the spawn message: each worker's share
#: of --max-requests and --budget, by Locust worker index.
SHARES_OPTION = "harness_shares"


def readable_worker_id(worker_index: int, hostname: str | None = None) -> str:
    """``<host>-<index>``: stable for the run, readable, safe in a file name."""
    host = re.sub(r"[^A-Za-z0-9_.-]+", "-", hostname or socket.gethostname()).strip("-.")
    return f"{host or 'worker'}-{worker_index}"


def delta_payload(worker_id: str, aggregate: RunAggregate) -> dict[str, Any]:
    return {"worker": worker_id, "sent_at": time.time(), "aggregate": aggregate.to_dict()}


class WorkerLink:
    """Attached to a worker's LlmRun at ``init`` (the worker is connected by then)."""

    def __init__(self, environment: Environment, run: LlmRun) -> None:
        runner = environment.runner
        assert isinstance(runner, WorkerRunner)
        self.runner = runner
        self.run = run
        self.worker_id = readable_worker_id(runner.worker_index)
        self.records = True
        # A worker that never started a test still answers the master's stop.
        self._final_sent = False
        events = environment.events
        events.report_to_master.add_listener(self._on_report)
        events.test_start.add_listener(self._on_test_start)
        events.test_stop.add_listener(self._on_test_stop)
        runner.register_message(STOP_MESSAGE, self._on_stop_request, concurrent=True)

    def finish(self, info: RunInfo) -> RunInfo | None:
        """A worker writes no report: the master reports the merged numbers."""
        return None

    def _take_delta(self) -> RunAggregate:
        """What was aggregated since the last delta; the run goes on with a fresh one."""
        delta, self.run.aggregate = self.run.aggregate, RunAggregate()
        return delta

    def _on_report(self, client_id: str, data: dict[str, Any], **_: Any) -> None:
        delta = self._take_delta()
        if delta.overall.requests:
            data[REPORT_KEY] = delta_payload(self.worker_id, delta)

    def _on_test_start(self, **_: Any) -> None:
        self._final_sent = False
        shares = getattr(self.run.options, SHARES_OPTION, None) or {}
        share = shares.get(str(self.runner.worker_index))
        options = self.run.options
        if share is None and (options.max_requests is not None or options.budget is not None):
            # Joined after the start: the other workers hold the whole limit.
            share = {"max_requests": 0}
            log.warning("harness: worker %s joined mid-run: it sends no requests", self.worker_id)
        if share is not None:
            budget = share.get("budget")
            self.run.limit_to_share(
                share.get("max_requests"), Decimal(budget) if budget is not None else None
            )

    def _on_test_stop(self, **_: Any) -> None:
        if self._final_sent:
            return
        self._final_sent = True
        run = self.run
        payload = delta_payload(self.worker_id, self._take_delta())
        payload["stop_reason"] = run.stop_reason
        payload["warnings"] = list(run.prices.unknown.values())
        health = run.guards.health
        # The samples, not the verdict: the master judges all workers' together.
        payload["generator"] = {"lags_ms": health.lags_ms, "cpu_percent": health.cpu_percent}
        if run.arrivals is not None:
            payload["arrivals"] = dataclasses.asdict(run.arrivals)
        self.runner.send_message(FINAL_MESSAGE, payload)

    def _on_stop_request(self, environment: Environment, msg: Any, **_: Any) -> None:
        # Stopping waits for calls in flight: never inside the message loop.
        self.runner.stop()
        self._on_test_stop()
