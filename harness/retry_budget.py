"""A retry budget per target, so retries cannot turn an outage into a storm.

Finagle's design: every first attempt deposits ``ratio`` of a retry into a
balance, every retry withdraws one, and a floor of ``min_per_s`` retries per
second is always allowed so that a quiet target can still retry. Deposits
expire after ``window_s``, so the balance reflects recent traffic only. With
the defaults, retries stay within 20 % of requests plus 10 per second.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class BudgetSettings:
    ratio: float = 0.2
    min_per_s: float = 10.0
    window_s: float = 10.0

    def __post_init__(self) -> None:
        if self.ratio < 0 or self.min_per_s < 0 or self.window_s <= 0:
            raise ValueError("ratio and min_per_s must be >= 0 and window_s > 0")


class RetryBudget:
    """Shared by every user of one target; call from one event loop (no locking)."""

    def __init__(self, settings: BudgetSettings | None = None) -> None:
        self.settings = settings or BudgetSettings()
        self._requests: deque[float] = deque()
        self._retries: deque[float] = deque()
        self.denied = 0

    def _expire(self, now: float) -> None:
        horizon = now - self.settings.window_s
        for times in (self._requests, self._retries):
            while times and times[0] < horizon:
                times.popleft()

    def record_request(self, now: float) -> None:
        """A first attempt was sent."""
        self._requests.append(now)

    def try_spend(self, now: float) -> bool:
        """May a retry be sent now? If so it is counted against the budget."""
        self._expire(now)
        settings = self.settings
        allowed = settings.ratio * len(self._requests) + settings.min_per_s * settings.window_s
        if len(self._retries) + 1 > allowed:
            self.denied += 1
            return False
        self._retries.append(now)
        return True
