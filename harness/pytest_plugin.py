"""pytest plugin (entry point ``pytest11``): gate on LLM load SLOs inside a test suite.

The ``llm_load`` fixture runs a short ``harness run`` in a subprocess (against
the embedded simulator unless ``--llm-target`` is given), with a fresh report
directory, and returns the run's summary for plain asserts::

    @pytest.mark.llm_load(users=4, run_time="5s", slo=["ttft.p95<500ms"])
    def test_latency(llm_load):
        assert llm_load.passed, llm_load.failed_slos
        assert llm_load["overall"]["error_rate"] == 0

Options: ``--llm-target URL``, ``--llm-model M``, ``--llm-provider NAME``,
``--llm-api-key-env VAR`` (the variable's name, never the key). The marker
takes ``users``, ``run_time``, ``slo`` (rules) and ``args`` (more ``harness
run`` options, e.g. ``["--mock-ttft-ms", "50"]``). Names avoid Locust's own
pytest plugin (``session``, ``fastsession``, ``--host``). Nothing here imports
gevent or Locust: the load runs in its own process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

#: A run error (bad configuration, unreachable target): nothing worth asserting on.
RUN_ERROR = 2
DEFAULTS: dict[str, Any] = {"users": 4, "run_time": "5s", "slo": (), "args": ()}


class LoadResult(dict[str, Any]):
    """The run's summary (summary.json as a dict) with the run's outcome beside it."""

    def __init__(
        self, summary: dict[str, Any], exit_code: int, report_dir: Path, output: str
    ) -> None:
        super().__init__(summary)
        self.exit_code = exit_code
        self.report_dir = report_dir
        self.output = output

    @property
    def overall(self) -> dict[str, Any]:
        block: dict[str, Any] = self["overall"]
        return block

    @property
    def passed(self) -> bool:
        """Every SLO passed (True when none was given)."""
        return "slo" not in self or self["slo"]["verdict"] == "pass"

    @property
    def failed_slos(self) -> list[dict[str, Any]]:
        return [r for r in self.get("slo", {}).get("results", []) if not r["passed"]]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("llm-load", "LLM load tests (llm-load-harness)")
    group.addoption(
        "--llm-target",
        default=None,
        metavar="URL",
        help="endpoint for llm_load (default: simulator)",
    )
    group.addoption("--llm-model", default=None, metavar="M", help="model name for llm_load")
    group.addoption("--llm-provider", default=None, metavar="NAME", help="provider adapter")
    group.addoption(
        "--llm-api-key-env", default=None, metavar="VAR", help="variable holding the API key"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "llm_load(users=4, run_time='5s', slo=[...], args=[...]): configure the llm_load fixture",
    )


def harness_command(config: pytest.Config, settings: dict[str, Any], report_dir: Path) -> list[str]:
    """The ``harness run`` command line for the options and the marker's settings."""
    command = [sys.executable, "-m", "harness.cli", "run", "--report-dir", str(report_dir)]
    command += ["-u", str(settings["users"]), "-t", str(settings["run_time"])]
    for option, flag in (
        ("--llm-target", "--target"),
        ("--llm-model", "--model"),
        ("--llm-provider", "--provider"),
        ("--llm-api-key-env", "--api-key-env"),
    ):
        value = config.getoption(option)
        if value:
            command += [flag, value]
    for rule in settings["slo"]:
        command += ["--slo", rule]
    return [*command, *settings["args"]]


@pytest.fixture
def llm_load(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> LoadResult:
    """Run a short load and return its summary; a run error fails the test with its output."""
    marker = request.node.get_closest_marker("llm_load")
    settings = {**DEFAULTS, **(marker.kwargs if marker is not None else {})}
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        pytest.fail(
            f"llm_load marker: unknown setting {unknown[0]!r}; expected {', '.join(DEFAULTS)}"
        )
    report_dir = tmp_path_factory.mktemp("llm-load")
    command = harness_command(request.config, settings, report_dir)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    summary_path = report_dir / "summary.json"
    if done.returncode == RUN_ERROR or not summary_path.is_file():
        pytest.fail(f"harness run failed (exit {done.returncode}):\n{output[-4000:]}")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    return LoadResult(summary, done.returncode, report_dir, output)
