"""The web UI of a distributed run in headless Chromium: LLM tab, dashboard, reports on stop."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests
from harness_command import HARNESS

from harness.cluster import free_loopback_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed"),
]


def rendered(url: str, profile: Path, budget_ms: int = 8000) -> str:
    """The DOM once the page's scripts ran for ``budget_ms`` of virtual time."""
    assert CHROMIUM is not None
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"]
    result = subprocess.run(
        [CHROMIUM, *flags, f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture
def web_master(tmp_path: Path, start_simulator: Any) -> Iterator[tuple[str, str, Path]]:
    """A ``harness master`` with its web UI, one worker, and the simulator."""
    simulator = start_simulator(ttft_ms=30, itl_ms=3)
    port, web = str(free_loopback_port()), free_loopback_port()
    report = tmp_path / "report"
    options = ["--web-host", "127.0.0.1", "--web-port", str(web), "--host", simulator.url]
    options += ["--target-name", "simulator", "--max-tokens", "16", "--report-dir", str(report)]
    master = subprocess.Popen(
        [*HARNESS, "master", "--bind-host", "127.0.0.1", "--bind-port", port, *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [*HARNESS, "worker", "--master-host", "127.0.0.1", "--master-port", port],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{web}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/stats/requests", timeout=2).json()["workers"]:
                    break
            except (requests.ConnectionError, KeyError, ValueError):
                pass
            assert time.monotonic() < deadline, "the master's web UI or its worker never came up"
            time.sleep(0.3)
        yield base, simulator.url, report
    finally:
        for process in (worker, master):
            process.kill()
            process.wait()


def test_llm_tab_and_dashboard_in_a_browser(
    web_master: tuple[str, str, Path], tmp_path: Path
) -> None:
    base, simulator_url, report = web_master
    form = requests.get(base, timeout=5).text
    for option in ("model", "workload", "workflow", "rate", "targets", "slo"):
        assert f'"{option}"' in form, option
    started = requests.post(
        f"{base}/swarm", data={"user_count": 4, "spawn_rate": 4, "host": simulator_url}, timeout=10
    )
    assert started.json()["success"] is True
    time.sleep(6)  # past a worker report (every 3 s), with a few completed seconds

    tab = rendered(f"{base}/?tab=llm", tmp_path / "profile-tab")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", tab)
    row = cells[cells.index("simulator") :]
    ttft_p50, output_tokens = float(row[4]), int(row[9])
    assert ttft_p50 >= 30 and output_tokens > 0

    dashboard = rendered(f"{base}/llm/dashboard", tmp_path / "profile-dashboard")
    drawn = dict(re.findall(r'data-series="(\w+)" data-points="(\d+)"', dashboard))
    assert set(drawn) == {"ttft_p50", "ttft_p95", "e2e_p50", "e2e_p95", "output_tps"}
    assert all(int(points) >= 2 for points in drawn.values()), drawn

    csv = requests.get(f"{base}/llm/stats.csv", timeout=5).text.splitlines()
    assert csv[0].startswith("Target / role,") and csv[1].startswith("simulator,")

    requests.post(f"{base}/stop", timeout=30)
    deadline = time.monotonic() + 60
    while not (report / "summary.json").is_file():
        assert time.monotonic() < deadline, "no report after the web UI's stop"
        time.sleep(0.3)
    summary = orjson.loads((report / "summary.json").read_bytes())
    (records,) = report.glob("records-*.jsonl")
    assert summary["overall"]["requests"] == len(records.read_bytes().splitlines()) > 0
    assert [w["state"] for w in summary["run"]["workers"]] == ["finished"]
