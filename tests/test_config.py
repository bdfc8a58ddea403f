from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import load_config
from harness.errors import HarnessConfigError

GOOD = """
[targets.gpt]
provider = "openai"
base_url = "https://api.example.test/v1"
model = "gpt-x"
api_key_env = "GPT_KEY"
weight = 2
headers = { "X-Team" = "perf" }

[targets.claude-sim]
provider = "anthropic"
model = "sim-claude"
simulator = { ttft_ms = 300 }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "harness.toml"
    path.write_text(text)
    return path


def test_targets_are_read_with_every_field(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    gpt, claude = config.select(["gpt", "claude-sim"])
    assert (gpt.provider, gpt.base_url, gpt.model, gpt.api_key_env) == (
        "openai",
        "https://api.example.test/v1",
        "gpt-x",
        "GPT_KEY",
    )
    assert gpt.weight == 2.0 and gpt.headers == (("X-Team", "perf"),)
    assert claude.simulator == {"ttft_ms": 300} and claude.base_url is None


def test_no_file_means_no_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(None).targets == {}


def test_default_file_is_found_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, GOOD)
    monkeypatch.chdir(tmp_path)
    assert sorted(load_config(None).targets) == ["claude-sim", "gpt"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[targets.a]\nmodel = 'm'\n", r"\[targets.a\]: missing 'provider' \(a string\)"),
        (
            "[targets.a]\nprovider='openai'\nmodel='m'\nwieght=2\n",
            r"\[targets.a\]: unknown key 'wieght'; expected one of api_key_env, base_url",
        ),
        (
            "[targets.a]\nprovider='openai'\nmodel='m'\nweight=0\n",
            r"'weight' must be a positive number, got 0",
        ),
        ("[targets.a]\nprovider=3\nmodel='m'\n", r"'provider' must be a non-empty string, got 3"),
        ("[targets]\na = 1\n", r"\[targets.a\] must be a table"),
        ("targets = [\n", r"not valid TOML"),
    ],
)
def test_mistakes_name_file_table_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(HarnessConfigError, match=message) as caught:
        load_config(path)
    assert str(caught.value).startswith(str(path))


def test_selecting_an_unknown_target(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(
        HarnessConfigError, match=r"no target named 'gtp' \(defined: claude-sim, gpt\)"
    ):
        config.select(["gtp"])


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(HarnessConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


FALLBACKS = """
[targets.main]
provider = "openai"
model = "m"
fallbacks = ["spare"]
fallback_on = ["rate_limited", "overloaded"]

[targets.spare]
provider = "anthropic"
model = "c"
"""


def test_fallbacks_are_read_and_followed(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FALLBACKS))
    (main,) = config.select(["main"])
    assert main.fallbacks == ("spare",)
    assert main.fallback_on == frozenset({"rate_limited", "overloaded"})
    assert [t.name for t in config.with_fallbacks([main])] == ["main", "spare"]
    assert "quota" in config.targets["spare"].fallback_on  # the default set


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('fallbacks = ["nowhere"]', r"fallbacks: 'nowhere' is not another target"),
        ('fallbacks = ["main"]', r"fallbacks: 'main' is not another target"),
        ('fallback_on = ["auth", "slow"]', r"'fallback_on' must be a list of error kinds"),
    ],
)
def test_bad_fallbacks(tmp_path: Path, line: str, message: str) -> None:
    text = f"[targets.main]\nprovider = 'openai'\nmodel = 'm'\n{line}\n"
    with pytest.raises(HarnessConfigError, match=message):
        load_config(write(tmp_path, text))


PRICING = """
[pricing]
currency = "cny"
fx = { USD = 7.3 }
litellm = "prices.json"

[[pricing.models]]
provider = "openai"
model = "house-model"
input = 1
output = 2

[targets.relay]
provider = "openai-compatible"
base_url = "https://relay.example.test/v1"
model = "gpt-4.1"
fx_rate = 1
"""


def test_pricing_section(tmp_path: Path) -> None:
    from decimal import Decimal

    config = load_config(write(tmp_path, PRICING))
    pricing = config.pricing
    assert (pricing.currency, pricing.fx) == ("CNY", {"USD": Decimal("7.3")})
    assert pricing.litellm == tmp_path / "prices.json"
    assert pricing.models[0]["model"] == "house-model"
    assert config.targets["relay"].fx_rate == Decimal(1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[pricing]\ncurrency = 'dollars'\n", r"'currency' must be a 3-letter code"),
        ("[pricing]\nfx = { USD = -1 }\n", r"'fx.USD' must be a positive number"),
        ("[pricing]\nsurge = 2\n", r"unknown key 'surge'"),
    ],
)
def test_pricing_mistakes(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(HarnessConfigError, match=message):
        load_config(write(tmp_path, text))
