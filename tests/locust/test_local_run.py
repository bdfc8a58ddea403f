"""Issue acceptance: a real local Locust run against the simulator loses nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from locust.env import Environment

from harness.locust.lifecycle import llm_run_for
from harness.mock.process import SimulatorProcess
from harness.records import read_records

StartSimulator = Callable[..., SimulatorProcess]
RunLocally = Callable[..., Environment]


@pytest.fixture
def run_locally(run_headless: Callable[..., Environment]) -> RunLocally:
    """Run ``users`` users against ``host`` (target "sim") for ``seconds``, reporting to a dir."""

    def run(host: str, report_dir: Path, users: int, seconds: float, *args: str) -> Environment:
        command = ["--host", host, "--report-dir", str(report_dir), "--target-name", "sim", *args]
        return run_headless(command, users, seconds, host=host)

    return run


@pytest.mark.slow
def test_records_match_what_the_simulator_served(
    start_simulator: StartSimulator, run_locally: RunLocally, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=200, itl_ms=10, seed=7)
    environment = run_locally(simulator.url, tmp_path, 32, 20, "--max-tokens", "32")
    served = simulator.stats()
    records = list(read_records([tmp_path / "records.jsonl"]))

    assert len(records) == served["chat_requests"] == served["completed"]
    assert all(r.ok for r in records)
    assert sum(r.usage.output_tokens for r in records if r.usage) == served["output_tokens"]

    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    ttft_p50 = summary["overall"]["latency"]["ttft"]["p50"]
    assert abs(ttft_p50 - 0.200) <= 0.005, f"TTFT p50 {ttft_p50 * 1000:.1f} ms"
    assert summary["overall"]["requests"] == len(records)

    # Locust saw every call with its end-to-end time, not its header time.
    total = environment.stats.total
    assert total.num_requests == len(records)
    assert total.avg_response_time >= 200 + 31 * 10
    assert (tmp_path / "report.html").is_file()
    assert llm_run_for(environment).last_summary == summary


@pytest.mark.slow
def test_injected_faults_are_failures_and_the_run_goes_on(
    start_simulator: StartSimulator, run_locally: RunLocally, tmp_path: Path
) -> None:
    faults = ("cut:2@n=3", "malformed@n=6", "http:500@n=9", "429:1@n=12", "stall:5@n=15")
    simulator = start_simulator(ttft_ms=20, itl_ms=5, faults=faults)
    environment = run_locally(
        simulator.url, tmp_path, 4, 6, "--max-tokens", "8", "--stall-timeout", "0.5"
    )
    records = list(read_records([tmp_path / "records.jsonl"]))
    kinds = sorted(r.error.kind for r in records if r.error is not None)
    assert kinds == ["protocol", "rate_limited", "server", "stream_broken", "timeout"]
    assert sum(r.ok for r in records) == len(records) - 5 > 20
    failures = {str(entry.error): entry.occurrences for entry in environment.stats.errors.values()}
    assert sum(failures.values()) == 5
    assert {message.split(":")[0] for message in failures} == set(kinds)
    assert environment.stats.total.num_failures == 5


@pytest.mark.slow
def test_max_requests_stops_the_run_and_says_so(
    start_simulator: StartSimulator, run_locally: RunLocally, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=10, itl_ms=2)
    environment = run_locally(simulator.url, tmp_path, 4, 30, "--max-requests", "25")
    records = list(read_records([tmp_path / "records.jsonl"]))
    assert len(records) == 25 == simulator.stats()["chat_requests"]
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    assert "stopped early: --max-requests 25 reached" in summary["run"]["warnings"]
    assert environment.runner is not None


@pytest.mark.slow
def test_budget_stops_within_one_requests_cost(
    start_simulator: StartSimulator, run_locally: RunLocally, tmp_path: Path
) -> None:
    from decimal import Decimal

    simulator = start_simulator(ttft_ms=5, itl_ms=1)
    run_locally(
        simulator.url, tmp_path, 4, 30,
        "--budget", "0.01", "--max-tokens", "128", "--prompt-tokens", "128",
    )  # fmt: skip
    records = list(read_records([tmp_path / "records.jsonl"]))
    spent = sum(Decimal(r.cost["total"]) for r in records if r.cost)
    # sim-gpt is priced like gpt-4.1-mini: 128 in x $0.40/M + 128 out x $1.60/M.
    one_request = Decimal(128) * Decimal("0.40") / 10**6 + Decimal(128) * Decimal("1.60") / 10**6
    assert Decimal("0.01") - one_request <= spent <= Decimal("0.01")
    assert all(r.ok and r.cost for r in records)
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    assert any(
        w.startswith("stopped early: --budget 0.01 USD reached") for w in summary["run"]["warnings"]
    )
