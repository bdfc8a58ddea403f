"""Open loop with workers: each dispatches its share of the rate; the master adds them up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.records import read_records


@pytest.mark.slow
def test_two_workers_share_the_rate_and_the_counts_add_up(tmp_path: Path) -> None:
    command = [
        *(sys.executable, "-m", "harness.cli", "run", "--rate", "20", "--workers", "2"),
        *("-t", "4s", "--mock-ttft-ms", "20", "--max-tokens", "4", "--report-dir", str(tmp_path)),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]

    summary = json.loads((tmp_path / "summary.json").read_text())
    arrivals = summary["arrivals"]
    files = sorted(tmp_path.glob("records-*.jsonl"))
    per_worker = [len(list(read_records([path]))) for path in files]

    assert len(files) == 2 and all(count > 10 for count in per_worker)
    assert arrivals["rate"] == 20
    assert arrivals["scheduled"] == arrivals["started"] == sum(per_worker)
    assert summary["overall"]["latency"]["schedule_lag"]["count"] == sum(per_worker)
