"""How numbers read in human-facing reports; shared so the terminal and HTML agree."""

from __future__ import annotations

from datetime import datetime, timezone

#: Shown where a value does not exist (no successful request, empty window).
MISSING = "-"


def format_ms(seconds: float | None) -> str:
    """Seconds as milliseconds: two decimals below 10 ms, where ITL lives, else one."""
    if seconds is None:
        return MISSING
    millis = seconds * 1000.0
    return f"{millis:.2f}" if millis < 10 else f"{millis:.1f}"


def format_rate(value: float | None) -> str:
    """A per-second rate (tokens/s, requests/s)."""
    return MISSING if value is None else f"{value:.1f}"


def format_count(value: int | None) -> str:
    return MISSING if value is None else f"{value:,}"


def format_percent(fraction: float | None) -> str:
    return MISSING if fraction is None else f"{fraction * 100:.2f}%"


def format_epoch(seconds: float | None) -> str:
    """Epoch seconds as a UTC timestamp, readable wherever the report is opened."""
    if seconds is None:
        return MISSING
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
