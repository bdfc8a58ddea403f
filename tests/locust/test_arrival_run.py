"""Open loop on a real local Locust run: the rate holds, queue_s and drops show saturation."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from locust.env import Environment

from harness.locust import ArrivalUser
from harness.locust.lifecycle import llm_run_for
from harness.mock.process import SimulatorProcess
from harness.records import read_records

StartSimulator = Callable[..., SimulatorProcess]


def open_loop(
    run_headless: Callable[..., Environment],
    host: str,
    report_dir: Path,
    seconds: float,
    *args: str,
) -> dict[str, Any]:
    command = ["--host", host, "--report-dir", str(report_dir), "--workload-seed", "5", *args]
    environment = run_headless(command, 1, seconds, host=host, user_classes=(ArrivalUser,))
    summary = llm_run_for(environment).last_summary
    assert summary is not None
    return summary


def test_a_poisson_run_delivers_the_requested_rate(
    start_simulator: StartSimulator, run_headless: Callable[..., Environment], tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=20, itl_ms=2)
    summary = open_loop(
        run_headless, simulator.url, tmp_path, 4, "--rate", "40", "--max-tokens", "8"
    )
    arrivals = summary["arrivals"]

    assert arrivals["mode"] == "poisson"
    assert arrivals["dropped"] == 0
    assert arrivals["scheduled"] == arrivals["started"] == summary["overall"]["requests"]
    # Requests went out at the rate asked for: a loose bound for a 4 s run (about 160
    # arrivals; the distribution is tested in tests/arrivals, the 60 s figure is a benchmark).
    starts = sorted(r.started_at for r in read_records([tmp_path / "records.jsonl"]))
    assert (len(starts) - 1) / (starts[-1] - starts[0]) == pytest.approx(40, rel=0.15)
    assert arrivals["schedule_lag"]["p50"] < 0.05


def test_queue_s_grows_when_the_pool_is_exhausted(
    start_simulator: StartSimulator, run_headless: Callable[..., Environment], tmp_path: Path
) -> None:
    # Two calls in flight of 0.3 s serve under 7/s; 20/s arrive.
    simulator = start_simulator(ttft_ms=300, itl_ms=1)
    summary = open_loop(
        run_headless,
        simulator.url,
        tmp_path,
        3,
        *("--rate", "20", "--arrival", "constant", "--max-concurrency", "2", "--max-tokens", "2"),
    )
    records = sorted(read_records([tmp_path / "records.jsonl"]), key=lambda r: r.scheduled_at or 0)
    waits = [r.queue_s or 0.0 for r in records]
    third = len(waits) // 3

    assert summary["arrivals"]["max_queued"] > 10
    assert any("schedule lag p99" in warning for warning in summary["run"]["warnings"])
    assert sum(waits[-third:]) / third > sum(waits[:third]) / third + 0.3
    latency = summary["overall"]["latency"]
    assert latency["e2e_scheduled"]["p95"] > latency["e2e"]["p95"] + 0.3
    assert latency["ttft_scheduled"]["p50"] > latency["ttft"]["p50"]
    html = (tmp_path / "report.html").read_text()
    section = html[html.index('id="open-loop"') :]
    assert 'data-key="ttft_scheduled_p50"' in section and "from the due time" in section
    assert "still queued at the end, never sent" in section


def test_arrivals_beyond_the_queue_are_dropped_and_counted(
    start_simulator: StartSimulator, run_headless: Callable[..., Environment], tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=250, itl_ms=1)
    summary = open_loop(
        run_headless,
        simulator.url,
        tmp_path,
        2,
        *("--rate", "20", "--arrival", "constant", "--max-concurrency", "1", "--max-queue", "0"),
    )
    arrivals = summary["arrivals"]

    assert arrivals["dropped"] >= 20
    assert arrivals["started"] == summary["overall"]["requests"]
    assert arrivals["scheduled"] == arrivals["started"] + arrivals["dropped"]
    assert arrivals["dropped_rate"] == pytest.approx(arrivals["dropped"] / arrivals["scheduled"])
    assert any("arrivals dropped" in warning for warning in summary["run"]["warnings"])
    assert summary["run"]["generator"]["saturated"] is True


def test_a_trace_replays_on_its_own_schedule_scaled(
    start_simulator: StartSimulator, run_headless: Callable[..., Environment], tmp_path: Path
) -> None:
    trace = tmp_path / "trace.jsonl"
    trace.write_text(
        "".join(
            json.dumps({"timestamp": 1000 + 0.2 * i, "input_tokens": 5 + i, "output_tokens": 3})
            + "\n"
            for i in range(10)
        )
    )
    simulator = start_simulator(ttft_ms=10, itl_ms=1)
    environment_seconds = 20  # the replay ends the run itself, after about 0.9 s
    summary = open_loop(
        run_headless,
        simulator.url,
        tmp_path,
        environment_seconds,
        *("--trace", str(trace), "--time-scale", "2"),
    )
    records = sorted(read_records([tmp_path / "records.jsonl"]), key=lambda r: r.scheduled_at or 0)

    assert summary["arrivals"]["mode"] == "trace"
    assert [r.usage.output_tokens for r in records if r.usage] == [3] * 10
    assert [r.usage.input_tokens for r in records if r.usage] == list(range(5, 15))
    gaps = [b.scheduled_at - a.scheduled_at for a, b in itertools.pairwise(records)]
    assert gaps == pytest.approx([0.1] * 9, abs=0.002)
    assert summary["run"]["ended_at"] - summary["run"]["started_at"] < 10
    assert summary["arrivals"]["schedule_lag"]["p99"] < 0.1


def test_a_load_shape_sets_the_open_loop_rate_second_by_second(
    start_simulator: StartSimulator, run_headless: Callable[..., Environment], tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=10, itl_ms=1)
    shape = "step:start=10,step=20,every=1s,max=30"
    summary = open_loop(
        run_headless,
        simulator.url,
        tmp_path,
        20,  # the schedule ends the run after 2 s
        *("--arrival", "constant", "--load-shape", shape, "--max-tokens", "2"),
    )
    arrivals = summary["arrivals"]

    assert arrivals["shape"] == "step:start=10,step=20,every=1,max=30"
    assert arrivals["scheduled"] == arrivals["started"] == summary["overall"]["requests"] == 40
    assert summary["run"]["ended_at"] - summary["run"]["started_at"] < 10
