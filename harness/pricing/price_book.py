"""Which price applies to a record, and its cost in the report currency.

Tables are asked in order: the user's own prices (``--prices``, ``[pricing]``)
before plugin tables, plugin tables before the built-in list. A table that
defines ``cost(usage, price)`` computes its own cost (per-request fees,
credits); the others use :func:`harness.pricing.cost.request_cost`.

Costs are converted into the report currency with ``fx`` (report-currency
units per unit of another currency), or with a target's own ``fx_rate`` —
a relay that bills ¥1 per $1 of list price has ``fx_rate = 1`` while the
market rate stays 7.3. An unknown model is never a silent zero: its cost is
``None`` and :attr:`PriceBook.unknown` names it for the report's warnings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from harness.contracts import Price, PriceTable, RequestRecord, Usage
from harness.pricing.cost import Cost, plain_decimal, request_cost

#: How many distinct priced token counts price_record keeps; the lot is dropped when full.
RECORD_COSTS_KEPT = 4096


class PriceBook:
    def __init__(
        self,
        tables: Sequence[PriceTable],
        currency: str = "USD",
        fx: Mapping[str, Decimal] | None = None,
        target_fx: Mapping[str, Decimal] | None = None,
    ) -> None:
        self.tables = list(tables)
        self.currency = currency.upper()
        self.fx = {code.upper(): rate for code, rate in (fx or {}).items()}
        self.target_fx = dict(target_fx or {})
        self.unknown: dict[tuple[str, str], str] = {}
        self._found: dict[tuple[str, str], tuple[Price, PriceTable] | None] = {}
        self._record_costs: dict[tuple[str | int, ...], dict[str, str]] = {}

    def lookup(self, provider: str, model: str) -> tuple[Price, PriceTable] | None:
        key = (provider, model)
        if key not in self._found:
            self._found[key] = next(
                (
                    (price, table)
                    for table in self.tables
                    if (price := table.price(provider, model)) is not None
                ),
                None,
            )
        return self._found[key]

    def cost(self, provider: str, model: str, usage: Usage, target: str) -> Cost | None:
        """The cost in the report currency, or ``None`` (remembered in ``unknown``)."""
        found = self.lookup(provider, model)
        if found is None:
            self.unknown[(provider, model)] = (
                f"no price for model {model!r} (provider {provider!r}): cost shown as unknown; "
                "add it with [[pricing.models]] in harness.toml or --prices FILE"
            )
            return None
        price, table = found
        computed = getattr(table, "cost", None)
        cost: Cost = computed(usage, price) if computed is not None else request_cost(usage, price)
        rate = self.rate(cost.currency, target)
        if rate is None:
            self.unknown[(provider, model)] = (
                f"no FX rate from {cost.currency} to {self.currency} for model {model!r}: "
                f"set [pricing] fx = {{ {cost.currency} = ... }}"
            )
            return None
        return (
            cost
            if rate == 1 and cost.currency == self.currency
            else cost.scaled(rate, self.currency)
        )

    def rate(self, currency: str, target: str) -> Decimal | None:
        if target in self.target_fx:
            return self.target_fx[target]
        if currency == self.currency:
            return Decimal(1)
        return self.fx.get(currency)

    def describe(self) -> dict[str, Any]:
        """The report currency and FX rates as JSON types (``RunInfo.pricing``).

        Rates are decimal strings, so the report states them with every digit.
        """
        return {
            "currency": self.currency,
            "fx": {code: plain_decimal(rate) for code, rate in sorted(self.fx.items())},
            "target_fx": {
                name: plain_decimal(rate) for name, rate in sorted(self.target_fx.items())
            },
        }

    def price_record(self, record: RequestRecord) -> None:
        """Set ``record.cost`` from its usage; estimated usage is priced too, and says so.

        Runs for every attempt, and a load test repeats the same token counts
        over and over: the decimal strings of a (provider, model, target,
        token counts) priced by the standard rule are kept (up to
        :data:`RECORD_COSTS_KEPT` of them) and copied into the next record
        that has them. A table's own ``cost`` function is always called.
        """
        usage = record.usage
        if usage is None:
            return
        key = (
            record.provider,
            record.model,
            record.target,
            usage.input_tokens,
            usage.output_tokens,
            usage.cached_input_tokens,
            usage.cache_write_tokens,
            usage.reasoning_tokens,
        )
        kept = self._record_costs.get(key)
        if kept is not None:
            record.cost = dict(kept)
            return
        cost = self.cost(record.provider, record.model, usage, record.target)
        record.cost = None if cost is None else cost.to_dict()
        found = self._found.get((record.provider, record.model))
        if record.cost is not None and found is not None and not hasattr(found[1], "cost"):
            if len(self._record_costs) >= RECORD_COSTS_KEPT:
                self._record_costs.clear()
            self._record_costs[key] = dict(record.cost)
