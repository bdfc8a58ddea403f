"""Stop rules that end a run early: too many errors, or an over-saturated target.

Pure logic; harness.locust.run_guards feeds them and stops the run with the
reason they return.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

#: Attempts the error rate is computed over, and the fewest before it may stop a run.
ERROR_WINDOW = 100
ERROR_MINIMUM = 20
#: Seconds of the per-second series the over-saturation test looks at.
SATURATION_WINDOW = 10
#: One-sided t statistic a slope must reach (about 99.5 % confidence at 8 degrees of freedom).
SLOPE_T = 3.4
#: The fitted rise over the window, as a share of the window's mean, that counts as real.
MIN_RISE = 0.2


class ErrorRateStop:
    """``--max-error-rate``: the failed share of the last ERROR_WINDOW attempts."""

    def __init__(self, limit_pct: float, window: int = ERROR_WINDOW, minimum: int = ERROR_MINIMUM):
        self.limit_pct = limit_pct
        self.minimum = minimum
        self._recent: deque[bool] = deque(maxlen=window)
        self._failed = 0

    def observe(self, ok: bool) -> str | None:
        """The reason to stop, once at least ``minimum`` attempts break the limit."""
        if len(self._recent) == self._recent.maxlen and not self._recent[0]:
            self._failed -= 1
        self._recent.append(ok)
        self._failed += not ok
        seen = len(self._recent)
        rate = self._failed / seen * 100.0
        if seen < self.minimum or rate <= self.limit_pct:
            return None
        return (
            f"--max-error-rate {self.limit_pct:g}% exceeded: {self._failed} of the last "
            f"{seen} attempts failed ({rate:.1f}%)"
        )


def rising(values: Sequence[float]) -> bool:
    """True when a least-squares line through ``values`` (one a second) rises with confidence.

    The slope's t statistic must reach SLOPE_T and the fitted rise over the
    window must be at least MIN_RISE of the mean, so noise and a flat but
    jittery series never count.
    """
    n = len(values)
    if n < 4:
        return False
    mean_x = (n - 1) / 2.0
    mean_y = sum(values) / n
    sxx = sum((x - mean_x) ** 2 for x in range(n))
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / sxx
    if slope <= 0 or mean_y <= 0:
        return False
    residual = sum((y - mean_y - slope * (x - mean_x)) ** 2 for x, y in enumerate(values))
    stderr = math.sqrt(residual / (n - 2) / sxx)
    confident = stderr == 0 or slope / stderr >= SLOPE_T
    return confident and slope * (n - 1) >= MIN_RISE * mean_y


class OversaturationStop:
    """``--stop-on-oversaturation``: latency and requests in flight both rising.

    Fed once a second with the requests in flight and the mean E2E of the
    attempts that ended in that second (None when none did; that second is skipped).
    """

    def __init__(self, window: int = SATURATION_WINDOW) -> None:
        self._in_flight: deque[float] = deque(maxlen=window)
        self._latency: deque[float] = deque(maxlen=window)

    def observe(self, in_flight: float, latency_s: float | None) -> str | None:
        if latency_s is None:
            return None
        self._in_flight.append(in_flight)
        self._latency.append(latency_s)
        if len(self._latency) < (self._latency.maxlen or 0):
            return None
        if not (rising(self._latency) and rising(self._in_flight)):
            return None
        return (
            f"over-saturated (--stop-on-oversaturation): over the last {len(self._latency)} s "
            f"mean E2E rose {self._latency[0]:.3f} -> {self._latency[-1]:.3f} s and requests "
            f"in flight {self._in_flight[0]:g} -> {self._in_flight[-1]:g}"
        )
