"""Put a run's PriceBook together: the user's prices first, plugin tables after, built-ins last."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from harness.config import PricingConfig
from harness.contracts import PriceTable
from harness.plugins import PluginHost
from harness.pricing.litellm_map import litellm_price_table
from harness.pricing.price_book import PriceBook
from harness.pricing.tables import TomlPriceTable


def user_price_table(path: Path) -> PriceTable:
    """``--prices FILE``: a TOML price table, or a LiteLLM price map (``.json``)."""
    if path.suffix == ".json":
        return litellm_price_table(path)
    return TomlPriceTable.from_toml(f"file:{path.name}", path)


def build_price_book(
    plugins: PluginHost,
    pricing: PricingConfig,
    price_files: Sequence[Path] = (),
    target_fx: Mapping[str, Decimal] | None = None,
    config_path: Path | None = None,
) -> PriceBook:
    tables: list[PriceTable] = [user_price_table(path) for path in price_files]
    if pricing.models:
        where = f"{config_path or 'harness.toml'}: [[pricing.models]]"
        tables.append(TomlPriceTable.from_entries("harness.toml", list(pricing.models), where))
    if pricing.litellm is not None:
        tables.append(litellm_price_table(pricing.litellm))
    # Plugins register after the built-ins, so the reverse puts theirs first.
    tables += reversed(list(plugins.price_tables.items().values()))
    return PriceBook(tables, pricing.currency, pricing.fx, target_fx)
