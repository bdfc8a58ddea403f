"""What a dispatcher did with its schedule: arrivals due, started, queued, dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A schedule lag p99 above this is worth a warning (a full pool or a busy generator).
LATE_START_S = 0.1


@dataclass
class ArrivalCounts:
    """Counters of one dispatcher; several (one per worker) add up.

    ``dropped`` arrivals found the pool busy and the queue full: the client,
    not the target, was saturated, so they were never sent. ``max_queued``
    is the longest the queue of waiting arrivals grew.
    """

    #: "constant", "poisson", "gamma" or "trace".
    mode: str
    #: Requests/s this dispatcher was asked for (a trace: None, it keeps its own times).
    rate: float | None
    max_concurrency: int
    max_queue: int
    scheduled: int = 0
    started: int = 0
    dropped: int = 0
    max_queued: int = 0
    #: The ``--load-shape`` (or ``[shape]``) that set the rate second by second, if any.
    shape: str | None = None

    def merge(self, other: ArrivalCounts) -> None:
        self.scheduled += other.scheduled
        self.started += other.started
        self.dropped += other.dropped
        self.max_queued = max(self.max_queued, other.max_queued)
        if self.rate is not None and other.rate is not None:
            self.rate += other.rate

    def add_to_summary(self, summary: dict[str, Any]) -> None:
        """``arrivals``, its warnings, and dropped arrivals as a saturated generator."""
        schedule_lag = summary["overall"]["latency"]["schedule_lag"]
        summary["arrivals"] = self.to_dict(schedule_lag)
        run = summary["run"]
        run["warnings"] += self.warnings(schedule_lag)
        generator = run.get("generator")
        if self.dropped and generator is not None and not generator.get("saturated"):
            generator["saturated"] = True
            generator["reason"] = f"{self.dropped} open-loop arrivals dropped: pool and queue full"

    def warnings(self, schedule_lag: dict[str, Any]) -> list[str]:
        """What makes the open loop's numbers suspect: the generator, not the target, queued."""
        found = []
        if self.dropped:
            found.append(
                f"open loop: {self.dropped} of {self.scheduled} arrivals dropped, the pool "
                f"(--max-concurrency {self.max_concurrency}) and queue (--max-queue "
                f"{self.max_queue}) were full: the generator was saturated"
            )
        late = schedule_lag.get("p99")
        if late is not None and late > LATE_START_S:
            found.append(
                f"open loop: requests started up to {late * 1000:.0f} ms after they were due "
                "(schedule lag p99); latency from the due time is in ttft_scheduled and "
                "e2e_scheduled"
            )
        return found

    def to_dict(self, schedule_lag: dict[str, Any]) -> dict[str, Any]:
        """summary["arrivals"]; ``schedule_lag`` summarises actual minus intended starts."""
        return {
            "mode": self.mode,
            "rate": self.rate,
            "max_concurrency": self.max_concurrency,
            "max_queue": self.max_queue,
            "scheduled": self.scheduled,
            "started": self.started,
            "dropped": self.dropped,
            "dropped_rate": self.dropped / self.scheduled if self.scheduled else None,
            "max_queued": self.max_queued,
            "shape": self.shape,
            "schedule_lag": schedule_lag,
        }
