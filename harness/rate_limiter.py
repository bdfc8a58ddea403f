"""Client-side request and token limits per target, as production clients keep.

Two token buckets (requests per minute, tokens per minute) refill
continuously and hold at most ``burst`` seconds' worth. :meth:`reserve` takes
what a request needs and says how long the caller must wait before sending;
the wait is recorded separately from latency. Token use is reserved from an
estimate before sending and corrected with the real usage afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LimitSettings:
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    burst_s: float = 1.0

    def __post_init__(self) -> None:
        for value in (self.requests_per_minute, self.tokens_per_minute):
            if value is not None and value <= 0:
                raise ValueError("limits must be positive")
        if self.burst_s <= 0:
            raise ValueError("burst_s must be positive")

    @property
    def active(self) -> bool:
        return self.requests_per_minute is not None or self.tokens_per_minute is not None


class TokenBucket:
    """``rate`` units per second, at most ``capacity`` banked; debts are allowed."""

    def __init__(self, rate_per_s: float, capacity: float, now: float) -> None:
        self.rate = rate_per_s
        self.capacity = capacity
        self.level = capacity
        self._updated = now

    def _refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self._updated) * self.rate)
        self._updated = now

    def reserve(self, amount: float, now: float) -> float:
        """Take ``amount`` now; return the seconds until the balance is no longer negative."""
        self._refill(now)
        self.level -= amount
        return 0.0 if self.level >= 0 else -self.level / self.rate

    def refund(self, amount: float, now: float) -> None:
        self._refill(now)
        self.level = min(self.capacity, self.level + amount)


class TargetRateLimiter:
    """The request and token buckets of one target, shared by all its users."""

    def __init__(self, settings: LimitSettings, now: float) -> None:
        self.settings = settings
        self._requests = self._tokens = None
        if settings.requests_per_minute is not None:
            rate = settings.requests_per_minute / 60.0
            self._requests = TokenBucket(rate, max(1.0, rate * settings.burst_s), now)
        if settings.tokens_per_minute is not None:
            rate = settings.tokens_per_minute / 60.0
            self._tokens = TokenBucket(rate, max(1.0, rate * settings.burst_s), now)

    def reserve(self, tokens: int, now: float) -> tuple[float, str | None]:
        """Seconds to wait before sending, and which limit imposed it (``rpm``/``tpm``)."""
        waits: list[tuple[float, str | None]] = [(0.0, None)]
        if self._requests is not None:
            waits.append((self._requests.reserve(1, now), "rpm"))
        if self._tokens is not None:
            waits.append((self._tokens.reserve(tokens, now), "tpm"))
        wait, limit = max(waits, key=lambda pair: pair[0])
        return wait, limit if wait > 0 else None

    def settle(self, reserved_tokens: int, used_tokens: int, now: float) -> None:
        """Correct the token bucket once the real usage is known."""
        if self._tokens is None or used_tokens == reserved_tokens:
            return
        if used_tokens < reserved_tokens:
            self._tokens.refund(reserved_tokens - used_tokens, now)
        else:
            self._tokens.reserve(used_tokens - reserved_tokens, now)
