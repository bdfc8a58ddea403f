"""Retry/backoff policies: AWS's formulas, the SDKs' defaults, server hints honoured.

``expo(n) = min(cap, base * 2**n)`` for the n-th retry (n from 0):

- ``fixed``: ``base`` every time;
- ``exponential``: ``expo(n)``;
- ``full-jitter``: ``uniform(0, expo(n))``;
- ``equal-jitter``: ``expo(n) / 2 + uniform(0, expo(n) / 2)``;
- ``decorrelated-jitter``: ``min(cap, uniform(base, previous * 3))``;
- ``none``: never retry.

A server hint (``ErrorInfo.retry_after_s``, from ``retry-after-ms``,
``retry-after`` or Gemini's ``retryDelay``) replaces the computed delay when it
is at most ``hint_cap``, as the OpenAI and Anthropic SDKs do; a longer hint is
ignored in favour of the computed delay. Only the kinds in ``retry_kinds`` are
retried: never auth, permission, not_found, bad_request, context_length or
quota by default.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.contracts import ErrorInfo

DEFAULT_RETRY_KINDS: frozenset[str] = frozenset(
    {"rate_limited", "overloaded", "server", "timeout", "connection", "stream_broken"}
)
NEVER_RETRY_KINDS: frozenset[str] = frozenset(
    {"auth", "permission", "not_found", "bad_request", "context_length", "quota"}
)


@dataclass(frozen=True)
class RetrySettings:
    """What users tune with ``--retry-*`` (or ``[retry]`` in harness.toml)."""

    max_attempts: int = 3
    base: float = 0.5
    cap: float = 8.0
    hint_cap: float = 60.0
    retry_kinds: frozenset[str] = DEFAULT_RETRY_KINDS

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base < 0 or self.cap < 0 or self.hint_cap < 0:
            raise ValueError("base, cap and hint_cap must not be negative")
        unsafe = sorted(self.retry_kinds & NEVER_RETRY_KINDS)
        if unsafe:
            raise ValueError(f"kinds that a retry can never fix: {', '.join(unsafe)}")


Formula = Callable[[int, float | None, RetrySettings, random.Random], float]


def _expo(retry: int, settings: RetrySettings) -> float:
    return min(settings.cap, settings.base * 2.0**retry)


FORMULAS: dict[str, Formula] = {
    "fixed": lambda n, prev, s, rng: min(s.cap, s.base),
    "exponential": lambda n, prev, s, rng: _expo(n, s),
    "full-jitter": lambda n, prev, s, rng: rng.uniform(0.0, _expo(n, s)),
    "equal-jitter": lambda n, prev, s, rng: _expo(n, s) / 2 + rng.uniform(0.0, _expo(n, s) / 2),
    "decorrelated-jitter": lambda n, prev, s, rng: min(
        s.cap, rng.uniform(s.base, max(s.base, (prev or s.base) * 3))
    ),
}


@dataclass
class BackoffPolicy:
    """One of the formulas above with its settings; shared by every user, so stateless."""

    name: str
    settings: RetrySettings = field(default_factory=RetrySettings)
    seed: int | None = None
    _random: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.name != "none" and self.name not in FORMULAS:
            raise ValueError(f"unknown backoff formula {self.name!r}")
        if self.seed is not None:
            self._random.seed(self.seed)

    def configure(self, settings: RetrySettings, seed: int | None = None) -> BackoffPolicy:
        return dataclasses.replace(self, settings=settings, seed=seed, _random=random.Random())

    def delay(
        self, attempt: int, error: ErrorInfo, previous_delay: float | None = None
    ) -> float | None:
        """Seconds before attempt ``attempt + 1``, or ``None`` to give up."""
        settings = self.settings
        if self.name == "none" or attempt >= settings.max_attempts:
            return None
        if error.kind not in settings.retry_kinds:
            return None
        hint = error.retry_after_s
        if hint is not None and hint <= settings.hint_cap:
            return hint
        return FORMULAS[self.name](attempt - 1, previous_delay, settings, self._random)


BUILT_IN_NAMES = ("none", *FORMULAS)
