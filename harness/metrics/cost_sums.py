"""CostSums: the money a group of attempts cost, summed exactly.

Each record carries its cost as decimal strings in the report currency
(``RequestRecord.cost``). Sums are kept as ``Decimal`` and added in a
context wide enough never to round, so a sum over any number of records, on
any number of workers, merged in any order, equals the sum of the records'
own figures to the last digit.

A record that carries usage but no cost had no price (or no FX rate): it is
counted in ``unpriced_records`` and adds nothing, so a report can say its
cost is unknown instead of quietly calling it zero. A record without usage
(a refused connection, say) generated nothing to bill and is neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import MAX_PREC, Context, Decimal, InvalidOperation
from typing import Any

from harness.contracts import RequestRecord
from harness.pricing.cost import plain_decimal

#: The parts of a cost, as ``Cost.to_dict`` names them; ``total`` is summed on its own.
COST_PARTS: tuple[str, ...] = ("input", "cached_input", "cache_write", "output", "reasoning")
#: Addition in this context is exact whatever the digits: libmpdec sizes results by need.
_EXACT = Context(prec=MAX_PREC)
_ZERO = Decimal(0)
#: A record's cost read into numbers: (total, (part, value) of the parts not "0", currency).
ParsedCost = tuple[Decimal, list[tuple[str, Decimal]], str]


@dataclass(eq=False)
class CostSums:
    """Exact sums of the records' costs, with how many were priced and unpriced.

    ``total`` sums each record's own ``total`` (not the parts), so it
    reconciles with the records even when a price table's ``cost`` adds a
    charge outside the five parts. ``currencies`` holds every currency the
    costs came in: one per run, as the price book converts everything into
    the report currency; several only when records of different runs meet,
    and then the sums mix currencies and a report must not show them.
    """

    total: Decimal = _ZERO
    parts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(COST_PARTS, _ZERO))
    priced_records: int = 0
    unpriced_records: int = 0
    currencies: set[str] = field(default_factory=set)

    def add(self, record: RequestRecord) -> None:
        cost = None if record.cost is None else _read_cost(record.cost)
        if cost is None:
            if record.usage is not None:
                self.unpriced_records += 1
            return
        total, parts, currency = cost
        self.priced_records += 1
        self.total = _EXACT.add(self.total, total)
        sums = self.parts
        for name, value in parts:
            if value:  # a written zero ("0.00") adds nothing
                sums[name] = _EXACT.add(sums[name], value)
        self.currencies.add(currency)

    def merge(self, other: CostSums) -> None:
        self.priced_records += other.priced_records
        self.unpriced_records += other.unpriced_records
        self.total = _EXACT.add(self.total, other.total)
        for name in COST_PARTS:
            self.parts[name] = _EXACT.add(self.parts[name], other.parts[name])
        self.currencies |= other.currencies

    @property
    def currency(self) -> str | None:
        """The one currency of every priced record; None when none was priced or they differ."""
        return next(iter(self.currencies)) if len(self.currencies) == 1 else None

    def to_dict(self) -> dict[str, Any]:
        """Money as decimal strings: JSON numbers would be read back as floats."""
        return {
            "total": plain_decimal(self.total),
            "parts": {name: plain_decimal(self.parts[name]) for name in COST_PARTS},
            "priced_records": self.priced_records,
            "unpriced_records": self.unpriced_records,
            "currencies": sorted(self.currencies),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CostSums:
        return cls(
            total=Decimal(data["total"]),
            parts={name: Decimal(data["parts"][name]) for name in COST_PARTS},
            priced_records=int(data["priced_records"]),
            unpriced_records=int(data["unpriced_records"]),
            currencies=set(data["currencies"]),
        )


def _read_cost(cost: dict[str, str]) -> ParsedCost | None:
    """(total, parts, currency) of a record's cost; None when it has none or it is unreadable.

    A missing part is zero and a missing total the sum of the parts, so a
    cost written by a plugin that knows fewer parts still adds up. A
    hand-edited cost that is not a number, or names no currency, counts as
    unpriced rather than stopping the whole report.
    """
    if not cost.get("currency"):
        return None
    parts: list[tuple[str, Decimal]] = []
    try:
        for name in COST_PARTS:
            value = cost.get(name, "0")
            if value == "0":  # most parts of most costs: skip building a Decimal for them
                continue
            number = _decimal(value)
            if not number.is_finite():
                return None
            parts.append((name, number))
        total = _decimal(cost["total"]) if "total" in cost else _exact_sum(v for _, v in parts)
    except InvalidOperation:
        return None
    return (total, parts, str(cost["currency"]).upper()) if total.is_finite() else None


def _decimal(value: object) -> Decimal:
    # str() first: a number someone wrote as a JSON float keeps its written digits.
    return Decimal(value if isinstance(value, str) else str(value))


def _exact_sum(values: Iterable[Decimal]) -> Decimal:
    total = _ZERO
    for value in values:
        total = _EXACT.add(total, value)
    return total
