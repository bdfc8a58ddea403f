"""A Locust master's side of a distributed run: merge the workers' deltas, report once.

The master runs no users and writes no records. It merges every worker's
delta into the run's aggregate as it arrives (histograms merge exactly; no
percentile is ever averaged), so the web UI's LLM tab shows the whole run.
When the test stops it asks the workers still running for their last delta,
waits for it, and reports; a worker that went missing keeps the numbers it
last sent, and the report says which one stopped reporting and when.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

import gevent
from locust.env import Environment
from locust.exception import RPCSendError
from locust.runners import STATE_MISSING, MasterRunner

from harness.arrivals.counts import ArrivalCounts
from harness.locust.worker_fleet import WorkerFleet
from harness.locust.worker_link import FINAL_MESSAGE, REPORT_KEY, SHARES_OPTION, STOP_MESSAGE
from harness.metrics.aggregate import RunAggregate
from harness.report.run_info import RunInfo

if TYPE_CHECKING:
    from harness.locust.llm_run import LlmRun

log = logging.getLogger("harness")

#: Seconds beyond Locust's stop timeout to wait for the workers' last deltas.
FINAL_GRACE_S = 10.0


class MasterLink:
    """Attached to the master's LlmRun at ``init``."""

    def __init__(self, environment: Environment, run: LlmRun) -> None:
        runner = environment.runner
        assert isinstance(runner, MasterRunner)
        self.environment = environment
        self.runner = runner
        self.run = run
        self.worker_id = None
        self.records = False
        self.fleet = WorkerFleet()
        events = environment.events
        events.worker_report.add_listener(self._on_worker_report)
        events.test_start.add_listener(self._on_test_start)
        runner.register_message(FINAL_MESSAGE, self._on_final)
        self._watch = gevent.spawn(self._watch_workers)

    def _on_test_start(self, **_: Any) -> None:
        runner = self.runner
        connected = runner.clients.ready + runner.clients.spawning + runner.clients.running
        indexes = sorted(runner.get_worker_index(node.id) for node in connected)
        self.fleet = WorkerFleet()
        for node in connected:
            self.fleet.expect(node.id, runner.get_worker_index(node.id))
        shares = split_limits(self.run.options.max_requests, self.run.options.budget, indexes)
        # Sent with every spawn message: each worker picks its own share.
        setattr(self.run.options, SHARES_OPTION, shares)

    def _merge(self, client_id: str, payload: dict[str, Any], final: bool) -> None:
        worker = self.fleet.worker(client_id, self.runner.get_worker_index(client_id))
        worker.name = payload.get("worker") or worker.name
        try:
            delta = RunAggregate.from_dict(payload["aggregate"])
        except ValueError as exc:
            worker.refused(
                f"worker {worker.name}: its numbers were refused ({exc}); run the same "
                "harness version on the master and every worker"
            )
            log.error("harness: %s", worker.refused_reason)
            return
        self.run.aggregate.merge(delta)
        worker.reported(float(payload.get("sent_at") or time.time()))
        if final:
            worker.finished(
                payload.get("stop_reason"), payload.get("warnings") or [], payload.get("generator")
            )
            if payload.get("arrivals"):
                self.run.add_arrivals(ArrivalCounts(**payload["arrivals"]))
            self._stop_when_all_stopped_early()

    def _on_worker_report(self, client_id: str, data: dict[str, Any], **_: Any) -> None:
        payload = data.get(REPORT_KEY)
        if payload is not None:
            self._merge(client_id, payload, final=False)

    def _on_final(self, environment: Environment, msg: Any, **_: Any) -> None:
        self._merge(msg.node_id, msg.data, final=True)

    def _stop_when_all_stopped_early(self) -> None:
        reasons = self.fleet.early_stop_reasons()
        if reasons is not None and self.run.stop_reason is None:
            # Each worker's own reason is among the run's warnings.
            self.run.stop_early(f"all {len(reasons)} workers stopped early")

    def _watch_workers(self) -> None:
        """Notice workers Locust marked missing or dropped before their last delta."""
        while True:
            gevent.sleep(1.0)
            clients = self.runner.clients
            for client_id in self.fleet.waiting():
                node = clients.get(client_id)
                if node is None or node.state == STATE_MISSING:
                    worker = self.fleet.lost(client_id, time.time())
                    log.warning("harness: %s", worker.lost_warning())

    def finish(self, info: RunInfo) -> RunInfo:
        """Ask the running workers for their last delta, wait for it, describe the fleet."""
        for client_id in self.fleet.waiting():
            try:
                self.runner.send_message(STOP_MESSAGE, client_id=client_id)
            except RPCSendError:
                self.fleet.lost(client_id, time.time())
        deadline = time.monotonic() + (self.environment.stop_timeout or 0) + FINAL_GRACE_S
        while self.fleet.waiting() and time.monotonic() < deadline:
            gevent.sleep(0.1)
        for client_id in self.fleet.waiting():
            worker = self.fleet.lost(client_id, time.time())
            log.warning("harness: %s", worker.lost_warning())
        return dataclasses.replace(
            info,
            workers=self.fleet.describe(),
            generator=self.fleet.generator_health(),
            partial=info.partial or self.fleet.incomplete(),
            warnings=[*info.warnings, *self.fleet.warnings()],
        )


def split_limits(
    max_requests: int | None, budget: str | None, indexes: list[int]
) -> dict[str, dict[str, Any]]:
    """Each worker's share of the run's limits, so the totals hold across workers."""
    if not indexes or (max_requests is None and budget is None):
        return {}
    count = len(indexes)
    shares: dict[str, dict[str, Any]] = {}
    for position, index in enumerate(indexes):
        share: dict[str, Any] = {}
        if max_requests is not None:
            share["max_requests"] = max_requests // count + (position < max_requests % count)
        if budget is not None:
            part = (Decimal(budget) / count).quantize(Decimal("1e-9"), rounding=ROUND_DOWN)
            share["budget"] = str(part)
        shares[str(index)] = share
    return shares
