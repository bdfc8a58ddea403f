"""A real master and two real worker processes on loopback against the simulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from harness_command import HARNESS

from harness.cluster import free_loopback_port
from harness.records import read_records

pytestmark = pytest.mark.slow


def simulator_stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/_harness/stats", timeout=5) as response:
        stats: dict[str, Any] = json.load(response)
    return stats


@contextmanager
def cluster(
    tmp_path: Path, simulator_url: str, seconds: int, users: int = 4
) -> Iterator[tuple[subprocess.Popen[str], list[subprocess.Popen[str]]]]:
    """``harness master`` (headless) and two ``harness worker`` processes."""
    port = str(free_loopback_port())
    load = ["--headless", "--expect-workers", "2", "-u", str(users), "-r", str(users)]
    load += ["-t", f"{seconds}s", "--stop-timeout", "10", "--host", simulator_url]
    load += ["--max-tokens", "16", "--report-dir", str(tmp_path / "report")]
    master = subprocess.Popen(
        [*HARNESS, "master", "--bind-host", "127.0.0.1", "--bind-port", port, *load],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    workers = [
        subprocess.Popen(
            [*HARNESS, "worker", "--master-host", "127.0.0.1", "--master-port", port],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        yield master, workers
    finally:
        for process in [master, *workers]:
            if process.poll() is None:
                process.kill()
            process.wait()


def records_of(report: Path) -> dict[str, list[Any]]:
    return {path.name: list(read_records([path])) for path in sorted(report.glob("records-*"))}


def test_master_merges_the_workers_exactly(tmp_path: Path, start_simulator: Any) -> None:
    simulator = start_simulator(ttft_ms=20, itl_ms=2, jitter=0.3)
    with cluster(tmp_path, simulator.url, seconds=4) as (master, _):
        output, _ = master.communicate(timeout=90)
    assert master.returncode == 0, output[-3000:]
    report = tmp_path / "report"
    summary = orjson.loads((report / "summary.json").read_bytes())
    files = records_of(report)
    assert len(files) == 2 and not (report / "records.jsonl").exists()
    records = [record for found in files.values() for record in found]
    stats = simulator_stats(simulator.url)
    overall = summary["overall"]
    assert overall["requests"] == stats["chat_requests"] == len(records) > 10
    output_tokens = sum(r.usage.output_tokens for r in records if r.usage is not None)
    assert overall["tokens"]["output"] == stats["output_tokens"] == output_tokens
    assert [w["state"] for w in summary["run"]["workers"]] == ["finished", "finished"]
    # The workers' event loops and CPU, sampled there, not the idle master's.
    samples = [w["generator"]["samples"] for w in summary["run"]["workers"]]
    assert min(samples) > 0 and summary["run"]["generator"]["samples"] == sum(samples)
    assert summary["run"]["partial"] is False

    rebuilt = subprocess.run(
        [*HARNESS, "report", *map(str, report.glob("records-*.jsonl")), "-o", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    again = orjson.loads((tmp_path / "r" / "summary.json").read_bytes())["overall"]
    for quantile in ("p50", "p99"):
        mine, theirs = overall["latency"]["ttft"][quantile], again["latency"]["ttft"][quantile]
        assert mine == pytest.approx(theirs, rel=1e-9)
    assert again["requests"] == overall["requests"]


def test_a_killed_worker_leaves_a_partial_consistent_report(
    tmp_path: Path, start_simulator: Any
) -> None:
    simulator = start_simulator(ttft_ms=20, itl_ms=2)
    report = tmp_path / "report"
    with cluster(tmp_path, simulator.url, seconds=10) as (master, workers):
        deadline = time.monotonic() + 30
        while len([p for p in report.glob("records-*") if p.stat().st_size]) < 2:
            assert time.monotonic() < deadline, "the workers sent no requests"
            time.sleep(0.2)
        # After a delta (workers report every 3 s), well before the end.
        time.sleep(4.5)
        os.kill(workers[1].pid, signal.SIGKILL)
        output, _ = master.communicate(timeout=120)
    assert (report / "summary.json").is_file(), output[-3000:]
    summary = orjson.loads((report / "summary.json").read_bytes())
    run = summary["run"]
    assert run["partial"] is True
    states = {w["name"]: w["state"] for w in run["workers"]}
    assert sorted(states.values()) == ["finished", "missing"], states
    lost = next(name for name, state in states.items() if state == "missing")
    warning = next(w for w in run["warnings"] if f"worker {lost} stopped reporting" in w)
    assert f"records-{lost}.jsonl" in warning and warning in output
    files = records_of(report)
    survivor = len(files[f"records-{next(n for n in states if n != lost)}.jsonl"])
    killed = len(files[f"records-{lost}.jsonl"])
    # The survivor's every record and the killed worker's up to its last delta.
    overall = summary["overall"]
    assert survivor < overall["requests"] <= survivor + killed
    assert overall["requests"] == overall["ok"] + overall["failed"]
    assert overall["latency"]["ttft"]["count"] == overall["ok"]
