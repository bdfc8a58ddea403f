"""Server-side rate limits: token buckets for requests and tokens per minute.

Each limit is a bucket that refills continuously at ``limit / 60`` per second
and holds ``limit / 60 * burst_s`` at most (never less than one request's
worth), so with the default one-second burst a 600 RPM server takes 10
requests at once and then one every 100 ms. A request that finds a bucket too
low is refused without taking anything; the caller answers it with a 429
whose ``Retry-After`` (whole seconds, rounded up) and ``retry-after-ms`` say
when the bucket will hold enough again.

A request costs one request and, for the token limit, its input tokens plus
the output it may produce (its max tokens), as OpenAI counts a request
against its TPM before it runs. A request costing more than a whole bucket
waits for a full bucket and takes it into debt, so it is never refused for
ever.

When a limit is set, every chat response carries OpenAI's
``x-ratelimit-{limit,remaining,reset}-{requests,tokens}`` headers (reset as
a Go duration: the time until the bucket is full again), which the harness
reads in :mod:`harness.rate_limits`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

Headers = tuple[tuple[str, str], ...]


def go_duration(seconds: float) -> str:
    """``0.35`` -> ``350ms``, ``1.5`` -> ``1.5s``: the form OpenAI's reset headers use."""
    if seconds < 1.0:
        return f"{math.ceil(seconds * 1000)}ms"
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


class TokenBucket:
    """A continuously refilling bucket; the caller passes the time."""

    __slots__ = ("capacity", "level", "limit", "rate", "updated")

    def __init__(self, per_minute: float, burst_s: float, now: float) -> None:
        self.limit = per_minute
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * burst_s)
        self.level = self.capacity
        self.updated = now

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = now

    def wait_s(self, cost: float) -> float:
        """Seconds until ``cost`` may be taken (0 = now); call after :meth:`refill`."""
        missing = min(cost, self.capacity) - self.level
        # The tolerance absorbs float noise in the refill, which could refuse
        # a request due now for a wait of femtoseconds.
        return missing / self.rate if missing > 1e-9 else 0.0

    def headers(self, family: str) -> Headers:
        full_in = (self.capacity - self.level) / self.rate
        return (
            (f"x-ratelimit-limit-{family}", str(math.floor(self.limit))),
            (f"x-ratelimit-remaining-{family}", str(max(0, math.floor(self.level)))),
            (f"x-ratelimit-reset-{family}", go_duration(full_in)),
        )


class ServerLimits:
    """The simulator's RPM and TPM limits; either may be off (0)."""

    def __init__(
        self,
        rpm: float,
        tpm: float,
        burst_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        now = clock()
        self._clock = clock
        self._requests = TokenBucket(rpm, burst_s, now) if rpm > 0 else None
        self._tokens = TokenBucket(tpm, burst_s, now) if tpm > 0 else None

    def admit(self, tokens: int) -> float:
        """Take one request of ``tokens``; 0.0 when admitted, else the seconds to wait."""
        now = self._clock()
        requests, budget = self._requests, self._tokens
        wait = 0.0
        if requests is not None:
            requests.refill(now)
            wait = requests.wait_s(1.0)
        if budget is not None:
            budget.refill(now)
            wait = max(wait, budget.wait_s(tokens))
        if wait > 0:
            return wait
        if requests is not None:
            requests.level -= 1.0
        if budget is not None:
            budget.level -= tokens
        return 0.0

    def headers(self) -> Headers:
        """The ``x-ratelimit-*`` headers as of the last :meth:`admit`."""
        found: Headers = ()
        if self._requests is not None:
            found += self._requests.headers("requests")
        if self._tokens is not None:
            found += self._tokens.headers("tokens")
        return found


def retry_headers(wait_s: float) -> Headers:
    """``Retry-After`` in whole seconds (rounded up, as the header allows no fraction)
    and the finer ``retry-after-ms`` that OpenAI's SDK prefers, rounded up too so
    that a client honouring either never comes back early."""
    # The nudge keeps float noise (0.1 * 1000 = 100.00000000000001) from adding a unit.
    return (
        ("Retry-After", str(math.ceil(wait_s - 1e-9))),
        ("retry-after-ms", str(math.ceil(wait_s * 1000 - 1e-6))),
    )
