"""Finds, loads and checks plugins, and answers "which adapter is called X".

Load order: the built-in plugins (this distribution's entry points), then
other distributions' entry points of group ``harness``, then local modules
(``--plugin module.path`` or ``HARNESS_PLUGINS``). A plugin named in
``HARNESS_DISABLE_PLUGINS`` (or ``-p no:NAME``) is never imported. Every
problem (a plugin that fails to import, a misspelled hook, two plugins
registering one name) is a :class:`~harness.errors.HarnessConfigError` raised
before any traffic, naming the plugin. Core modules never import a built-in
plugin; they ask a :class:`PluginHost`.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from harness import hookspecs
from harness.contracts import (
    PriceTable,
    ProviderAdapter,
    ReportSection,
    RetryPolicy,
    Router,
    Sink,
    Workload,
)
from harness.errors import HarnessConfigError
from harness.plugin_registry import Registry

PROJECT = "harness"
OWN_DISTRIBUTION = "llm-load-harness"
PLUGINS_ENV = "HARNESS_PLUGINS"
DISABLE_ENV = "HARNESS_DISABLE_PLUGINS"

HOOK_NAMES = tuple(name for name in dir(hookspecs) if name.startswith("harness_"))


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@dataclass(frozen=True)
class PluginSettings:
    """Which local modules to load and which plugins to block."""

    local_modules: tuple[str, ...] = ()
    disabled: frozenset[str] = frozenset()

    @classmethod
    def from_environment(
        cls, local_modules: Iterable[str] = (), disabled: Iterable[str] = ()
    ) -> PluginSettings:
        """Command-line choices plus ``HARNESS_PLUGINS`` and ``HARNESS_DISABLE_PLUGINS``."""
        modules = [*local_modules, *_split(os.environ.get(PLUGINS_ENV))]
        blocked = {*disabled, *_split(os.environ.get(DISABLE_ENV))}
        return cls(tuple(dict.fromkeys(modules)), frozenset(blocked))


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    source: str  # "built-in", "entry point", "local" or "disabled"
    distribution: str | None = None
    registers: dict[str, list[str]] = field(default_factory=dict)
    hooks: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "distribution": self.distribution,
            "registers": self.registers,
            "hooks": list(self.hooks),
        }


@dataclass(frozen=True)
class _Origin:
    source: str
    version: str
    distribution: str | None


class PluginHost:
    """Every plugin of this process, loaded and checked, and what each one registered."""

    def __init__(self, settings: PluginSettings | None = None) -> None:
        self.settings = settings or PluginSettings.from_environment()
        self.manager = pluggy.PluginManager(PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self._origins: dict[str, _Origin] = {}
        self._disabled: dict[str, _Origin] = {}
        for name in self.settings.disabled:
            self.manager.set_blocked(name)
        self._load_entry_points()
        self._load_local_modules()
        self._check_hook_names()
        self.providers: Registry[ProviderAdapter] = Registry("provider", "--provider")
        self.retry_policies: Registry[RetryPolicy] = Registry("retry policy", "--retry")
        self.price_tables: Registry[PriceTable] = Registry("price table", "--prices")
        self.workloads: Registry[Workload] = Registry("workload", "--workload")
        self.sinks: Registry[Sink] = Registry("sink", "--sink")
        self.routers: Registry[Router] = Registry("router", "--router")
        self._registries: dict[str, tuple[str, Registry[Any]]] = {
            "providers": ("harness_register_providers", self.providers),
            "retry_policies": ("harness_register_retry_policies", self.retry_policies),
            "price_tables": ("harness_register_price_tables", self.price_tables),
            "workloads": ("harness_register_workloads", self.workloads),
            "sinks": ("harness_register_sinks", self.sinks),
            "routers": ("harness_register_routers", self.routers),
        }
        for hook_name, registry in self._registries.values():
            self._collect(hook_name, registry)

    def provider(self, name: str) -> ProviderAdapter:
        return self.providers.get(name)

    def _load_entry_points(self) -> None:
        entry_points = importlib.metadata.entry_points(group=PROJECT)
        # Built-ins first, so their hooks run first and their names are taken first.
        ordered = sorted(
            entry_points,
            key=lambda ep: (_distribution_name(ep) != OWN_DISTRIBUTION, _distribution_name(ep)),
        )
        for entry_point in ordered:
            dist_name = _distribution_name(entry_point)
            origin = _Origin(
                "built-in" if dist_name == OWN_DISTRIBUTION else "entry point",
                _distribution_version(entry_point),
                dist_name,
            )
            if self.manager.is_blocked(entry_point.name):
                self._disabled[entry_point.name] = origin
                continue
            if self.manager.get_plugin(entry_point.name) is not None:
                continue  # the same distribution seen twice on sys.path
            where = f"{dist_name} {origin.version}"
            try:
                plugin = entry_point.load()
            except Exception as exc:
                raise HarnessConfigError(
                    f"plugin {entry_point.name!r} ({where}) failed to import: "
                    f"{type(exc).__name__}: {exc}"
                ) from None
            self._register(plugin, entry_point.name, origin)

    def _load_local_modules(self) -> None:
        for module_path in self.settings.local_modules:
            if self.manager.is_blocked(module_path):
                continue
            try:
                plugin = importlib.import_module(module_path)
            except Exception as exc:
                raise HarnessConfigError(
                    f"local plugin {module_path!r} failed to import: {type(exc).__name__}: {exc}"
                ) from None
            version = str(getattr(plugin, "__version__", "-"))
            self._register(plugin, module_path, _Origin("local", version, None))

    def _register(self, plugin: object, name: str, origin: _Origin) -> None:
        try:
            self.manager.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise HarnessConfigError(f"plugin {name!r}: {exc}") from None
        self._origins[name] = origin

    def _check_hook_names(self) -> None:
        # pluggy ignores functions without the @hookimpl mark, so a misspelled
        # or unmarked hook would silently do nothing: the harness_ prefix is
        # reserved for hooks, and every such function must be a marked hook.
        for name, plugin in self.manager.list_name_plugin():
            for attribute in dir(plugin):
                function = getattr(plugin, attribute)
                if not attribute.startswith(f"{PROJECT}_") or not callable(function):
                    continue
                if attribute not in HOOK_NAMES:
                    close = difflib.get_close_matches(attribute, HOOK_NAMES, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    raise HarnessConfigError(
                        f"plugin {name!r} defines unknown hook {attribute!r}{hint}"
                    )
                if getattr(function, f"{PROJECT}_impl", None) is None:
                    raise HarnessConfigError(
                        f"plugin {name!r} defines {attribute!r} without @harness.hookimpl"
                    )
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            owner = self.manager.get_name(exc.plugin) or repr(exc.plugin)
            raise HarnessConfigError(f"plugin {owner!r}: {exc}") from None

    def _collect(self, hook_name: str, registry: Registry[Any]) -> None:
        hook = getattr(self.manager.hook, hook_name)
        # get_hookimpls() is in registration order (pluggy *calls* them in reverse).
        for impl in hook.get_hookimpls():
            owner = impl.plugin_name
            arguments = {"register": registry.register_for(owner)} if impl.argnames else {}
            try:
                impl.function(**arguments)
            except HarnessConfigError:
                raise
            except Exception as exc:
                raise HarnessConfigError(
                    f"plugin {owner!r} failed in {hook_name}: {type(exc).__name__}: {exc}"
                ) from None

    def report_sections(self, report: dict[str, Any]) -> tuple[list[ReportSection], list[str]]:
        """Sections from every plugin, in registration order, and warnings for those that failed.

        A failing plugin must not cost the user their report, so its error
        becomes a warning and the other sections still render.
        """
        sections: list[ReportSection] = []
        warnings: list[str] = []
        for impl in self.manager.hook.harness_report_sections.get_hookimpls():
            try:
                result = impl.function(report=report) if impl.argnames else impl.function()
            except Exception as exc:
                warnings.append(
                    f"plugin {impl.plugin_name!r} failed to add report sections: "
                    f"{type(exc).__name__}: {exc}"
                )
                continue
            if result is None:
                continue
            found = [result] if isinstance(result, ReportSection) else result
            if isinstance(found, list) and all(isinstance(s, ReportSection) for s in found):
                sections.extend(found)
            else:
                warnings.append(
                    f"plugin {impl.plugin_name!r} returned {type(result).__name__} from "
                    "harness_report_sections; expected a list of ReportSection"
                )
        return sections, warnings

    def plugin_infos(self, include_disabled: bool = False) -> list[PluginInfo]:
        infos = []
        for name, plugin in self.manager.list_name_plugin():
            origin = self._origins.get(name)
            if origin is None:
                continue
            registers = {
                kind: names
                for kind, (_, registry) in self._registries.items()
                if (names := registry.registered_by(name))
            }
            hooks = tuple(sorted(h for h in HOOK_NAMES if callable(getattr(plugin, h, None))))
            infos.append(
                PluginInfo(
                    name, origin.version, origin.source, origin.distribution, registers, hooks
                )
            )
        if include_disabled:
            infos.extend(
                PluginInfo(name, origin.version, "disabled", origin.distribution)
                for name, origin in sorted(self._disabled.items())
            )
        return infos


def _distribution_name(entry_point: importlib.metadata.EntryPoint) -> str:
    dist = entry_point.dist
    return dist.name if dist is not None else "?"


def _distribution_version(entry_point: importlib.metadata.EntryPoint) -> str:
    dist = entry_point.dist
    return dist.version if dist is not None else "?"


def harness_version() -> str:
    try:
        return importlib.metadata.version(OWN_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        from harness import __version__

        return __version__
