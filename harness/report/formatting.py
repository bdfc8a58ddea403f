"""How numbers read in human-facing reports; shared so the terminal and HTML agree."""

from __future__ import annotations

from datetime import datetime, timezone

#: Shown where a value does not exist (no successful request, empty window).
MISSING = "-"
#: A usage diff beyond this many percent (either way) is flagged. Against the
#: simulator the estimate is exact, so any flag is a miscount; against real
#: models the estimate has its own offset (see harness.token_estimate), and the
#: flag is a prompt to compare targets that serve the same model.
USAGE_DIFF_TOLERANCE_PCT = 5.0


def format_ms(seconds: float | None) -> str:
    """Seconds as milliseconds: two decimals below 10 ms, where ITL lives, else one."""
    if seconds is None:
        return MISSING
    millis = seconds * 1000.0
    return f"{millis:.2f}" if millis < 10 else f"{millis:.1f}"


def format_rate(value: float | None) -> str:
    """A per-second rate (tokens/s, requests/s)."""
    return MISSING if value is None else f"{value:.1f}"


def format_ratio(value: float | None) -> str:
    """A multiplier such as retry amplification: ``1.25x``."""
    return MISSING if value is None else f"{value:.2f}x"


def format_count(value: int | None) -> str:
    return MISSING if value is None else f"{value:,}"


def format_percent(fraction: float | None) -> str:
    return MISSING if fraction is None else f"{fraction * 100:.2f}%"


def format_signed_percent(percent: float | None) -> str:
    """A value already in percent, with its sign: ``+10.0%``, ``-2.5%``."""
    return MISSING if percent is None else f"{percent:+.1f}%"


def usage_diff_stands_out(percent: float | None) -> bool:
    """True when reported usage is further from the estimate than the tolerance."""
    return percent is not None and abs(percent) > USAGE_DIFF_TOLERANCE_PCT


def format_epoch(seconds: float | None) -> str:
    """Epoch seconds as a UTC timestamp, readable wherever the report is opened."""
    if seconds is None:
        return MISSING
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
