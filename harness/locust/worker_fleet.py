"""What the master knows about each worker of a distributed run, for the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from harness.metrics.generator_health import GeneratorHealth

#: A worker's states in summary["run"]["workers"].
RUNNING, FINISHED, MISSING, REFUSED = "running", "finished", "missing", "refused"


def _clock(epoch: float | None) -> str:
    if epoch is None:
        return "never"
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%H:%M:%S UTC")


@dataclass
class WorkerState:
    client_id: str
    index: int
    name: str
    state: str = RUNNING
    last_report_at: float | None = None
    reports: int = 0
    stopped_at: float | None = None
    stop_reason: str | None = None
    refused_reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    health: GeneratorHealth = field(default_factory=GeneratorHealth)

    def reported(self, sent_at: float) -> None:
        self.reports += 1
        self.last_report_at = sent_at

    def finished(
        self, stop_reason: str | None, warnings: list[str], health: dict[str, Any] | None = None
    ) -> None:
        if self.state == RUNNING:
            self.state = FINISHED
        if health:
            self.health = GeneratorHealth(list(health["lags_ms"]), list(health["cpu_percent"]))
        self.stop_reason = self.stop_reason or stop_reason
        self.warnings = [*self.warnings, *(w for w in warnings if w not in self.warnings)]

    def refused(self, reason: str) -> None:
        self.state, self.refused_reason = REFUSED, reason

    def lost_warning(self) -> str:
        return (
            f"worker {self.name} stopped reporting (last report {_clock(self.last_report_at)}, "
            f"noticed {_clock(self.stopped_at)}): the report keeps its numbers up to its last "
            f"report; its later requests are only in records-{self.name}.jsonl"
        )

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "index": self.index,
            "state": self.state,
            "last_report_at": self.last_report_at,
            "reports": self.reports,
            "stopped_at": self.stopped_at,
            "stop_reason": self.stop_reason,
            "generator": self.health.report(),
        }


class WorkerFleet:
    """Workers by Locust client id, from the test's start to its report."""

    def __init__(self) -> None:
        self._workers: dict[str, WorkerState] = {}

    def expect(self, client_id: str, index: int) -> WorkerState:
        return self.worker(client_id, index)

    def worker(self, client_id: str, index: int) -> WorkerState:
        worker = self._workers.get(client_id)
        if worker is None:
            # Until its first report names it: Locust's index is all the master knows.
            worker = self._workers[client_id] = WorkerState(client_id, index, f"worker-{index}")
        return worker

    def waiting(self) -> list[str]:
        """Workers whose last delta has not arrived and that were not given up on."""
        return [cid for cid, worker in self._workers.items() if worker.state == RUNNING]

    def lost(self, client_id: str, now: float) -> WorkerState:
        worker = self._workers[client_id]
        worker.state, worker.stopped_at = MISSING, now
        return worker

    def early_stop_reasons(self) -> list[str] | None:
        """Every worker's stop reason once all stopped early by themselves, else None."""
        workers = list(self._workers.values())
        if not workers or any(w.state == RUNNING or w.stop_reason is None for w in workers):
            return None
        return [w.stop_reason for w in workers if w.stop_reason is not None]

    def incomplete(self) -> bool:
        return any(w.state in (MISSING, REFUSED) for w in self._workers.values())

    def warnings(self) -> list[str]:
        found: list[str] = []
        for worker in self._workers.values():
            if worker.state == MISSING:
                found.append(worker.lost_warning())
            elif worker.state == REFUSED and worker.refused_reason:
                found.append(worker.refused_reason)
            if worker.stop_reason:
                found.append(f"worker {worker.name} stopped early: {worker.stop_reason}")
            saturated = worker.health.saturation_reason()
            if saturated is not None:
                found.append(
                    f"worker {worker.name}: load generator saturated ({saturated}): "
                    "its latencies are not trustworthy"
                )
            found += [w for w in worker.warnings if w not in found]
        return found

    def describe(self) -> list[dict[str, Any]]:
        return [w.describe() for w in sorted(self._workers.values(), key=lambda w: w.index)]

    def generator_health(self) -> dict[str, Any]:
        """The workers are the generators: their samples together, saturated if any one was."""
        pooled = GeneratorHealth()
        for worker in self._workers.values():
            pooled.lags_ms += worker.health.lags_ms
            pooled.cpu_percent += worker.health.cpu_percent
        report = pooled.report()
        for worker in sorted(self._workers.values(), key=lambda w: w.index):
            reason = worker.health.saturation_reason()
            if reason is not None:
                report.update(saturated=True, reason=f"worker {worker.name}: {reason}")
                break
        return report
