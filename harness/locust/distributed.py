"""Locust's master/worker mode for the harness: which side of the run this process is.

On a worker the run records to ``records-<worker id>.jsonl`` and ships its
aggregate in deltas (:mod:`harness.locust.worker_link`); on the master, which
runs no users, the deltas merge into the run's aggregate and the master writes
the reports (:mod:`harness.locust.master_link`). A local run has neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from harness.report.run_info import RunInfo

if TYPE_CHECKING:
    from harness.locust.llm_run import LlmRun


class Distribution(Protocol):
    @property
    def worker_id(self) -> str | None:
        """Names this process's records file; None on the master."""
        ...

    @property
    def records(self) -> bool:
        """Whether this process writes records (a master runs no users)."""
        ...

    def finish(self, info: RunInfo) -> RunInfo | None:
        """The run info to report with, once every worker's numbers are in; None: no report."""
        ...


def attach_distribution(environment: Environment, run: LlmRun) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        from harness.locust.worker_link import WorkerLink

        run.distribution = WorkerLink(environment, run)
    elif isinstance(runner, MasterRunner):
        from harness.locust.master_link import MasterLink

        run.distribution = MasterLink(environment, run)
