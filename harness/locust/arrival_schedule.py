"""Which schedule this process's ArrivalUser dispatches: a trace, a rate or a shape's rates."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from locust.runners import WorkerRunner

from harness.arrivals.counts import ArrivalCounts
from harness.arrivals.process import ArrivalProcess
from harness.arrivals.trace import load_trace
from harness.errors import HarnessConfigError
from harness.load_shapes import ShapePlan
from harness.locust.arrival_dispatch import Arrival
from harness.locust.shapes import configured_plan

NEEDS_SCHEDULE = (
    "open loop (ArrivalUser) needs --rate REQ_PER_S, --trace FILE.jsonl or --load-shape"
)


def process_share(options: Any, runner: object) -> tuple[int, int]:
    """(this process's index, number of processes) that share the schedule."""
    if isinstance(runner, WorkerRunner):
        return max(runner.worker_index, 0), max(int(options.expect_workers or 1), 1)
    return 0, 1


def schedule_for(
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
        raise HarnessConfigError(NEEDS_SCHEDULE)
    # The shape's "users" are requests/s: the rate of each second of the run.
    process = ArrivalProcess(options.arrival, 1.0, options.burstiness)
    counts = ArrivalCounts(
        process.kind, None, options.max_concurrency, options.max_queue, shape=shape.spec
    )

    def rate_at(elapsed: float, plan: ShapePlan = shape) -> float | None:
        tick = plan.tick(elapsed)
        return None if tick is None else tick.users / processes

    return counts, (Arrival(offset) for offset in process.scheduled_offsets(rng, rate_at))
