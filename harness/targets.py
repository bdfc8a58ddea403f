"""Which endpoints a run talks to: one from ``--host``, or several from harness.toml.

A target's URL comes from, in order: the embedded simulator serving it, its
``base_url``, or its provider preset's default. A preset's default API key
variable applies only when the preset's default URL does, so pointing a
preset at a simulator or a relay never asks for the vendor's key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from harness.config import HarnessConfig, TargetConfig
from harness.contracts import ProviderAdapter, Target
from harness.errors import HarnessConfigError
from harness.plugins import PluginHost
from harness.secrets import resolve_api_key


@dataclass(frozen=True)
class ResolvedTarget:
    target: Target
    adapter: ProviderAdapter
    api_key: str | None
    weight: float = 1.0
    fallbacks: tuple[str, ...] = ()
    fallback_on: frozenset[str] = frozenset()
    #: False for a target that only serves as another's fallback: it gets no users.
    takes_users: bool = True
    #: This target's own billing rate into the report currency (see harness.pricing).
    fx_rate: Decimal | None = None


def _resolve(
    config: TargetConfig,
    plugins: PluginHost,
    where: str,
    simulator_url: str | None,
    secrets_file: Path | None,
) -> ResolvedTarget:
    adapter = plugins.provider(config.provider)
    default_url: str | None = getattr(adapter, "default_base_url", None)
    base_url = simulator_url or config.base_url or default_url
    if not base_url:
        raise HarnessConfigError(
            f"{where}: no base URL: provider {config.provider!r} has no default, "
            "so set base_url (or --host)"
        )
    key_env = config.api_key_env
    if key_env is None and base_url == default_url:
        key_env = getattr(adapter, "default_api_key_env", None)
    target = Target(
        name=config.name,
        provider=adapter.name,
        base_url=base_url,
        model=config.model,
        api_key_env=key_env,
        headers=config.headers,
    )
    api_key = resolve_api_key(key_env, secrets_file)
    return ResolvedTarget(
        target,
        adapter,
        api_key,
        config.weight,
        config.fallbacks,
        config.fallback_on,
        fx_rate=config.fx_rate,
    )


def resolve_targets(
    plugins: PluginHost,
    harness_config: HarnessConfig,
    selected: Sequence[str],
    single: TargetConfig,
    simulator_urls: Mapping[str, str],
    secrets_file: Path | None = None,
) -> list[ResolvedTarget]:
    """``selected`` names from harness.toml, or else the ``single`` target of the options."""
    if not selected:
        url = simulator_urls.get(single.name)
        return [_resolve(single, plugins, "--host", url, secrets_file)]
    chosen = harness_config.select(list(selected))
    where = str(harness_config.path)
    resolved = []
    for config in harness_config.with_fallbacks(chosen):
        target = _resolve(
            config,
            plugins,
            f"{where}: [targets.{config.name}]",
            simulator_urls.get(config.name),
            secrets_file,
        )
        # Fallback targets are resolved too, though they take no users of their own.
        resolved.append(replace(target, takes_users=config in chosen))
    return resolved


class WeightedRoundRobin:
    """Hands targets to users in proportion to their weights, evenly interleaved.

    The smooth weighted round-robin of nginx: each pick raises every
    target's credit by its weight and takes the highest, then lowers the
    winner's credit by the total, so 2:1 gives A, B, A, A, B, A ...
    """

    def __init__(self, targets: Sequence[ResolvedTarget]) -> None:
        self._targets = [target for target in targets if target.takes_users]
        if not self._targets:
            raise ValueError("no targets")
        self._credit = [0.0] * len(self._targets)
        self._total = sum(t.weight for t in self._targets)

    def next(self) -> ResolvedTarget:
        for index, target in enumerate(self._targets):
            self._credit[index] += target.weight
        best = max(range(len(self._targets)), key=self._credit.__getitem__)
        self._credit[best] -= self._total
        return self._targets[best]
