"""Price tables from TOML data: the built-in table, user overrides, files given with --prices.

An entry is a table of ``[[models]]``::

    [[models]]
    provider = "openai"        # the adapter name, or "*" for any provider
    model = "gpt-4.1"          # dated names (gpt-4.1-2025-04-14) match it too
    input = "2.00"             # per million tokens; strings keep exact decimals
    cached_input = "0.50"
    output = "8.00"
    currency = "USD"           # optional, USD by default
    as_of = "2025-10-01"
    source = "https://..."

plus the optional ``cache_write``, ``reasoning``, ``batch_discount``,
``long_context_threshold`` and ``long_context = { input = ..., ... }``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from harness.contracts import Price
from harness.errors import HarnessConfigError
from harness.toml_file import read_toml

_RATES = ("input", "output", "cached_input", "cache_write", "reasoning")
_KEYS = {
    *_RATES,
    "provider",
    "model",
    "currency",
    "as_of",
    "source",
    "batch_discount",
    "long_context_threshold",
    "long_context",
}
_DATED = re.compile(r"(-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8})$")


def canonical_model(model: str) -> str:
    """``models/gemini-2.5-flash`` -> ``gemini-2.5-flash``; dated snapshots -> their family."""
    name = model.strip().lower().removeprefix("models/")
    return _DATED.sub("", name)


def _decimal(value: Any, where: str, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise HarnessConfigError(f"{where}: {key!r} must be a number, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise HarnessConfigError(f"{where}: {key!r} must be a number, got {value!r}") from None
    if number < 0 or not number.is_finite():
        raise HarnessConfigError(f"{where}: {key!r} must be a non-negative number, got {value!r}")
    return number


def _rates(entry: dict[str, Any], where: str, base: Price | None) -> dict[str, Decimal | None]:
    rates: dict[str, Decimal | None] = {}
    for key in _RATES:
        if key in entry:
            rates[key] = _decimal(entry[key], where, key)
        elif key in ("input", "output") and base is None:
            raise HarnessConfigError(f"{where}: missing {key!r} (price per million tokens)")
        else:
            rates[key] = getattr(base, key) if base is not None else None
    return rates


def parse_price(entry: dict[str, Any], where: str) -> Price:
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise HarnessConfigError(
            f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(_KEYS))}"
        )
    rates = _rates(entry, where, None)
    currency = str(entry.get("currency", "USD")).upper()
    long_context = None
    if "long_context" in entry:
        if not isinstance(entry["long_context"], dict):
            raise HarnessConfigError(f"{where}: 'long_context' must be a table of rates")
        if "long_context_threshold" not in entry:
            raise HarnessConfigError(f"{where}: 'long_context' needs 'long_context_threshold'")
        base = Price(rates["input"] or Decimal(0), rates["output"] or Decimal(0), currency=currency)
        tier = _rates(entry["long_context"], f"{where} long_context", base)
        long_context = Price(currency=currency, **tier)  # type: ignore[arg-type]
    threshold = entry.get("long_context_threshold")
    if threshold is not None and (not isinstance(threshold, int) or threshold <= 0):
        raise HarnessConfigError(f"{where}: 'long_context_threshold' must be a positive integer")
    discount = entry.get("batch_discount")
    return Price(
        currency=currency,
        as_of=str(entry.get("as_of", "")),
        source=str(entry.get("source", "")),
        long_context_threshold=threshold,
        long_context=long_context,
        batch_discount=None if discount is None else _decimal(discount, where, "batch_discount"),
        **rates,  # type: ignore[arg-type]
    )


class TomlPriceTable:
    """Prices by (provider, model); ``provider = "*"`` entries match any provider."""

    def __init__(self, name: str, entries: dict[tuple[str, str], Price]) -> None:
        self.name = name
        self.entries = entries
        self._by_model: dict[str, Price] = {}
        for (_, model), price in sorted(entries.items()):
            self._by_model.setdefault(model, price)

    def price(self, provider: str, model: str) -> Price | None:
        """``provider="*"`` asks for the model whatever its provider (``harness pricing``)."""
        key = canonical_model(model)
        if provider == "*":
            return self._by_model.get(key)
        return self.entries.get((provider, key)) or self.entries.get(("*", key))

    @classmethod
    def from_toml(cls, name: str, path: Path) -> TomlPriceTable:
        data = read_toml(path, "price table")
        return cls.from_entries(name, data.get("models", []), str(path))

    @classmethod
    def from_entries(cls, name: str, models: Any, where: str) -> TomlPriceTable:
        if not isinstance(models, list):
            raise HarnessConfigError(f"{where}: 'models' must be an array of [[models]] tables")
        entries: dict[tuple[str, str], Price] = {}
        for index, entry in enumerate(models, 1):
            at = f"{where}: models #{index}"
            if not isinstance(entry, dict) or not entry.get("model") or not entry.get("provider"):
                raise HarnessConfigError(f"{at}: needs 'provider' and 'model'")
            at = f"{at} ({entry['provider']}/{entry['model']})"
            key = (str(entry["provider"]), canonical_model(str(entry["model"])))
            entries[key] = parse_price(entry, at)
        return cls(name, entries)
