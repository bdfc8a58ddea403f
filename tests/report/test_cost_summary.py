"""The summary's cost blocks: exact totals, rates, projections, and unknown kept unknown."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import orjson

from harness.metrics.aggregate import RunAggregate
from harness.pricing.price_book import PriceBook
from harness.report.costs import pricing_line
from harness.report.summary import build_summary

COST_KEYS = {
    "currency",
    "total",
    "input",
    "cached_input",
    "cache_write",
    "output",
    "reasoning",
    "priced_records",
    "unpriced_records",
    "complete",
    "per_1k_requests",
    "per_million_tokens",
    "per_workflow",
    "per_day",
    "per_month",
    "fallback_cost",
}


def record_total(records, **match: str) -> Decimal:
    """The Decimal sum of the per-record ``cost.total`` of the matching records."""
    return sum(
        (
            Decimal(r.cost["total"])
            for r in records
            if r.cost is not None and all(getattr(r, k) == v for k, v in match.items())
        ),
        Decimal(0),
    )


def test_totals_reconcile_with_the_records_in_every_block(cost_summary, cost_records):
    assert set(cost_summary["overall"]["cost"]) == COST_KEYS
    overall = cost_summary["overall"]["cost"]
    assert Decimal(overall["total"]) == record_total(cost_records) == Decimal("0.0177622")
    for name, block in cost_summary["targets"].items():
        if block["cost"]["total"] is not None:
            assert Decimal(block["cost"]["total"]) == record_total(cost_records, target=name)
    models = cost_summary["models"]
    assert Decimal(models["sim-gpt"]["cost"]["total"]) == record_total(
        cost_records, model="sim-gpt"
    )
    parts = ("input", "cached_input", "cache_write", "output", "reasoning")
    assert sum(Decimal(overall[part]) for part in parts) == Decimal(overall["total"])


def test_money_is_an_exact_decimal_string(cost_summary):
    gpt = cost_summary["targets"]["gpt"]["cost"]
    assert gpt["total"] == "0.0161622"
    assert (gpt["input"], gpt["cached_input"], gpt["output"]) == (
        "0.01168",
        "0.000511",
        "0.0039712",
    )
    assert (gpt["cache_write"], gpt["reasoning"]) == ("0", "0")
    assert gpt["currency"] == "CNY"
    assert orjson.loads(orjson.dumps(cost_summary)) == cost_summary


def test_rates_and_projection_of_a_fully_priced_target(cost_summary):
    gpt = cost_summary["targets"]["gpt"]
    cost = gpt["cost"]
    assert gpt["throughput"]["window_s"] == 4.0
    assert (cost["priced_records"], cost["unpriced_records"], cost["complete"]) == (3, 0, True)
    # 0.0161622 over 3 attempts, 5,040 tokens (4,700 in, 340 out) and 4 seconds.
    assert cost["per_1k_requests"] == "5.3874"
    assert Decimal(cost["per_million_tokens"]) == Decimal("16162.2") / 5040
    assert cost["per_day"] == "349.10352"  # x 86,400 / 4
    assert cost["per_month"] == "10618.5654"  # x 730 x 3,600 / 4
    assert Decimal(cost["per_month"]) / Decimal(cost["per_day"]) == Decimal(730) / 24


def test_a_relay_billing_one_yuan_per_dollar(cost_summary):
    relay = cost_summary["targets"]["relay"]["cost"]
    # $0.0016 of list price at 1 CNY per USD, where the market rate would make it 0.01168.
    assert relay["total"] == "0.0016"
    assert relay["per_day"] == "138.24"  # over a 1 s window


def test_an_unpriced_target_is_unknown_not_zero(cost_summary):
    mystery = cost_summary["targets"]["mystery"]["cost"]
    assert mystery["priced_records"] == 0
    # Two attempts reported usage; the refused connection had none to price.
    assert mystery["unpriced_records"] == 2
    assert mystery["complete"] is False
    assert all(
        mystery[key] is None
        for key in COST_KEYS - {"priced_records", "unpriced_records", "complete"}
    )
    assert cost_summary["models"]["mystery-model"]["cost"]["total"] is None


def test_a_partly_priced_block_shows_the_priced_part_and_no_rates(cost_summary):
    overall = cost_summary["overall"]["cost"]
    assert (overall["priced_records"], overall["unpriced_records"]) == (4, 2)
    assert overall["complete"] is False
    assert overall["total"] == "0.0177622"
    derived = ("per_1k_requests", "per_million_tokens", "per_day", "per_month")
    assert [overall[key] for key in derived] == [None] * 4


def test_the_run_names_the_unpriced_model(cost_summary):
    warnings = cost_summary["run"]["warnings"]
    assert any("'mystery-model'" in w and "[[pricing.models]]" in w for w in warnings)


def test_nothing_to_price_is_null_and_complete(summary_without_usage):
    cost = summary_without_usage["overall"]["cost"]
    assert (cost["total"], cost["per_day"], cost["currency"]) == (None, None, None)
    assert (cost["priced_records"], cost["unpriced_records"], cost["complete"]) == (0, 0, True)


def test_costs_in_several_currencies_are_not_added_up(cost_records, run_info):
    usd = dataclasses.replace(cost_records[0], cost={**cost_records[0].cost, "currency": "USD"})
    aggregate = RunAggregate()
    aggregate.add_all([usd, *cost_records[1:]])
    summary = build_summary(aggregate, run_info)

    gpt = summary["targets"]["gpt"]["cost"]
    assert (gpt["currency"], gpt["total"], gpt["per_day"]) == (None, None, None)
    assert any("several currencies (CNY, USD)" in w for w in summary["run"]["warnings"])
    # A target whose records agree keeps its figures.
    assert summary["targets"]["relay"]["cost"]["total"] == "0.0016"


def test_comparison_rows_carry_cost_and_projection(cost_summary):
    rows = {row["target"]: row for row in cost_summary["comparison"]}
    gpt = cost_summary["targets"]["gpt"]["cost"]
    assert rows["gpt"]["cost_total"] == gpt["total"]
    assert rows["gpt"]["cost_per_1k_requests"] == gpt["per_1k_requests"]
    assert (rows["gpt"]["cost_per_day"], rows["gpt"]["cost_per_month"]) == (
        gpt["per_day"],
        gpt["per_month"],
    )
    assert (rows["gpt"]["currency"], rows["gpt"]["cost_unpriced_records"]) == ("CNY", 0)
    assert rows["mystery"]["cost_total"] is None
    assert rows["mystery"]["cost_unpriced_records"] == 2
    summed = sum(Decimal(row["cost_total"]) for row in rows.values() if row["cost_total"])
    assert summed == Decimal(cost_summary["overall"]["cost"]["total"])


def test_run_states_currency_and_fx(cost_summary, cost_book: PriceBook):
    assert cost_summary["run"]["pricing"] == {
        "currency": "CNY",
        "fx": {"USD": "7.3"},
        "target_fx": {"relay": "1"},
    }
    assert cost_book.describe() == cost_summary["run"]["pricing"]


def test_pricing_line_says_currency_and_every_rate(cost_summary):
    line = pricing_line(cost_summary["run"]["pricing"], "CNY")
    assert line == (
        "currency: CNY; USD\u2192CNY 7.3; "
        "target relay billed at 1 CNY per unit of list-price currency"
    )
    plain: dict[str, Any] = {"currency": "USD", "fx": {}, "target_fx": {}}
    assert pricing_line(plain, "USD") == "currency: USD; no FX conversion"
    assert pricing_line(None, "CNY").startswith("currency: CNY (as recorded;")
