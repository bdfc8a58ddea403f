from __future__ import annotations

import argparse

import pytest

from harness.mock.cli import build_parser
from harness.mock.config import (
    SimulatorConfig,
    add_simulator_arguments,
    simulator_config_from_args,
)


def test_defaults() -> None:
    config = SimulatorConfig()
    assert (config.host, config.port) == ("127.0.0.1", 0)
    assert (config.ttft_ms, config.itl_ms, config.jitter, config.slots) == (200.0, 20.0, 0.0, 0)
    assert config.output_tokens is None
    assert config.default_output_tokens == 128
    assert config.seed is None
    assert config.models == ("sim-gpt",)
    assert config.faults == ()
    assert (config.reasoning_tokens, config.cache_hit) == (0, 0.0)


def test_flags_without_prefix_give_the_defaults() -> None:
    parser = argparse.ArgumentParser()
    add_simulator_arguments(parser)
    assert simulator_config_from_args(parser.parse_args([])) == SimulatorConfig()


def test_prefixed_flags_build_the_config() -> None:
    parser = argparse.ArgumentParser()
    add_simulator_arguments(parser, prefix="mock-")
    args = parser.parse_args(
        [
            "--mock-ttft-ms", "50",
            "--mock-itl-ms", "2.5",
            "--mock-jitter", "0.2",
            "--mock-slots", "4",
            "--mock-output-tokens", "32",
            "--mock-reasoning-tokens", "16",
            "--mock-cache-hit", "0.25",
            "--mock-seed", "7",
            "--mock-model", "a",
            "--mock-model", "b",
            "--mock-fault", "cut:3@next",
            "--mock-fault", "http:503@p=0.1",
        ]
    )  # fmt: skip
    config = simulator_config_from_args(args, prefix="mock-")
    assert config == SimulatorConfig(
        ttft_ms=50,
        itl_ms=2.5,
        jitter=0.2,
        slots=4,
        output_tokens=32,
        reasoning_tokens=16,
        cache_hit=0.25,
        seed=7,
        models=("a", "b"),
        faults=("cut:3@next", "http:503@p=0.1"),
    )


def test_to_cli_args_round_trips_through_the_command_parser() -> None:
    config = SimulatorConfig(
        host="127.0.0.1",
        port=8765,
        ttft_ms=0.1,
        itl_ms=1 / 3,
        jitter=0.25,
        slots=2,
        output_tokens=5,
        default_output_tokens=9,
        reasoning_tokens=3,
        cache_hit=0.1,
        seed=11,
        models=("m1", "m2"),
        faults=("stall:0.5@every=3", "429:1@p=0.5@t=2-4.5"),
        rpm_limit=600,
        tpm_limit=1e5,
        limit_burst_s=0.5,
        overload_above=8,
        overload_slope=0.05,
        tool_call_rate=0.25,
        tool_call_tokens=7,
    )
    args = build_parser().parse_args(config.to_cli_args())
    assert simulator_config_from_args(args) == config
    assert simulator_config_from_args(
        build_parser().parse_args(SimulatorConfig().to_cli_args())
    ) == (SimulatorConfig())


@pytest.mark.parametrize(
    "argv",
    [
        ["--ttft-ms", "-1"],
        ["--itl-ms", "fast"],
        ["--slots", "-2"],
        ["--output-tokens", "1.5"],
        ["--fault", "cut"],
        ["--seed", "x"],
        ["--reasoning-tokens", "-1"],
        ["--cache-hit", "1.5"],
        ["--cache-hit", "-0.1"],
        ["--rpm-limit", "-1"],
        ["--tpm-limit", "lots"],
        ["--limit-burst-s", "0"],
        ["--overload-above", "-1"],
        ["--overload-slope", "2"],
        ["--tool-call-rate", "1.5"],
        ["--tool-call-tokens", "0"],
        ["--scenario", "0-30s ok; 30-60s storm"],
    ],
)
def test_bad_flags_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(argv)
    assert caught.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_bad_fault_flag_shows_the_parse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--fault", "stall:0"])
    assert "bad fault spec 'stall:0'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("port", 70000),
        ("ttft_ms", -1.0),
        ("jitter", float("inf")),
        ("slots", -1),
        ("output_tokens", -1),
        ("default_output_tokens", -1),
        ("reasoning_tokens", -1),
        ("cache_hit", 1.01),
        ("cache_hit", float("nan")),
        ("models", ()),
        ("faults", ("nope",)),
        ("rpm_limit", -1.0),
        ("tpm_limit", float("nan")),
        ("limit_burst_s", 0.0),
        ("overload_above", -1),
        ("overload_slope", float("inf")),
        ("tool_call_rate", -0.1),
        ("tool_call_tokens", 0),
    ],
)
def test_config_validates(field: str, value: object) -> None:
    with pytest.raises(ValueError):
        SimulatorConfig(**{field: value})  # type: ignore[arg-type]


def test_lists_become_tuples() -> None:
    config = SimulatorConfig(models=["x"], faults=["malformed"])  # type: ignore[arg-type]
    assert config.models == ("x",)
    assert config.faults == ("malformed",)
    hash(config)


def test_a_scenario_becomes_windowed_faults_after_the_others() -> None:
    args = build_parser().parse_args(
        [
            "--fault",
            "cut:1@n=1",
            "--scenario",
            "0-4s ok; 4-8s 429:1@p=0.9; 8- http:503; stall:1@t=1-2",
        ]
    )
    assert simulator_config_from_args(args).faults == (
        "cut:1@n=1",
        "429:1@p=0.9@t=4-8",
        "http:503@t=8-",
        "stall:1@t=1-2",
    )


def test_limit_and_overload_flags_take_a_prefix() -> None:
    parser = argparse.ArgumentParser()
    add_simulator_arguments(parser, prefix="mock-")
    args = parser.parse_args(
        [
            *("--mock-rpm-limit", "600", "--mock-tpm-limit", "9000"),
            *("--mock-overload-above", "4", "--mock-overload-slope", "0.1"),
            *("--mock-scenario", "1-2s reset"),
        ]
    )
    config = simulator_config_from_args(args, prefix="mock-")
    assert (config.rpm_limit, config.tpm_limit, config.limit_burst_s) == (600, 9000, 1.0)
    assert (config.overload_above, config.overload_slope) == (4, 0.1)
    assert config.faults == ("reset@t=1-2",)


def test_tool_call_flags_take_a_prefix() -> None:
    parser = argparse.ArgumentParser()
    add_simulator_arguments(parser, prefix="mock-")
    args = parser.parse_args(["--mock-tool-call-rate", "0.3", "--mock-tool-call-tokens", "5"])
    config = simulator_config_from_args(args, prefix="mock-")
    assert (config.tool_call_rate, config.tool_call_tokens) == (0.3, 5)
