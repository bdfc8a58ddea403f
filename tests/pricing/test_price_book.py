from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import orjson
import pytest

from harness.config import PricingConfig
from harness.contracts import Price, RequestRecord, Usage
from harness.errors import HarnessConfigError
from harness.plugins import PluginHost, PluginSettings
from harness.pricing.assembly import build_price_book
from harness.pricing.litellm_map import litellm_price_table
from harness.pricing.price_book import PriceBook
from harness.pricing.tables import TomlPriceTable, canonical_model

PLUGINS = PluginHost(PluginSettings())
USAGE = Usage(input_tokens=1_000_000, output_tokens=1_000_000)


def record(model: str, provider: str = "openai", target: str = "t") -> RequestRecord:
    return RequestRecord("r", 1, 0.0, target, provider, model, True, True, usage=USAGE)


def test_builtin_prices_match_the_brief() -> None:
    book = build_price_book(PLUGINS, PricingConfig())
    outputs = {
        ("openai", "gpt-4.1"): D("8.00"),
        ("anthropic", "claude-sonnet-4-5-20250929"): D("15.00"),
        ("gemini", "gemini-2.5-flash"): D("2.50"),
        ("deepseek", "deepseek-chat"): D("0.42"),
    }
    for (provider, model), output in outputs.items():
        found = book.lookup(provider, model)
        assert found is not None, model
        price, table = found
        assert price.output == output and price.as_of and price.source and table.name == "builtin"


def test_unknown_model_is_unknown_and_says_how_to_add_it() -> None:
    book = build_price_book(PLUGINS, PricingConfig())
    unpriced = record("my-finetune")
    book.price_record(unpriced)
    assert unpriced.cost is None
    (warning,) = book.unknown.values()
    assert "my-finetune" in warning and "--prices" in warning and "[[pricing.models]]" in warning


def test_report_currency_fx_and_a_relays_own_rate() -> None:
    config = PricingConfig(currency="CNY", fx={"USD": D("7.3")})
    book = build_price_book(PLUGINS, config, target_fx={"relay": D("1")})
    market = record("gpt-4.1", target="direct")
    relay = record("gpt-4.1", target="relay")
    book.price_record(market)
    book.price_record(relay)
    assert market.cost is not None and relay.cost is not None
    assert market.cost["currency"] == relay.cost["currency"] == "CNY"
    assert D(market.cost["total"]) == (D("2") + D("8")) * D("7.3")
    assert D(relay.cost["total"]) == D("10")


def test_missing_fx_rate_is_unknown_not_zero() -> None:
    book = build_price_book(PLUGINS, PricingConfig(currency="EUR"))
    priced = record("gpt-4.1")
    book.price_record(priced)
    assert priced.cost is None and "no FX rate from USD to EUR" in " ".join(book.unknown.values())


def test_user_prices_come_before_the_builtins(tmp_path: Path) -> None:
    override = tmp_path / "prices.toml"
    override.write_text(
        '[[models]]\nprovider = "openai"\nmodel = "gpt-4.1"\ninput = 1\noutput = 2\n'
    )
    book = build_price_book(PLUGINS, PricingConfig(), [override])
    found = book.lookup("openai", "gpt-4.1")
    assert found is not None and found[0].output == D("2") and found[1].name == "file:prices.toml"


def test_a_table_may_compute_its_own_cost() -> None:
    class PerRequestFee(TomlPriceTable):
        def cost(self, usage, price):  # type: ignore[no-untyped-def]
            from harness.pricing.cost import Cost

            return Cost(D("0.01"), D(0), D(0), D(0), D(0), "USD")

    table = PerRequestFee("fees", {("openai", "m"): Price(input=D(0), output=D(0))})
    priced = record("m")
    PriceBook([table]).price_record(priced)
    assert priced.cost is not None and priced.cost["total"] == "0.01"


def test_repeated_token_counts_reuse_the_cost_but_never_share_the_dict() -> None:
    book = build_price_book(PLUGINS, PricingConfig())
    first, again, other_target = record("gpt-4.1"), record("gpt-4.1"), record("gpt-4.1", target="x")
    for priced in (first, again, other_target):
        book.price_record(priced)
    assert first.cost == again.cost == other_target.cost and first.cost is not None
    assert first.cost is not again.cost
    fewer = RequestRecord(
        "r", 1, 0.0, "t", "openai", "gpt-4.1", True, True, usage=Usage(input_tokens=1)
    )
    book.price_record(fewer)
    assert fewer.cost is not None and D(fewer.cost["total"]) == D("0.000002")


def test_a_tables_own_cost_is_asked_for_every_record() -> None:
    calls: list[Usage] = []

    class Counting(TomlPriceTable):
        def cost(self, usage, price):  # type: ignore[no-untyped-def]
            from harness.pricing.cost import Cost

            calls.append(usage)
            return Cost(D(len(calls)), D(0), D(0), D(0), D(0), "USD")

    book = PriceBook([Counting("fees", {("openai", "m"): Price(input=D(0), output=D(0))})])
    totals = []
    for _ in range(2):
        priced = record("m")
        book.price_record(priced)
        assert priced.cost is not None
        totals.append(priced.cost["total"])
    assert totals == ["1", "2"]


def test_litellm_map_import(tmp_path: Path) -> None:
    path = tmp_path / "model_prices_and_context_window.json"
    path.write_text(
        orjson.dumps(
            {
                "gpt-x": {
                    "litellm_provider": "openai",
                    "input_cost_per_token": 2e-06,
                    "output_cost_per_token": 8e-06,
                    "cache_read_input_token_cost": 5e-07,
                },
                "gemini/gem-long": {
                    "litellm_provider": "gemini",
                    "input_cost_per_token": 1.25e-06,
                    "output_cost_per_token": 1e-05,
                    "input_cost_per_token_above_200k_tokens": 2.5e-06,
                    "output_cost_per_token_above_200k_tokens": 1.5e-05,
                },
                "sample_spec": {"max_tokens": 1},
            }
        ).decode()
    )
    table = litellm_price_table(path)
    gpt = table.price("openai", "gpt-x")
    assert gpt is not None and (gpt.input, gpt.output, gpt.cached_input) == (
        D("2"),
        D("8"),
        D("0.5"),
    )
    gem = table.price("gemini", "gem-long")
    assert gem is not None and gem.long_context is not None
    assert (gem.long_context_threshold, gem.long_context.output) == (200_000, D("15"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[models]]\nprovider="x"\nmodel="m"\noutput=1\n', r"models #1 \(x/m\): missing 'input'"),
        ('[[models]]\nprovider="x"\nmodel="m"\ninput="a"\noutput=1\n', r"'input' must be a number"),
        (
            '[[models]]\nprovider="x"\nmodel="m"\ninput=1\noutput=1\nsurge=2\n',
            r"unknown key 'surge'",
        ),
        ('[[models]]\nmodel="m"\n', r"needs 'provider' and 'model'"),
    ],
)
def test_price_table_errors_name_the_entry(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(HarnessConfigError, match=message):
        TomlPriceTable.from_toml("bad", path)


def test_canonical_model_names() -> None:
    assert canonical_model("gpt-4.1-2025-04-14") == "gpt-4.1"
    assert canonical_model("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    assert canonical_model("models/gemini-2.5-flash") == "gemini-2.5-flash"
