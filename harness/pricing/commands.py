"""``harness pricing list`` and ``harness pricing estimate``."""

from __future__ import annotations

from decimal import Decimal

from harness.contracts import Price, Usage
from harness.errors import HarnessConfigError
from harness.pricing.cost import request_cost
from harness.pricing.price_book import PriceBook
from harness.pricing.projection import project


def _rate(value: Decimal | None) -> str:
    if value is None:
        return "-"
    # Prices read best with cents, and every digit beyond them kept.
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else format(value, "f")


def price_rows(book: PriceBook, provider: str | None) -> list[list[str]]:
    rows = []
    for table in book.tables:
        entries = getattr(table, "entries", {})
        for (owner, model), price in sorted(entries.items()):
            if provider is not None and owner not in (provider, "*"):
                continue
            rows.append(
                [
                    owner,
                    model,
                    _rate(price.input),
                    _rate(price.cached_input),
                    _rate(price.cache_write),
                    _rate(price.output),
                    price.currency,
                    price.as_of or "-",
                    table.name,
                ]
            )
    return rows


def format_price_list(book: PriceBook, provider: str | None) -> str:
    header = [
        "provider",
        "model",
        "input",
        "cached",
        "cache write",
        "output",
        "cur",
        "as of",
        "table",
    ]
    rows = price_rows(book, provider)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join([*lines, "", "prices per million tokens"]) + "\n"


def format_estimate(
    book: PriceBook,
    provider: str,
    model: str,
    usage: Usage,
    requests: int,
    requests_per_s: float | None,
) -> str:
    found = book.lookup(provider, model)
    if found is None:
        raise HarnessConfigError(
            f"no price for model {model!r} (provider {provider!r}); "
            "see `harness pricing list` or add it with --prices FILE"
        )
    price: Price = found[0]
    cost = book.cost(provider, model, usage, target="")
    assert cost is not None
    one = cost.total
    lines = [
        f"{provider}/{model}: {price.source or 'no source'} (as of {price.as_of or '?'})",
        f"per request:        {_money(one, book.currency)}",
        f"per 1,000 requests: {_money(one * 1000, book.currency)}",
        f"{requests:,} requests:  {_money(one * requests, book.currency)}",
    ]
    if requests_per_s is not None:
        projected = project(one * Decimal(str(requests_per_s)), Decimal(1))
        lines += [
            f"at {requests_per_s:g} req/s: {_money(projected.per_day, book.currency)} per day, "
            f"{_money(projected.per_month, book.currency)} per month",
        ]
    breakdown = request_cost(usage, price)
    lines.append(
        "breakdown per request (list currency): "
        + ", ".join(f"{k} {v}" for k, v in breakdown.to_dict().items() if k != "currency")
    )
    return "\n".join(lines) + "\n"


def _money(value: Decimal, currency: str) -> str:
    return f"{value:,.6f} {currency}"
