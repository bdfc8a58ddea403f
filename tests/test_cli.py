"""The `harness` command, run as a user would: a subprocess, real simulator, real Locust."""

from __future__ import annotations

import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest
from harness_command import HARNESS, harness


@pytest.mark.slow
def test_run_against_the_simulator_writes_every_report(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = harness(
        "run",
        "-u",
        "4",
        "-t",
        "4s",
        "--report-dir",
        str(out),
        "--mock-ttft-ms",
        "50",
        "--max-tokens",
        "16",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["schema_version"] == 1
    assert summary["overall"]["requests"] > 10 and summary["overall"]["failed"] == 0
    assert summary["run"]["simulator"]["ttft_ms"] == 50
    lines = (out / "records.jsonl").read_bytes().splitlines()
    assert len(lines) == summary["overall"]["requests"]
    assert "TTFT" in result.stdout and (out / "report.html").is_file()

    rebuilt = tmp_path / "rebuilt"
    again = harness("report", str(out / "records.jsonl"), "-o", str(rebuilt))
    assert again.returncode == 0, again.stderr
    rebuilt_summary = orjson.loads((rebuilt / "summary.json").read_bytes())
    assert rebuilt_summary["overall"] == summary["overall"]


def test_unknown_provider_stops_before_any_traffic(tmp_path: Path) -> None:
    result = harness("run", "-t", "3s", "--provider", "nope", "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 2
    assert "unknown provider 'nope'" in result.stderr and "openai" in result.stderr
    assert not (tmp_path / "r" / "records.jsonl").exists()


def test_missing_api_key_names_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HARNESS_NO_SUCH_KEY"}
    result = subprocess.run(
        [*HARNESS, "run", "-t", "3s", "--api-key-env", "HARNESS_NO_SUCH_KEY"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "HARNESS_NO_SUCH_KEY is not set" in result.stderr


def test_report_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = harness("report", str(tmp_path / "absent.jsonl"))
    assert result.returncode == 2 and "absent.jsonl: no such records file" in result.stderr


def test_plugins_json_lists_the_builtins_with_what_they_register() -> None:
    result = harness("plugins", "--json")
    assert result.returncode == 0
    plugins = {p["name"]: p for p in orjson.loads(result.stdout)}
    assert {p["source"] for p in plugins.values()} == {"built-in"}
    assert plugins["openai"]["registers"] == {
        "providers": ["deepseek", "llamacpp", "openai", "openai-compatible", "vllm"]
    }
    assert plugins["anthropic"]["registers"] == {"providers": ["anthropic"]}
    assert plugins["gemini"]["registers"] == {"providers": ["gemini"]}
    assert plugins["synthetic"]["registers"] == {"workloads": ["synthetic"]}
    assert plugins["jsonl"]["registers"] == {"sinks": ["jsonl"]}


def test_plugins_all_shows_disabled_plugins_and_hooks() -> None:
    result = harness("plugins", "--all", "-p", "no:gemini")
    assert result.returncode == 0
    assert "gemini" in result.stdout and "(disabled)" in result.stdout
    assert "hooks: harness_register_providers" in result.stdout
    bad = harness("plugins", "-p", "gemini")
    assert bad.returncode == 2 and "expected -p no:NAME" in bad.stderr


@pytest.mark.slow
def test_wheel_ships_plugins_templates_and_locustfiles(
    make_wheel_venv: Any, tmp_path: Path
) -> None:
    """A non-editable install run from another directory finds everything it needs."""
    venv = make_wheel_venv([Path(__file__).resolve().parents[1]], tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = venv.run("python", "-c", "import harness; print(harness.__file__)", cwd=elsewhere)
    assert probe.stdout.startswith(str(venv.site_packages)), probe.stdout + probe.stderr
    result = venv.run(
        "harness", "run", "-u", "2", "-t", "3s", "--mock-ttft-ms", "20", cwd=elsewhere
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (elsewhere / "harness-report" / "report.html").is_file()
    # The prompt packs are package data too: list them as the pack workload finds them.
    packs = venv.run(
        "python",
        "-c",
        "from harness_plugins.pack_workload import pack_files; "
        "print(sorted((n, str(p)) for n, p in pack_files().items()))",
        cwd=elsewhere,
    )
    assert "'analysis'" in packs.stdout and "'coding'" in packs.stdout, packs.stderr[-3000:]
    assert "'support'" in packs.stdout and str(venv.site_packages) in packs.stdout


def test_mock_serves_the_simulator_alone() -> None:
    process = subprocess.Popen(
        [*HARNESS, "mock", "--port", "0", "--ttft-ms", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("harness-mock listening on http://127.0.0.1:")
        url = line.split()[-1]
        with urllib.request.urlopen(f"{url}/v1/models", timeout=5) as response:
            models = orjson.loads(response.read())
        assert [m["id"] for m in models["data"]] == ["sim-gpt"]
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


@pytest.mark.slow
def test_api_keys_never_reach_any_output(tmp_path: Path) -> None:
    env_key = "sk-harness-env-key-0123456789abcdef"
    file_key = "sk-harness-file-key-fedcba9876543210"
    secrets = tmp_path / "secrets.env"
    secrets.write_text(f"FILE_KEY={file_key}\n")
    out = tmp_path / "out"
    env = {**os.environ, "ENV_KEY": env_key}
    runs = [
        ["--api-key-env", "ENV_KEY", "--report-dir", str(out / "env")],
        [
            "--api-key-env",
            "FILE_KEY",
            "--secrets-file",
            str(secrets),
            "--report-dir",
            str(out / "file"),
        ],
    ]
    outputs = []
    for extra in runs:
        result = subprocess.run(
            [*HARNESS, "run", "-u", "2", "-t", "3s", "--mock-fault", "http:401@every=3", *extra],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert "auth" in result.stdout, result.stderr[-2000:]
        outputs += [result.stdout, result.stderr]
    written = [path for path in out.rglob("*") if path.is_file()]
    assert {path.name for path in written} >= {"records.jsonl", "summary.json", "report.html"}
    outputs += [path.read_text(errors="replace") for path in written]
    for key in (env_key, file_key):
        assert not [text for text in outputs if key in text or key[8:] in text]


def test_pricing_list_and_estimate() -> None:
    listing = harness("pricing", "list", "--provider", "anthropic")
    assert listing.returncode == 0
    assert "claude-sonnet-4-5" in listing.stdout and "15.00" in listing.stdout
    assert "gpt-4.1" not in listing.stdout
    estimate = harness(
        "pricing", "estimate", "--model", "gpt-4.1", "--input-tokens", "1000",
        "--output-tokens", "500", "--requests", "10000", "--rate", "5",
    )  # fmt: skip
    assert estimate.returncode == 0, estimate.stderr
    assert "per request:        0.006000 USD" in estimate.stdout
    assert "10,000 requests:  60.000000 USD" in estimate.stdout
    assert "2,592.000000 USD per day" in estimate.stdout
    unknown = harness(
        "pricing", "estimate", "--model", "nope", "--input-tokens", "1", "--output-tokens", "1"
    )
    assert unknown.returncode == 2 and "no price for model 'nope'" in unknown.stderr


@pytest.mark.parametrize(
    ("module", "body", "message"),
    [
        (
            "typo_hook",
            "@hookimpl\ndef harness_register_provider(register):\n    pass\n",
            "unknown hook",
        ),
        (
            "raises_on_import",
            "raise RuntimeError('boom')\n",
            "failed to import: RuntimeError: boom",
        ),
        (
            "twin_openai",
            "class A:\n    name = 'openai'\n\n"
            "@hookimpl\ndef harness_register_providers(register):\n    register(A())\n",
            "registered by both plugin 'openai' and plugin 'twin_openai'",
        ),
    ],
)
def test_a_broken_plugin_stops_the_run_before_any_request(
    tmp_path: Path, module: str, body: str, message: str
) -> None:
    (tmp_path / f"{module}.py").write_text("from harness import hookimpl\n" + body)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "HARNESS_PLUGINS": module}
    result = subprocess.run(
        [*HARNESS, "run", "-t", "5s", "--report-dir", str(tmp_path / "out")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert message in result.stderr and f"'{module}'" in result.stderr
    assert not (tmp_path / "out" / "records.jsonl").exists()


THREE_DIALECTS = """
[targets.gpt-sim]
provider = "openai"
model = "sim-gpt"
simulator = { ttft_ms = 60, itl_ms = 2 }

[targets.claude-sim]
provider = "anthropic"
model = "sim-claude"
simulator = { ttft_ms = 150, itl_ms = 2 }

[targets.gemini-sim]
provider = "gemini"
model = "sim-gemini"
simulator = { ttft_ms = 250, itl_ms = 2 }
"""


@pytest.mark.slow
def test_three_dialects_side_by_side_in_latency_order(tmp_path: Path) -> None:
    (tmp_path / "harness.toml").write_text(THREE_DIALECTS)
    result = harness(
        "run", "--targets", "gemini-sim,gpt-sim,claude-sim", "-u", "6", "-t", "5s",
        "--max-tokens", "8", "--report-dir", str(tmp_path / "out"), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    summary = orjson.loads((tmp_path / "out" / "summary.json").read_bytes())
    order = [row["target"] for row in summary["comparison"]]
    assert order == ["gpt-sim", "claude-sim", "gemini-sim"]
    providers = {row["target"]: row["provider"] for row in summary["comparison"]}
    assert providers == {"gpt-sim": "openai", "claude-sim": "anthropic", "gemini-sim": "gemini"}
    for name, block in summary["targets"].items():
        assert block["ok"] > 0 and block["failed"] == 0, name
        assert block["tokens"]["output"] == 8 * block["ok"], name
        # The simulator's model names are in the built-in price table.
        assert block["cost"]["complete"] and block["cost"]["total"] is not None, name
    assert "targets compared" in result.stdout
    html = (tmp_path / "out" / "report.html").read_text()
    assert html.index('data-target="gpt-sim"') < html.index('data-target="gemini-sim"')


def test_a_workload_that_rejects_its_options_stops_the_run_before_any_user(tmp_path: Path) -> None:
    result = harness(
        "run", "-t", "3s", "--workload", "pack", "--prompt-pack", "nope",
        "--report-dir", str(tmp_path / "out"), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert "--prompt-pack 'nope': expected one of analysis, coding, support" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "records.jsonl").exists()
