"""Arrival processes: when each request of an open-loop run is due.

``constant`` spaces arrivals exactly ``1 / rate`` apart; ``poisson`` draws
exponential gaps of mean ``1 / rate``; ``gamma`` draws gamma gaps of the
same mean with shape ``burstiness``, as vLLM's benchmark does: 1 is Poisson,
below 1 burstier (clumps and long pauses), above 1 smoother, towards constant.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from harness.errors import HarnessConfigError

ARRIVAL_KINDS: tuple[str, ...] = ("constant", "poisson", "gamma")
#: Requests/s from ``t`` seconds into the schedule; None once it has ended.
RateSchedule = Callable[[float], "float | None"]


@dataclass(frozen=True)
class ArrivalProcess:
    kind: str
    #: Mean arrivals per second.
    rate: float
    #: Gamma shape; only ``gamma`` uses it.
    burstiness: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in ARRIVAL_KINDS:
            raise HarnessConfigError(
                f"--arrival {self.kind!r}: expected one of {', '.join(ARRIVAL_KINDS)}"
            )
        if not math.isfinite(self.rate) or self.rate <= 0:
            raise HarnessConfigError(f"--rate {self.rate!r}: expected requests/s > 0")
        if not math.isfinite(self.burstiness) or self.burstiness <= 0:
            raise HarnessConfigError(
                f"--burstiness {self.burstiness!r}: expected a gamma shape > 0 (1 = Poisson)"
            )

    def gaps(self, rng: random.Random) -> Iterator[float]:
        """Endless inter-arrival times in seconds."""
        return (self.gap(rng, self.rate) for _ in itertools.count())

    def gap(self, rng: random.Random, rate: float) -> float:
        """One inter-arrival time at ``rate`` (this process's shape)."""
        if self.kind == "constant":
            return 1.0 / rate
        if self.kind == "poisson":
            return rng.expovariate(rate)
        shape = self.burstiness
        return rng.gammavariate(shape, 1.0 / (rate * shape))

    def offsets(self, rng: random.Random) -> Iterator[float]:
        """Seconds from the start of the schedule to each arrival; the first after one gap."""
        return itertools.accumulate(self.gaps(rng))

    def scheduled_offsets(self, rng: random.Random, rate_at: RateSchedule) -> Iterator[float]:
        """Arrivals at a rate that changes each whole second; they end when ``rate_at`` does.

        A gap that would cross into a second of another rate is drawn again
        from that second's start: exact for Poisson (memoryless), close for
        the others.
        """
        now = 0.0
        while True:
            rate = rate_at(now)
            if rate is None:
                return
            boundary = math.floor(now) + 1.0
            if rate <= 0:
                now = boundary
                continue
            arrival = now + self.gap(rng, rate)
            # (The tolerance keeps a constant gap that lands on the boundary.)
            if arrival > boundary + 1e-9 and rate_at(boundary) != rate:
                now = boundary
                continue
            now = arrival
            yield now
