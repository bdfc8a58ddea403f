"""Provider rate-limit headers, normalized to one RateLimitState.

OpenAI (and relays that copy it) send
``x-ratelimit-{limit,remaining,reset}-{requests,tokens}``, the reset as a Go
duration such as ``6m0s``, ``1s`` or ``20ms``. Anthropic sends
``anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}``,
the reset as an RFC 3339 timestamp. Either reset form is accepted under
either prefix, and a bare number is read as seconds.

Anthropic's ``tokens`` family is the most restrictive limit in effect; when
only its ``input-tokens`` and ``output-tokens`` families are present, the
tightest of those (least remaining) stands for tokens, with its own limit and
reset. The server's retry hint (``retry-after-ms``, ``retry-after``) is
parsed by :func:`harness.errors.retry_after_seconds` into ``ErrorInfo``.

Headers arrive from servers the harness does not control: a value that does
not parse is ignored, and nothing here raises.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

_PREFIXES: tuple[str, ...] = ("x-ratelimit-", "anthropic-ratelimit-")
_FIELDS: tuple[str, ...] = ("limit", "remaining", "reset")
# Anthropic's input/output families stand in for "tokens" only when the
# combined family is absent.
_FAMILIES: frozenset[str] = frozenset({"requests", "tokens", "input-tokens", "output-tokens"})
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)")
_DURATION_UNITS: dict[str, float] = {
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 1e-3,
    "us": 1e-6,
    "µs": 1e-6,
    "ns": 1e-9,
}
_FRACTION = re.compile(r"\.(\d+)")


@dataclass(frozen=True)
class RateLimitState:
    """What the server said about its limits in one response; None = not said."""

    limit_requests: int | None = None
    remaining_requests: int | None = None
    reset_requests_s: float | None = None
    limit_tokens: int | None = None
    remaining_tokens: int | None = None
    reset_tokens_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Family:
    limit: int | None
    remaining: int | None
    reset_s: float | None

    def is_empty(self) -> bool:
        return self.limit is None and self.remaining is None and self.reset_s is None


def parse_rate_limit_headers(
    headers: Mapping[str, str], now: float | None = None
) -> RateLimitState | None:
    """The rate-limit state in ``headers``, or None when they carry none.

    ``now`` (epoch seconds) turns a reset timestamp into seconds from now;
    it defaults to the current time.
    """
    raw = _collect(headers)
    if not raw:
        return None
    clock = time.time() if now is None else now
    families = {name: _family(values, clock) for name, values in raw.items()}
    requests = families.get("requests")
    tokens = families.get("tokens") or _tightest(
        [families[name] for name in ("input-tokens", "output-tokens") if name in families]
    )
    state = RateLimitState(
        limit_requests=requests.limit if requests else None,
        remaining_requests=requests.remaining if requests else None,
        reset_requests_s=requests.reset_s if requests else None,
        limit_tokens=tokens.limit if tokens else None,
        remaining_tokens=tokens.remaining if tokens else None,
        reset_tokens_s=tokens.reset_s if tokens else None,
    )
    return None if state == RateLimitState() else state


def rate_limit_record(headers: Mapping[str, str]) -> dict[str, Any] | None:
    """The ``RequestRecord.rate_limit`` value for a response's headers."""
    state = parse_rate_limit_headers(headers)
    return None if state is None else state.to_dict()


def _collect(headers: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """family -> {limit|remaining|reset: raw value}, from headers of either prefix."""
    raw: dict[str, dict[str, str]] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if not lowered.startswith(_PREFIXES):
            continue
        rest = lowered.partition("ratelimit-")[2]
        # OpenAI puts the field first (limit-requests), Anthropic last (requests-limit).
        for field in _FIELDS:
            if rest.startswith(field + "-"):
                family = rest[len(field) + 1 :]
            elif rest.endswith("-" + field):
                family = rest[: -len(field) - 1]
            else:
                continue
            if family in _FAMILIES:
                raw.setdefault(family, {})[field] = str(value)
            break
    return raw


def _family(values: Mapping[str, str], now: float) -> _Family | None:
    family = _Family(
        limit=_count(values.get("limit")),
        remaining=_count(values.get("remaining")),
        reset_s=_reset_seconds(values.get("reset"), now),
    )
    return None if family.is_empty() else family


def _tightest(families: list[_Family | None]) -> _Family | None:
    """The family with the least remaining; one that does not say ranks last."""
    known = [family for family in families if family is not None]
    if not known:
        return None
    return min(known, key=lambda f: math.inf if f.remaining is None else f.remaining)


def _count(value: str | None) -> int | None:
    """A non-negative whole number of requests or tokens ("59", "59.0"), else None."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number >= 0 else None


def _reset_seconds(value: str | None, now: float) -> float | None:
    """Seconds until the limit resets: a Go duration, bare seconds or an RFC 3339 time."""
    if value is None:
        return None
    text = value.strip()
    seconds = _duration_seconds(text)
    if seconds is None:
        seconds = _bare_seconds(text)
    if seconds is None:
        moment = _rfc3339_epoch(text)
        seconds = None if moment is None else max(0.0, moment - now)
    return seconds


def _duration_seconds(text: str) -> float | None:
    """Go's time.Duration text: "6m0s", "1.5s", "250ms", "1h2m3.5s"."""
    parts = list(_DURATION_PART.finditer(text))
    if not parts or "".join(part.group(0) for part in parts) != text:
        return None
    return sum(float(part.group(1)) * _DURATION_UNITS[part.group(2)] for part in parts)


def _bare_seconds(text: str) -> float | None:
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _rfc3339_epoch(text: str) -> float | None:
    """An RFC 3339 timestamp as epoch seconds; a time without an offset is UTC."""
    # datetime.fromisoformat on Python 3.10 takes neither "Z" nor a fraction
    # that is not 3 or 6 digits long; both are valid RFC 3339.
    normalized = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    normalized = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], normalized, count=1)
    try:
        moment = datetime.fromisoformat(normalized.replace(" ", "T", 1))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.timestamp()
    except (ValueError, OverflowError):
        return None
