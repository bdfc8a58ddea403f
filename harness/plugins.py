"""Loads plugins and answers "which adapter is called X".

Core modules never import a built-in plugin; they ask a :class:`PluginHost`.
Built-ins are found through the ``harness`` entry-point group like any other
distribution's plugins.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field

import pluggy

from harness import hookspecs
from harness.contracts import ProviderAdapter
from harness.errors import HarnessConfigError

PROJECT = "harness"
_OWN_DISTRIBUTION = "llm-load-harness"


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    source: str  # "built-in" or "entry point"
    registers: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "registers": self.registers,
        }


class PluginHost:
    def __init__(self) -> None:
        self.manager = pluggy.PluginManager(PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.manager.load_setuptools_entrypoints(PROJECT)
        self._providers: dict[str, ProviderAdapter] = {}
        self._provider_owner: dict[str, str] = {}
        self._collect_providers()

    def _collect_providers(self) -> None:
        for impl in self.manager.hook.harness_register_providers.get_hookimpls():
            owner = impl.plugin_name

            def register(adapter: ProviderAdapter, owner: str = owner) -> None:
                if adapter.name in self._providers:
                    raise HarnessConfigError(
                        f"provider {adapter.name!r} is registered by both plugin "
                        f"{self._provider_owner[adapter.name]!r} and plugin {owner!r}"
                    )
                self._providers[adapter.name] = adapter
                self._provider_owner[adapter.name] = owner

            impl.function(register=register)

    @property
    def providers(self) -> dict[str, ProviderAdapter]:
        return dict(self._providers)

    def provider(self, name: str) -> ProviderAdapter:
        try:
            return self._providers[name]
        except KeyError:
            known = ", ".join(sorted(self._providers)) or "none"
            raise HarnessConfigError(
                f"unknown provider {name!r}; installed providers: {known} (see `harness plugins`)"
            ) from None

    def plugin_infos(self) -> list[PluginInfo]:
        infos = []
        for plugin, dist in self.manager.list_plugin_distinfo():
            name = self.manager.get_name(plugin) or str(plugin)
            provided = sorted(p for p, owner in self._provider_owner.items() if owner == name)
            source = "built-in" if dist.project_name == _OWN_DISTRIBUTION else "entry point"
            infos.append(
                PluginInfo(name, dist.version, source, {"providers": provided} if provided else {})
            )
        return infos


def harness_version() -> str:
    try:
        return importlib.metadata.version(_OWN_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        from harness import __version__

        return __version__
