"""The built-in price table: list prices shipped as data in ``prices.toml``."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from harness import hookimpl
from harness.contracts import PriceTable
from harness.pricing.tables import TomlPriceTable

BUILT_IN_TABLE = "builtin"


@hookimpl
def harness_register_price_tables(register: Callable[[PriceTable], None]) -> None:
    data = Path(str(files("harness_plugins") / "prices.toml"))
    register(TomlPriceTable.from_toml(BUILT_IN_TABLE, data))
