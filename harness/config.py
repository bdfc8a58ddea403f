"""``harness.toml``: named targets for multi-target runs.

```toml
[targets.gpt]
provider = "openai"                  # or a preset: deepseek, vllm, llamacpp, openai-compatible
base_url = "https://api.openai.com/v1"
model = "gpt-4.1"
api_key_env = "OPENAI_API_KEY"
weight = 1                           # share of simulated users

[targets.claude-sim]
provider = "anthropic"
model = "sim-claude"
simulator = { ttft_ms = 300, itl_ms = 25 }   # served by an embedded simulator
```

Every mistake is reported with the file, the table and the key, and what was
expected. Nothing here resolves API keys: a target names its variable only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from harness.contracts import ERROR_KINDS
from harness.errors import HarnessConfigError
from harness.load_shapes import shape_from_table
from harness.retry_settings import check_retry_table
from harness.slo.config_table import check_slo_table
from harness.toml_file import read_toml

DEFAULT_CONFIG = "harness.toml"
_TARGET_KEYS = {
    "provider",
    "base_url",
    "model",
    "api_key_env",
    "weight",
    "headers",
    "simulator",
    "fallbacks",
    "fallback_on",
    "fx_rate",
}
#: Failures that another target may serve: capacity and availability, not the request itself.
DEFAULT_FALLBACK_ON = frozenset(
    {"rate_limited", "overloaded", "server", "timeout", "connection", "stream_broken", "quota"}
)


@dataclass(frozen=True)
class TargetConfig:
    name: str
    provider: str
    model: str
    base_url: str | None = None
    api_key_env: str | None = None
    weight: float = 1.0
    headers: tuple[tuple[str, str], ...] = ()
    #: Simulator settings (SimulatorConfig fields) when an embedded simulator serves this target.
    simulator: dict[str, Any] | None = None
    #: Targets tried in order when this one fails with a kind in ``fallback_on``.
    fallbacks: tuple[str, ...] = ()
    fallback_on: frozenset[str] = DEFAULT_FALLBACK_ON
    #: Report-currency units billed per unit of list-price currency, when this target
    #: bills at its own rate (a relay charging 1 CNY per USD of usage has 1).
    fx_rate: Decimal | None = None


@dataclass(frozen=True)
class PricingConfig:
    """``[pricing]``: report currency, FX rates, price overrides, a LiteLLM price map."""

    currency: str = "USD"
    fx: dict[str, Decimal] = field(default_factory=dict)
    models: tuple[dict[str, Any], ...] = ()
    litellm: Path | None = None


@dataclass(frozen=True)
class HarnessConfig:
    path: Path | None
    targets: dict[str, TargetConfig] = field(default_factory=dict)
    pricing: PricingConfig = field(default_factory=PricingConfig)
    #: ``[routing]``: ``policy`` names a router; the other keys are its settings.
    routing: dict[str, Any] = field(default_factory=dict)
    #: ``[retry]``: the retry policy and its settings (see harness.retry_settings).
    retry: dict[str, Any] = field(default_factory=dict)
    #: ``[slo] rules``: SLO rules the run is judged by (see harness.slo.parse).
    slo: tuple[str, ...] = ()
    #: ``[shape]``: the load shape (``kind`` and its keys, see harness.load_shapes).
    shape: dict[str, Any] = field(default_factory=dict)

    def select(self, names: list[str]) -> list[TargetConfig]:
        """The targets named, in order; every name must exist."""
        where = str(self.path) if self.path else DEFAULT_CONFIG
        missing = [name for name in names if name not in self.targets]
        if missing:
            known = ", ".join(sorted(self.targets)) or "none"
            raise HarnessConfigError(
                f"{where}: no target named {', '.join(repr(n) for n in missing)} (defined: {known})"
            )
        return [self.targets[name] for name in names]

    def with_fallbacks(self, chosen: list[TargetConfig]) -> list[TargetConfig]:
        """``chosen``, then every target they fall back to or a router sends to, each once."""
        names = dict.fromkeys(t.name for t in chosen)
        for target in chosen:
            names.update(dict.fromkeys(target.fallbacks))
        names.update(dict.fromkeys(routing_targets(self.routing)))
        return self.select(list(names))


def routing_targets(routing: dict[str, Any]) -> list[str]:
    """Targets a ``[routing]`` table names (small_target, roles)."""
    small = routing.get("small_target")
    roles = routing.get("roles")
    named = [small] if isinstance(small, str) else []
    named += [v for v in roles.values() if isinstance(v, str)] if isinstance(roles, dict) else []
    return named


def load_config(path: Path | None) -> HarnessConfig:
    """Read ``path``, or ``./harness.toml`` when it exists; an empty config otherwise."""
    if path is None:
        default = Path(DEFAULT_CONFIG)
        if not default.is_file():
            return HarnessConfig(None)
        path = default
    data = read_toml(path)
    tables = data.get("targets", {})
    if not isinstance(tables, dict):
        raise HarnessConfigError(f"{path}: [targets] must be a table of named targets")
    targets = {name: _target(path, name, table) for name, table in tables.items()}
    for target in targets.values():
        unknown = [name for name in target.fallbacks if name not in targets or name == target.name]
        if unknown:
            raise HarnessConfigError(
                f"{path}: [targets.{target.name}] fallbacks: {unknown[0]!r} is not another "
                f"target of this file (defined: {', '.join(sorted(targets))})"
            )
    routing = data.get("routing", {})
    if not isinstance(routing, dict) or not isinstance(routing.get("policy", ""), str):
        raise HarnessConfigError(f'{path}: [routing] must be a table with policy = "NAME"')
    retry = check_retry_table(data.get("retry", {}), f"{path}: [retry]")
    slo = check_slo_table(data.get("slo", {}), f"{path}: [slo]")
    shape = _shape_table(path, data.get("shape", {}))
    pricing = _pricing(path, data.get("pricing", {}))
    return HarnessConfig(path, targets, pricing, routing, retry, slo, shape=shape)


def _shape_table(path: Path, table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise HarnessConfigError(f'{path}: [shape] must be a table with kind = "ramp|step|..."')
    if table:
        shape_from_table(table, f"{path}: [shape]")
    return table


def _target(path: Path, name: str, table: Any) -> TargetConfig:
    where = f"{path}: [targets.{name}]"
    if not isinstance(table, dict):
        raise HarnessConfigError(f"{where} must be a table")
    unknown = sorted(set(table) - _TARGET_KEYS)
    if unknown:
        expected = ", ".join(sorted(_TARGET_KEYS))
        raise HarnessConfigError(f"{where}: unknown key {unknown[0]!r}; expected one of {expected}")

    def text(key: str, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                raise HarnessConfigError(f"{where}: missing {key!r} (a string)")
            return None
        if not isinstance(value, str) or not value:
            raise HarnessConfigError(f"{where}: {key!r} must be a non-empty string, got {value!r}")
        return value

    weight = table.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise HarnessConfigError(f"{where}: 'weight' must be a positive number, got {weight!r}")
    headers = table.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise HarnessConfigError(f"{where}: 'headers' must be a table of strings")
    simulator = table.get("simulator")
    if simulator is not None and not isinstance(simulator, dict):
        raise HarnessConfigError(f"{where}: 'simulator' must be a table of simulator settings")
    fallbacks = table.get("fallbacks", [])
    if not isinstance(fallbacks, list) or not all(isinstance(f, str) for f in fallbacks):
        raise HarnessConfigError(f"{where}: 'fallbacks' must be a list of target names")
    fallback_on = table.get("fallback_on", sorted(DEFAULT_FALLBACK_ON))
    if not isinstance(fallback_on, list) or not set(fallback_on) <= set(ERROR_KINDS):
        raise HarnessConfigError(
            f"{where}: 'fallback_on' must be a list of error kinds ({', '.join(ERROR_KINDS)})"
        )
    fx_rate = table.get("fx_rate")
    return TargetConfig(
        name=name,
        fx_rate=None if fx_rate is None else _rate(fx_rate, where, "fx_rate"),
        fallbacks=tuple(fallbacks),
        fallback_on=frozenset(fallback_on),
        provider=text("provider", required=True) or "",
        model=text("model", required=True) or "",
        base_url=text("base_url"),
        api_key_env=text("api_key_env"),
        weight=float(weight),
        headers=tuple(sorted(headers.items())),
        simulator=simulator,
    )


def _rate(value: Any, where: str, key: str) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        rate = Decimal(-1)
    if isinstance(value, bool) or not rate.is_finite() or rate <= 0:
        raise HarnessConfigError(f"{where}: {key!r} must be a positive number, got {value!r}")
    return rate


def _pricing(path: Path, table: Any) -> PricingConfig:
    where = f"{path}: [pricing]"
    if not isinstance(table, dict):
        raise HarnessConfigError(f"{where} must be a table")
    unknown = sorted(set(table) - {"currency", "fx", "models", "litellm"})
    if unknown:
        raise HarnessConfigError(
            f"{where}: unknown key {unknown[0]!r}; expected currency, fx, models, litellm"
        )
    currency = table.get("currency", "USD")
    if not isinstance(currency, str) or len(currency) != 3:
        raise HarnessConfigError(f"{where}: 'currency' must be a 3-letter code, got {currency!r}")
    fx = table.get("fx", {})
    if not isinstance(fx, dict):
        raise HarnessConfigError(f"{where}: 'fx' must be a table like {{ USD = 7.3 }}")
    models = table.get("models", [])
    if not isinstance(models, list):
        raise HarnessConfigError(f"{where}: 'models' must be an array of [[pricing.models]]")
    litellm = table.get("litellm")
    if litellm is not None and not isinstance(litellm, str):
        raise HarnessConfigError(f"{where}: 'litellm' must be the path of a price map")
    return PricingConfig(
        currency=currency.upper(),
        fx={code.upper(): _rate(rate, where, f"fx.{code}") for code, rate in fx.items()},
        models=tuple(models),
        litellm=(path.parent / litellm) if litellm else None,
    )
