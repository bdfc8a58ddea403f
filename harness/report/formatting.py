"""How numbers read in human-facing reports; shared so the terminal and HTML agree."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

#: Shown where a value does not exist (no successful request, empty window).
MISSING = "-"
#: Shown where a cost exists but is not known (a model without a price): never 0.
UNKNOWN = "unknown"
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


def format_counts(counts: dict[str, int], empty: str = MISSING) -> str:
    """Counts by name, in name order: ``gpt-sim 12, relay 3``; ``empty`` when there are none."""
    if not counts:
        return empty
    return ", ".join(f"{name} {format_count(count)}" for name, count in sorted(counts.items()))


def format_percent(fraction: float | None) -> str:
    return MISSING if fraction is None else f"{fraction * 100:.2f}%"


def format_signed_percent(percent: float | None) -> str:
    """A value already in percent, with its sign: ``+10.0%``, ``-2.5%``."""
    return MISSING if percent is None else f"{percent:+.1f}%"


def format_money(value: str | None) -> str:
    """A decimal string of money, rounded for reading: cents from 1 up, else 3 significant digits.

    One request costs a fraction of a cent, so small amounts keep their
    leading digits instead of rounding to 0.00; summary.json keeps them all.
    """
    if value is None:
        return MISSING
    amount = Decimal(value)
    if not amount:
        return "0"
    if abs(amount) >= 1:
        return f"{amount:,.2f}"
    return f"{amount:.{2 - amount.adjusted()}f}"


def format_cost(value: str | None, unpriced_records: int) -> str:
    """Money that may be partly or wholly unknown, saying so rather than showing 0.

    ``None`` with unpriced attempts is "unknown", without them "-" (nothing
    to price); a known part of a cost that is partly unknown reads "X + unknown".
    """
    if value is None:
        return UNKNOWN if unpriced_records else MISSING
    money = format_money(value)
    return f"{money} + {UNKNOWN}" if unpriced_records else money


def usage_diff_stands_out(percent: float | None) -> bool:
    """True when reported usage is further from the estimate than the tolerance."""
    return percent is not None and abs(percent) > USAGE_DIFF_TOLERANCE_PCT


def format_epoch(seconds: float | None) -> str:
    """Epoch seconds as a UTC timestamp, readable wherever the report is opened."""
    if seconds is None:
        return MISSING
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
