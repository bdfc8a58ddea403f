"""The simulator's latency model: time to first token and inter-token latency.

Each delay is the configured value ``d`` times a random factor. With
``jitter = 0`` the factor is exactly 1. With ``jitter = j > 0`` the factor is
log-normal with mean 1 and standard deviation ``j`` (coefficient of variation
``j``): ``sigma**2 = ln(1 + j**2)``, ``mu = -sigma**2 / 2``. So the *mean*
delay stays ``d`` whatever the jitter, delays are never negative, and the
distribution has the long right tail that real serving latencies show.

Draws come from one ``random.Random`` seeded with ``seed`` (``None``: seeded
from the OS), so a given seed replays the same sequence of draws. Under
concurrency, which request receives which draw depends on arrival order.
"""

from __future__ import annotations

import math
import random


class LatencyModel:
    """Seeded draws of TTFT and ITL, in seconds."""

    def __init__(
        self,
        ttft_ms: float,
        itl_ms: float,
        jitter: float = 0.0,
        seed: int | None = None,
    ) -> None:
        if ttft_ms < 0 or itl_ms < 0:
            raise ValueError(f"latencies must be >= 0 ms, got ttft={ttft_ms}, itl={itl_ms}")
        if jitter < 0:
            raise ValueError(f"jitter must be >= 0, got {jitter}")
        self.ttft_mean_s = ttft_ms / 1000.0
        self.itl_mean_s = itl_ms / 1000.0
        self.jitter = jitter
        self._rng = random.Random(seed)
        sigma_squared = math.log1p(jitter * jitter)
        self._sigma = math.sqrt(sigma_squared)
        self._mu = -sigma_squared / 2.0

    def factor(self) -> float:
        """One random multiplier with mean 1 and relative spread ``jitter``."""
        if self._sigma == 0.0:
            return 1.0
        return self._rng.lognormvariate(self._mu, self._sigma)

    def ttft_s(self) -> float:
        """Time from the start of generation to the first token."""
        if self.ttft_mean_s == 0.0:
            return 0.0
        return self.ttft_mean_s * self.factor()

    def itl_s(self) -> float:
        """Gap between two consecutive tokens."""
        if self.itl_mean_s == 0.0:
            return 0.0
        return self.itl_mean_s * self.factor()
