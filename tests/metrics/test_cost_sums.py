"""Cost sums: exact Decimal totals that reconcile with the records, and unknown kept apart."""

from __future__ import annotations

import random
from decimal import Decimal

import orjson

from harness.contracts import Usage
from harness.metrics.cost_sums import COST_PARTS, CostSums
from harness.metrics.metric_set import MetricSet
from harness.pricing.price_book import PriceBook
from harness.pricing.tables import TomlPriceTable

#: sim-gpt's built-in rates (USD per million tokens), reported in CNY at 7.3 per USD.
SIM_GPT = {
    "provider": "*",
    "model": "sim-gpt",
    "input": "0.40",
    "cached_input": "0.10",
    "output": "1.60",
}


def cny(input: str, cached_input: str, output: str, total: str) -> dict[str, str]:
    return {
        "currency": "CNY",
        "input": input,
        "cached_input": cached_input,
        "cache_write": "0",
        "output": output,
        "reasoning": "0",
        "total": total,
    }


#: Three sim-gpt attempts worked out by hand: (usage, cost in CNY).
PRICED = [
    # 1000 uncached x 0.40 + 200 cached x 0.10 + 80 out x 1.60, per million, x 7.3
    (
        Usage(input_tokens=1200, cached_input_tokens=200, output_tokens=80),
        cny("0.00292", "0.000146", "0.0009344", "0.0040004"),
    ),
    (Usage(input_tokens=3000, output_tokens=250), cny("0.00876", "0", "0.00292", "0.01168")),
    (
        Usage(input_tokens=500, cached_input_tokens=500, output_tokens=10),
        cny("0", "0.000365", "0.0001168", "0.0004818"),
    ),
]


def test_the_hand_worked_costs_are_what_the_price_book_charges(make_record):
    book = PriceBook(
        [TomlPriceTable.from_entries("t", [SIM_GPT], "test")], "CNY", {"USD": Decimal("7.3")}
    )
    for usage, expected in PRICED:
        record = make_record(model="sim-gpt", usage=usage)
        book.price_record(record)
        assert record.cost is not None
        assert {k: Decimal(v) for k, v in record.cost.items() if k != "currency"} == {
            k: Decimal(v) for k, v in expected.items() if k != "currency"
        }


def test_sums_reconcile_exactly_with_the_records(make_record):
    metrics = MetricSet()
    for usage, cost in PRICED:
        metrics.add(make_record(usage=usage, cost=cost))

    sums = metrics.cost
    assert sums.total == Decimal("0.0161622")
    assert sums.total == sum(Decimal(cost["total"]) for _, cost in PRICED)
    assert sums.parts["input"] == Decimal("0.01168")
    assert sums.parts["cached_input"] == Decimal("0.000511")
    assert sums.parts["output"] == Decimal("0.0039712")
    assert sums.total == sum(sums.parts.values())
    assert (sums.priced_records, sums.unpriced_records, sums.currency) == (3, 0, "CNY")


def test_many_small_costs_add_up_to_the_last_digit(make_record):
    metrics = MetricSet()
    one = cny("0.0000001", "0", "0", "0.0000001")
    for _ in range(1000):
        metrics.add(make_record(usage=Usage(input_tokens=1, output_tokens=0), cost=one))

    assert metrics.cost.total == Decimal("0.0001")
    # What a float sum would have drifted to, and the Decimal sum does not.
    assert sum([0.0000001] * 1000) != 0.0001


def test_usage_without_a_cost_is_unpriced_and_adds_nothing(make_record):
    metrics = MetricSet()
    metrics.add(make_record(usage=PRICED[0][0], cost=PRICED[0][1]))
    metrics.add(make_record(model="mystery-model", usage=Usage(input_tokens=10, output_tokens=5)))
    # A refused connection generated nothing to bill: neither priced nor unpriced.
    metrics.add(make_record(ok=False))

    assert (metrics.cost.priced_records, metrics.cost.unpriced_records) == (1, 1)
    assert metrics.cost.total == Decimal("0.0040004")


