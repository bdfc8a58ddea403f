"""The shipped locustfiles, run with Locust's own command line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.mock.process import SimulatorProcess
from harness.records import read_records

StartSimulator = Callable[..., SimulatorProcess]
LOCUSTFILES = Path(__file__).resolve().parents[1] / "locustfiles"


@pytest.mark.slow
def test_locust_headless_with_the_chat_locustfile(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=30, itl_ms=5)
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILES / "chat.py"), "--headless",
        "-u", "3", "-r", "3", "-t", "3s", "--stop-timeout", "10", "--host", simulator.url,
        "--report-dir", str(tmp_path), "--max-tokens", "8", "--no-stream",
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=90, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = list(read_records([tmp_path / "records.jsonl"]))
    assert len(records) == simulator.stats()["chat_requests"] > 5
    assert all(r.ok and not r.stream for r in records)
    assert simulator.stats()["non_streams"] == len(records)
    assert (tmp_path / "report.html").is_file()
