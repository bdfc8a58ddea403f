from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from harness.config import HarnessConfig, TargetConfig
from harness.contracts import Target
from harness.errors import HarnessConfigError
from harness.plugins import PluginHost, PluginSettings
from harness.targets import ResolvedTarget, WeightedRoundRobin, resolve_targets

PLUGINS = PluginHost(PluginSettings())


def resolve_one(config: TargetConfig, simulated: dict[str, str] | None = None) -> ResolvedTarget:
    (resolved,) = resolve_targets(PLUGINS, HarnessConfig(None), [], config, simulated or {})
    return resolved


def test_preset_defaults_fill_url_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "ds-secret-key-0123456789")
    resolved = resolve_one(TargetConfig("ds", "deepseek", "deepseek-chat"))
    assert resolved.target.base_url == "https://api.deepseek.com"
    assert resolved.target.api_key_env == "DEEPSEEK_API_KEY"
    assert resolved.api_key == "ds-secret-key-0123456789"


def test_preset_pointed_elsewhere_needs_no_vendor_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    resolved = resolve_one(TargetConfig("sim", "openai", "m", base_url="http://127.0.0.1:1"))
    assert resolved.api_key is None and resolved.target.api_key_env is None


def test_simulator_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    config = TargetConfig("c", "anthropic", "m", base_url="https://api.anthropic.com")
    resolved = resolve_one(config, {"c": "http://127.0.0.1:9999"})
    assert resolved.target.base_url == "http://127.0.0.1:9999"


def test_no_url_anywhere_is_a_clear_error() -> None:
    with pytest.raises(HarnessConfigError, match="provider 'openai-compatible' has no default"):
        resolve_one(TargetConfig("x", "openai-compatible", "m"))


def test_targets_from_the_config_file_in_order(tmp_path: Path) -> None:
    config = HarnessConfig(
        tmp_path / "harness.toml",
        {
            "a": TargetConfig("a", "openai", "m1", base_url="http://127.0.0.1:1", weight=2),
            "b": TargetConfig("b", "gemini", "m2", base_url="http://127.0.0.1:2"),
        },
    )
    single = TargetConfig("unused", "openai", "m")
    resolved = resolve_targets(PLUGINS, config, ["b", "a"], single, {})
    assert [(r.target.name, r.adapter.name, r.weight) for r in resolved] == [
        ("b", "gemini", 1.0),
        ("a", "openai", 2.0),
    ]


def test_weighted_round_robin_is_proportional_and_interleaved() -> None:
    adapter = PLUGINS.provider("openai")
    targets = [
        ResolvedTarget(make_target(name), adapter, None, weight)
        for name, weight in (("a", 2.0), ("b", 1.0))
    ]
    robin = WeightedRoundRobin(targets)
    picks = [robin.next().target.name for _ in range(9)]
    assert Counter(picks) == {"a": 6, "b": 3}
    assert picks[:3] in (["a", "b", "a"], ["a", "a", "b"])
    assert "bb" not in "".join(picks)


def make_target(name: str) -> Target:
    return Target(name, "openai", "http://127.0.0.1:1", "m")


def test_fallback_only_targets_are_resolved_but_take_no_users(tmp_path: Path) -> None:
    config = HarnessConfig(
        tmp_path / "harness.toml",
        {
            "main": TargetConfig(
                "main", "openai", "m", base_url="http://127.0.0.1:1", fallbacks=("spare",)
            ),
            "spare": TargetConfig("spare", "openai", "m", base_url="http://127.0.0.1:2"),
        },
    )
    resolved = resolve_targets(PLUGINS, config, ["main"], TargetConfig("x", "openai", "m"), {})
    assert [(r.target.name, r.takes_users) for r in resolved] == [("main", True), ("spare", False)]
    robin = WeightedRoundRobin(resolved)
    assert {robin.next().target.name for _ in range(5)} == {"main"}
