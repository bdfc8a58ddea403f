"""Cost in reports: the summary's ``cost`` block, and the line that states currency and FX.

Money stays a decimal string from the records to summary.json; only the
human-facing reports round it (:func:`harness.report.formatting.format_money`).

Unknown is never zero. ``total`` and its parts are ``null`` when no attempt
was priced; when some were and others were not, they hold the priced part
and ``complete`` is false. The figures derived from the total (per 1,000
requests, per million tokens, per day, per month) are ``null`` unless every
attempt that carried usage was priced: a rate computed over part of the
traffic would read as the cost of all of it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from harness.metrics.metric_set import MetricSet
from harness.pricing.cost import plain_decimal
from harness.pricing.projection import project

THOUSAND = Decimal(1_000)
MILLION = Decimal(1_000_000)


def cost_block(metrics: MetricSet, window_s: float | None) -> dict[str, Any]:
    """The ``cost`` object of a metrics block; ``window_s`` is its throughput window."""
    sums = metrics.cost
    currency = sums.currency
    known = sums.priced_records > 0 and currency is not None
    complete = sums.unpriced_records == 0
    derived = known and complete
    tokens = metrics.input_tokens + metrics.output_tokens
    total = sums.total
    projected = (
        project(total, Decimal(str(window_s))) if derived and window_s and window_s > 0 else None
    )
    return {
        "currency": currency,
        "total": _money(total, known),
        **{name: _money(value, known) for name, value in sums.parts.items()},
        "priced_records": sums.priced_records,
        "unpriced_records": sums.unpriced_records,
        "complete": complete,
        "per_1k_requests": _ratio(total * THOUSAND, metrics.requests, derived),
        "per_million_tokens": _ratio(total * MILLION, tokens, derived),
        "per_workflow": _ratio(total, metrics.workflows, derived),
        "per_day": None if projected is None else plain_decimal(projected.per_day),
        "per_month": None if projected is None else plain_decimal(projected.per_month),
        "fallback_cost": _fallback_cost(metrics),
    }


def _fallback_cost(metrics: MetricSet) -> str | None:
    """What the attempts on fallback targets cost; None when none of them was priced."""
    sums = metrics.fallback_cost
    known = sums.priced_records > 0 and metrics.cost.currency is not None
    return _money(sums.total, known)


def currency_warnings(metrics: MetricSet) -> list[str]:
    """A warning when the records' costs came in several currencies (records of different runs)."""
    currencies = metrics.cost.currencies
    if len(currencies) < 2:
        return []
    return [
        f"record costs are in several currencies ({', '.join(sorted(currencies))}): "
        "cost figures are not shown; rebuild the report from records of one run"
    ]


def pricing_line(pricing: dict[str, Any] | None, currency: str | None) -> str:
    """Which currency the costs are in and which rates converted them, said explicitly.

    ``pricing`` is ``run.pricing`` (None when the report was rebuilt from
    records alone); ``currency`` the overall block's, as a fallback.
    """
    if pricing is None:
        seen = currency or "unknown"
        return f"currency: {seen} (as recorded; the FX rates used are not known to this report)"
    report = pricing["currency"]
    parts = [f"currency: {report}"]
    parts += [f"{code}\u2192{report} {rate}" for code, rate in pricing["fx"].items()]
    parts += [
        f"target {name} billed at {rate} {report} per unit of list-price currency"
        for name, rate in pricing["target_fx"].items()
    ]
    if len(parts) == 1:
        parts.append("no FX conversion")
    return "; ".join(parts)


def _money(value: Decimal, known: bool) -> str | None:
    return plain_decimal(value) if known else None


def _ratio(amount: Decimal, count: int, derived: bool) -> str | None:
    return plain_decimal(amount / count) if derived and count > 0 else None


def unpriced_models(summary: dict[str, Any]) -> list[str]:
    """The models some of whose attempts had usage but no price, for the reports' warnings."""
    return [name for name, block in summary["models"].items() if block["cost"]["unpriced_records"]]


def has_cost_data(block: dict[str, Any]) -> bool:
    """True when a metrics block has anything to say about cost: priced or unpriced attempts."""
    cost = block["cost"]
    return bool(cost["priced_records"] or cost["unpriced_records"])
