"""Import a LiteLLM ``model_prices_and_context_window.json`` file, offline, from a path.

LiteLLM prices in USD per token; the harness keeps USD per million tokens.
``*_above_200k_tokens`` keys become the long-context tier (all rates switch
above the threshold). Entries without both input and output prices are skipped.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from harness.contracts import Price
from harness.errors import HarnessConfigError
from harness.pricing.tables import TomlPriceTable, canonical_model

_PER_TOKEN = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cached_input": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
    "reasoning": "output_cost_per_reasoning_token",
}
_LONG_CONTEXT_THRESHOLD = 200_000
#: LiteLLM provider names -> the harness's adapter names.
_PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "deepseek": "deepseek",
}


def _per_million(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    return Decimal(str(value)) * 1_000_000


def _rates(entry: dict[str, Any], suffix: str) -> dict[str, Decimal | None]:
    return {name: _per_million(entry.get(key + suffix)) for name, key in _PER_TOKEN.items()}


def litellm_price_table(path: Path, as_of: str = "") -> TomlPriceTable:
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise HarnessConfigError(
            f"{path}: cannot read LiteLLM price map ({exc.strerror})"
        ) from None
    except orjson.JSONDecodeError as exc:
        raise HarnessConfigError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise HarnessConfigError(f"{path}: expected an object of model entries")
    entries: dict[tuple[str, str], Price] = {}
    for model, entry in data.items():
        if not isinstance(entry, dict):
            continue
        base = _rates(entry, "")
        if base["input"] is None or base["output"] is None:
            continue
        tier = _rates(entry, "_above_200k_tokens")
        long_context = None
        if tier["input"] is not None or tier["output"] is not None:
            merged = {k: tier[k] if tier[k] is not None else base[k] for k in base}
            long_context = Price(**merged)  # type: ignore[arg-type]
        provider = _PROVIDERS.get(str(entry.get("litellm_provider", "")), "*")
        entries[(provider, canonical_model(model.split("/")[-1]))] = Price(
            as_of=as_of,
            source=f"LiteLLM price map {path.name}",
            long_context_threshold=_LONG_CONTEXT_THRESHOLD if long_context else None,
            long_context=long_context,
            **base,  # type: ignore[arg-type]
        )
    return TomlPriceTable(f"litellm:{path.name}", entries)
