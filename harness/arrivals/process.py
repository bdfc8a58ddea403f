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
from collections.abc import Iterator
from dataclasses import dataclass

from harness.errors import HarnessConfigError

ARRIVAL_KINDS: tuple[str, ...] = ("constant", "poisson", "gamma")


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
        mean = 1.0 / self.rate
        if self.kind == "constant":
            return itertools.repeat(mean)
        if self.kind == "poisson":
            return (rng.expovariate(self.rate) for _ in itertools.count())
        shape = self.burstiness
        return (rng.gammavariate(shape, mean / shape) for _ in itertools.count())

    def offsets(self, rng: random.Random) -> Iterator[float]:
        """Seconds from the start of the schedule to each arrival; the first after one gap."""
        return itertools.accumulate(self.gaps(rng))
