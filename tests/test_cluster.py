"""`harness run --workers`, `harness master` and `harness worker` command lines."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from harness.cluster import local_cluster_args, node_argv, worker_count


def test_workers_default_to_one_per_core_on_a_private_port() -> None:
    assert worker_count(0) == (os.cpu_count() or 1) and worker_count(3) == 3
    args = local_cluster_args(2)
    assert args[:2] == ["--processes", "2"]
    assert args[args.index("--master-bind-port") + 1] == args[args.index("--master-port") + 1]
    assert args[args.index("--master-bind-host") + 1] == "127.0.0.1"


def test_master_and_worker_wrap_locust() -> None:
    master = argparse.Namespace(command="master", bind_host="*", bind_port=5557)
    assert node_argv(master, "chat.py", ["--headless"]) == [
        "locust", "-f", "chat.py", "--master", "--master-bind-host", "*",
        "--master-bind-port", "5557", "--headless",
    ]  # fmt: skip
    worker = argparse.Namespace(command="worker", master_host="m.example", master_port=6000)
    assert node_argv(worker, "chat.py", []) == [
        "locust", "-f", "chat.py", "--worker",
        "--master-host", "m.example", "--master-port", "6000",
    ]  # fmt: skip


def run_two_workers(out: Path, *options: str) -> dict[str, Any]:
    """``harness run --workers 2`` on the simulator, 4 users; its summary."""
    load = ["-u", "4", "--mock-ttft-ms", "10", "--max-tokens", "8", "--report-dir", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--workers", "2", *load, *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr  # forked workers leave the simulator alone
    summary: dict[str, Any] = orjson.loads((out / "summary.json").read_bytes())
    return summary


@pytest.mark.slow
def test_run_with_two_workers_merges_both(tmp_path: Path) -> None:
    out = tmp_path / "report"
    summary = run_two_workers(out, "-t", "3s")
    files = sorted(out.glob("records-*.jsonl"))
    assert len(files) == 2 and [w["state"] for w in summary["run"]["workers"]] == ["finished"] * 2
    lines = sum(len(path.read_bytes().splitlines()) for path in files)
    assert summary["overall"]["requests"] == lines > 0


@pytest.mark.slow
def test_max_requests_holds_across_workers(tmp_path: Path) -> None:
    out = tmp_path / "report"
    summary = run_two_workers(out, "-t", "60s", "--max-requests", "21")
    run = summary["run"]
    assert run["duration_s"] < 30  # stopped by the limit, not by the clock
    assert sorted(w["stop_reason"] for w in run["workers"]) == [
        f"this worker's share ({share}) of --max-requests 21 reached" for share in (10, 11)
    ]
    lines = sum(len(p.read_bytes().splitlines()) for p in out.glob("records-*.jsonl"))
    assert lines == 21 == summary["overall"]["requests"]
