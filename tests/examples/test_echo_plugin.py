"""The example third-party plugin, installed as a user would install it, found and used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

pytestmark = pytest.mark.slow


def test_both_projects_are_imported_from_the_venv(echo_plugin_venv: Any, tmp_path: Path) -> None:
    probe = "import harness, harness_echo_provider as e; print(harness.__file__); print(e.__file__)"
    result = echo_plugin_venv.run("python", "-c", probe, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = str(echo_plugin_venv.site_packages)
    assert all(line.startswith(site) for line in result.stdout.splitlines()), result.stdout


def test_plugins_lists_the_echo_provider(echo_plugin_venv: Any, tmp_path: Path) -> None:
    result = echo_plugin_venv.run("harness", "plugins", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    plugins = {plugin["name"]: plugin for plugin in orjson.loads(result.stdout)}
    echo = plugins["echo"]
    assert (echo["source"], echo["version"]) == ("entry point", "0.1.0")
    assert echo["registers"] == {"providers": ["echo"]}
    assert plugins["openai"]["source"] == "built-in"


def test_run_with_the_echo_provider_against_the_simulator(
    echo_plugin_venv: Any, tmp_path: Path
) -> None:
    result = echo_plugin_venv.run(
        "harness",
        "run",
        "--provider",
        "echo",
        "-u",
        "2",
        "-t",
        "5s",
        "--mock-ttft-ms",
        "20",
        "--max-tokens",
        "16",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report_dir = tmp_path / "harness-report"
    summary = orjson.loads((report_dir / "summary.json").read_bytes())
    overall = summary["overall"]
    assert overall["ok"] > 0 and overall["failed"] == 0, overall
    plugins = {plugin["name"]: plugin for plugin in summary["run"]["plugins"]}
    assert plugins["echo"]["version"] == "0.1.0"
    assert [target["provider"] for target in summary["run"]["targets"]] == ["echo"]
    report = (report_dir / "report.html").read_text()
    assert '<td class="text">echo</td><td class="text">0.1.0</td>' in report


def test_the_example_passes_its_own_conformance_suite(
    echo_plugin_venv: Any, echo_example: Path
) -> None:
    """The kit ships in the wheel and runs in a plugin's suite, with no gevent patching."""
    result = echo_plugin_venv.run("python", "-m", "pytest", "-q", cwd=echo_example, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
