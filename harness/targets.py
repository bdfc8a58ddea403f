"""Which endpoints a run talks to: one from ``--host``, or several from harness.toml.

A target's URL comes from, in order: the embedded simulator serving it, its
``base_url``, or its provider preset's default. A preset's default API key
variable applies only when the preset's default URL does, so pointing a
preset at a simulator or a relay never asks for the vendor's key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    return ResolvedTarget(target, adapter, resolve_api_key(key_env, secrets_file), config.weight)


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
    where = str(harness_config.path)
    return [
        _resolve(
            config,
            plugins,
            f"{where}: [targets.{config.name}]",
            simulator_urls.get(config.name),
            secrets_file,
        )
        for config in harness_config.select(list(selected))
    ]


class WeightedRoundRobin:
    """Hands targets to users in proportion to their weights, evenly interleaved.

    The smooth weighted round-robin of nginx: each pick raises every
    target's credit by its weight and takes the highest, then lowers the
    winner's credit by the total, so 2:1 gives A, B, A, A, B, A ...
    """

    def __init__(self, targets: Sequence[ResolvedTarget]) -> None:
        if not targets:
            raise ValueError("no targets")
        self._targets = list(targets)
        self._credit = [0.0] * len(targets)
        self._total = sum(t.weight for t in targets)

    def next(self) -> ResolvedTarget:
        for index, target in enumerate(self._targets):
            self._credit[index] += target.weight
        best = max(range(len(self._targets)), key=self._credit.__getitem__)
        self._credit[best] -= self._total
        return self._targets[best]
