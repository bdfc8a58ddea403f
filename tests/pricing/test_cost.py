"""Costs of normalized usage from each provider dialect, checked against hand computation."""

from __future__ import annotations

from decimal import Decimal as D

from harness.contracts import Price, Usage
from harness.pricing.cost import request_cost

GPT_41 = Price(input=D("2.00"), cached_input=D("0.50"), output=D("8.00"))
SONNET = Price(
    input=D("3"),
    cached_input=D("0.30"),
    cache_write=D("3.75"),
    output=D("15"),
    long_context_threshold=200_000,
    long_context=Price(
        input=D("6"), cached_input=D("0.60"), cache_write=D("7.50"), output=D("22.50")
    ),
)


def test_openai_usage_with_cached_input_and_reasoning_inside_output() -> None:
    # prompt_tokens 10,000 of which 4,000 cached; completion 2,000 of which 1,500 reasoning.
    usage = Usage(
        input_tokens=10_000, cached_input_tokens=4_000, output_tokens=2_000, reasoning_tokens=1_500
    )
    cost = request_cost(usage, GPT_41)
    assert cost.input == D("0.012")  # 6,000 x $2/M
    assert cost.cached_input == D("0.002")  # 4,000 x $0.50/M
    assert cost.output == D("0.016")  # all 2,000 output tokens x $8/M (no separate reasoning rate)
    assert cost.reasoning == 0
    assert cost.total == D("0.030")


def test_separate_reasoning_rate() -> None:
    price = Price(input=D("1"), output=D("4"), reasoning=D("10"))
    cost = request_cost(Usage(input_tokens=0, output_tokens=1_000, reasoning_tokens=600), price)
    assert (cost.output, cost.reasoning) == (D("0.0016"), D("0.006"))


def test_anthropic_usage_with_cache_reads_and_writes() -> None:
    # Normalized: input 1,000 uncached + 5,000 cache read + 2,000 cache write = 8,000.
    usage = Usage(
        input_tokens=8_000, cached_input_tokens=5_000, cache_write_tokens=2_000, output_tokens=400
    )
    cost = request_cost(usage, SONNET)
    assert cost.input == D("0.003")
    assert cost.cached_input == D("0.0015")
    assert cost.cache_write == D("0.0075")
    assert cost.output == D("0.006")
    assert cost.total == D("0.018")


def test_long_context_tier_switches_every_rate() -> None:
    small = request_cost(Usage(input_tokens=200_000, output_tokens=1_000), SONNET)
    large = request_cost(Usage(input_tokens=200_001, output_tokens=1_000), SONNET)
    assert small.total == D("0.6") + D("0.015")
    assert large.input == D("200001") * 6 / 1_000_000
    assert large.output == D("0.0225")


def test_gemini_thoughts_count_as_output() -> None:
    flash = Price(input=D("0.30"), cached_input=D("0.075"), output=D("2.50"))
    # Gemini: candidates 300 + thoughts 700 = output 1,000 after normalization.
    usage = Usage(
        input_tokens=2_000, cached_input_tokens=1_000, output_tokens=1_000, reasoning_tokens=700
    )
    cost = request_cost(usage, flash)
    assert cost.total == D("0.0003") + D("0.000075") + D("0.0025")


def test_unset_rates_fall_back_and_serialize_exactly() -> None:
    price = Price(input=D("0.28"), output=D("0.42"))
    cost = request_cost(
        Usage(input_tokens=1_000, cached_input_tokens=400, output_tokens=100), price
    )
    assert cost.cached_input == D("0.000112")  # billed at the input rate
    assert cost.to_dict() == {
        "currency": "USD",
        "input": "0.000168",
        "cached_input": "0.000112",
        "cache_write": "0",
        "output": "0.000042",
        "reasoning": "0",
        "total": "0.000322",
    }