def test_an_unreadable_cost_counts_as_unpriced(make_record):
    usage = Usage(input_tokens=10, output_tokens=5)
    sums = CostSums()
    for cost in (
        cny("0.1", "0", "0", "lots"),
        cny("0.1", "0", "0", "NaN"),
        {"total": "0.1"},  # no currency
    ):
        sums.add(make_record(usage=usage, cost=cost))

    assert (sums.priced_records, sums.unpriced_records, sums.total) == (0, 3, 0)


def test_a_cost_without_a_total_adds_its_parts(make_record):
    sums = CostSums()
    sums.add(make_record(cost={"currency": "usd", "input": "0.25", "output": "0.5"}))

    assert sums.total == Decimal("0.75")
    assert sums.currency == "USD"


def test_a_total_beyond_the_parts_is_kept(make_record):
    """A price table's own ``cost`` may add a per-request fee outside the five parts."""
    sums = CostSums()
    sums.add(make_record(cost=cny("0.001", "0", "0.002", "0.013")))

    assert sums.total == Decimal("0.013")
    assert sum(sums.parts.values()) == Decimal("0.003")


def test_several_currencies_are_kept_and_none_is_claimed(make_record):
    sums = CostSums()
    sums.add(make_record(cost=PRICED[0][1]))
    sums.add(make_record(cost={**PRICED[1][1], "currency": "USD"}))

    assert sums.currencies == {"CNY", "USD"}
    assert sums.currency is None


def random_costs(rng: random.Random, count: int) -> list[dict[str, str] | None]:
    def part() -> str:
        return str(Decimal(rng.randint(0, 10**9)).scaleb(-rng.randint(6, 14)))

    costs: list[dict[str, str] | None] = []
    for _ in range(count):
        if rng.random() < 0.1:
            costs.append(None)
            continue
        parts = {name: part() for name in COST_PARTS}
        total = sum((Decimal(v) for v in parts.values()), Decimal(0))
        costs.append({"currency": "CNY", **parts, "total": str(total)})
    return costs


def test_merges_are_exact_in_any_order(make_record):
    rng = random.Random(11)
    usage = Usage(input_tokens=1, output_tokens=1)
    records = [make_record(usage=usage, cost=cost) for cost in random_costs(rng, 600)]
    whole = MetricSet()
    for record in records:
        whole.add(record)

    workers = [MetricSet() for _ in range(5)]
    for record in records:
        rng.choice(workers).add(record)
    rng.shuffle(workers)
    merged = MetricSet()
    for worker in workers:
        merged.merge(worker)

    assert merged.cost.to_dict() == whole.cost.to_dict()
    expected = sum((Decimal(r.cost["total"]) for r in records if r.cost), Decimal(0))
    assert merged.cost.total == expected
    assert merged.cost.unpriced_records == sum(r.cost is None for r in records) > 0


def test_money_travels_as_decimal_strings_and_comes_back_exact(make_record):
    metrics = MetricSet()
    for usage, cost in PRICED:
        metrics.add(make_record(usage=usage, cost=cost))
    metrics.add(make_record(usage=PRICED[0][0]))

    shipped = orjson.loads(orjson.dumps(metrics.to_dict()))
    assert shipped["cost"]["total"] == "0.0161622"
    assert shipped["cost"]["parts"]["cached_input"] == "0.000511"

    revived = MetricSet.from_dict(shipped)
    assert revived.cost.total == metrics.cost.total
    assert revived.cost.parts == metrics.cost.parts
    assert revived.cost.unpriced_records == 1
    assert revived.to_dict() == metrics.to_dict()


def test_a_cost_changed_in_place_is_read_again(make_record):
    """Sums parse each record's cost once for all its groups, but never reuse a stale one."""
    record = make_record(cost=cny("0.1", "0", "0", "0.1"))
    sums = CostSums()
    sums.add(record)
    assert record.cost is not None
    record.cost["total"] = "0.25"
    sums.add(record)

    assert sums.total == Decimal("0.35")
