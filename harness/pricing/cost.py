"""Cost of one request from normalized usage and a price, in exact decimals.

``Usage.input_tokens`` counts all input (cache reads and writes included) and
``output_tokens`` all output (reasoning included), so each token is billed
once: uncached input at the input rate, cache reads at the cached rate, cache
writes at the write rate, reasoning at the reasoning rate when one is set,
the rest of the output at the output rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from harness.contracts import Price, Usage

MILLION = Decimal(1_000_000)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Cost:
    input: Decimal
    cached_input: Decimal
    cache_write: Decimal
    output: Decimal
    reasoning: Decimal
    currency: str

    @property
    def total(self) -> Decimal:
        return self.input + self.cached_input + self.cache_write + self.output + self.reasoning

    def scaled(self, factor: Decimal, currency: str) -> Cost:
        """The same cost converted with ``factor`` into ``currency``."""
        return Cost(
            self.input * factor,
            self.cached_input * factor,
            self.cache_write * factor,
            self.output * factor,
            self.reasoning * factor,
            currency,
        )

    def to_dict(self) -> dict[str, str]:
        """Decimal strings, so records and reports keep every digit."""
        parts = {
            "input": self.input,
            "cached_input": self.cached_input,
            "cache_write": self.cache_write,
            "output": self.output,
            "reasoning": self.reasoning,
            "total": self.total,
        }
        return {"currency": self.currency, **{k: plain_decimal(v) for k, v in parts.items()}}


def plain_decimal(value: Decimal) -> str:
    """Every digit, no exponent and no trailing zeros: ``0.00035916``, ``12``, ``0``."""
    return format(value.normalize(), "f") if value else "0"


def rates_for(price: Price, input_tokens: int) -> Price:
    """The long-context rates when the input passes the threshold, else the base rates."""
    threshold = price.long_context_threshold
    if threshold is not None and price.long_context is not None and input_tokens > threshold:
        return price.long_context
    return price


def request_cost(usage: Usage, price: Price) -> Cost:
    rates = rates_for(price, usage.input_tokens)
    cached = usage.cached_input_tokens
    written = usage.cache_write_tokens
    uncached = max(0, usage.input_tokens - cached - written)
    reasoning = usage.reasoning_tokens if rates.reasoning is not None else 0
    answer = max(0, usage.output_tokens - reasoning)
    per_token = {
        "input": rates.input,
        "cached_input": rates.cached_input if rates.cached_input is not None else rates.input,
        "cache_write": rates.cache_write if rates.cache_write is not None else rates.input,
        "output": rates.output,
        "reasoning": rates.reasoning if rates.reasoning is not None else rates.output,
    }
    return Cost(
        input=uncached * per_token["input"] / MILLION,
        cached_input=cached * per_token["cached_input"] / MILLION,
        cache_write=written * per_token["cache_write"] / MILLION,
        output=answer * per_token["output"] / MILLION,
        reasoning=reasoning * per_token["reasoning"] / MILLION,
        currency=price.currency,
    )
