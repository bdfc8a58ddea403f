"""The LLM tab: live TTFT/ITL rows in Locust's web UI, Locust's own rows untouched."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import gevent
import pytest
import requests
from locust import events
from locust.argument_parser import get_parser
from locust.env import Environment

from harness.locust import ChatUser
from harness.locust.web_tab import TAB_KEY
from harness.mock.process import SimulatorProcess

StartSimulator = Callable[..., SimulatorProcess]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_llm_tab_shows_ttft_and_itl_rows(
    start_simulator: StartSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulator = start_simulator(ttft_ms=100, itl_ms=10)
    argv = ["--host", simulator.url, "--report-dir", str(tmp_path), "--max-tokens", "8"]
    # Locust's web UI re-parses sys.argv to fill its start form.
    monkeypatch.setattr(sys, "argv", ["locust", *argv])
    options = get_parser(default_config_files=[]).parse_args(argv)
    environment = Environment(
        user_classes=[ChatUser], events=events, host=simulator.url, parsed_options=options
    )
    runner = environment.create_local_runner()
    port = free_port()
    web_ui = environment.create_web_ui("127.0.0.1", port)
    events.init.fire(environment=environment, runner=runner, web_ui=web_ui)
    try:
        assert web_ui.template_args["extended_tabs"] == [{"title": "LLM", "key": TAB_KEY}]
        form = web_ui.template_args["extra_options"]
        assert {"model", "max_tokens", "prompt_tokens", "stream", "report_dir"} <= set(form)
        assert form["max_tokens"]["default_value"] == 8
        runner.start(4, spawn_rate=4)
        gevent.sleep(3)
        stats = requests.get(f"http://127.0.0.1:{port}/stats/requests", timeout=5).json()
        # The stop button: the reports are written as in a headless run.
        stopped = requests.post(f"http://127.0.0.1:{port}/stop", timeout=30).json()
        assert stopped["success"] is True
        summary = json.loads((tmp_path / "summary.json").read_text())
        assert summary["overall"]["requests"] > 10 and (tmp_path / "report.html").is_file()
    finally:
        runner.quit()
        web_ui.stop()
    (tab,) = stats["extended_stats"]
    assert tab["key"] == TAB_KEY
    (row,) = tab["data"]
    assert row["requests"] > 10 and row["failures"] == 0
    assert row["ttft_p50_ms"] == pytest.approx(100, abs=10)
    assert row["itl_p50_ms"] == pytest.approx(10, abs=5)
    assert row["output_tokens"] == 8 * row["requests"]
    assert row["attempts_per_request"] == 1.0
    amount, currency = row["cost"].split()
    assert currency == "USD" and float(amount) > 0  # sim-gpt has an illustrative price
    # Locust's own table has only the calls: one row plus "Aggregated", no TTFT entries.
    names = [entry["name"] for entry in stats["stats"]]
    assert names == [environment.host.split("://")[1], "Aggregated"]
