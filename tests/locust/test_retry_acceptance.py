"""Issue acceptance: retries against a rate-limiting, faulty simulator, in real Locust runs.

Each test starts its own simulator process, runs the harness's ChatUser in
this process (local runner, headless) and checks the records against what
the simulator says it served.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from locust.env import Environment

from harness.backoff import DEFAULT_RETRY_KINDS
from harness.contracts import RequestRecord
from harness.mock.process import SimulatorProcess
from harness.records import read_records

StartSimulator = Callable[..., SimulatorProcess]
RunHeadless = Callable[..., Environment]

# Every ErrorInfo.kind of the contract: a failure outside these is unclassified.
ERROR_KINDS = frozenset(
    {
        "auth", "permission", "not_found", "bad_request", "context_length", "rate_limited",
        "quota", "overloaded", "server", "timeout", "connection", "stream_broken", "protocol",
    }
)  # fmt: skip


def run(
    run_headless: RunHeadless, simulator: SimulatorProcess, report_dir: Path, users: int,
    seconds: float, *args: str,
) -> list[RequestRecord]:  # fmt: skip
    command = ["--host", simulator.url, "--report-dir", str(report_dir), "--target-name", "sim"]
    run_headless([*command, *args], users, seconds, host=simulator.url)
    return list(read_records([report_dir / "records.jsonl"]))


def by_request(records: list[RequestRecord]) -> dict[str, list[RequestRecord]]:
    """Each logical request's attempts, in attempt order."""
    attempts: dict[str, list[RequestRecord]] = defaultdict(list)
    for record in records:
        attempts[record.request_id].append(record)
    for chain in attempts.values():
        chain.sort(key=lambda record: record.attempt)
    return attempts


@pytest.mark.slow
def test_full_jitter_with_a_budget_against_a_600_rpm_server(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    ratio, min_per_s, window_s = 0.2, 1.0, 10.0  # window_s: BudgetSettings' default
    simulator = start_simulator(ttft_ms=20, itl_ms=1, rpm_limit=600, seed=5)
    records = run(
        run_headless, simulator, tmp_path, 16, 15,
        "--rpm", "1200", "--max-tokens", "16",
        "--retry", "full-jitter", "--retry-max-attempts", "5",
        "--retry-budget", str(ratio), "--retry-budget-min-per-s", str(min_per_s),
    )  # fmt: skip
    served = simulator.stats()
    chains = by_request(records)

    # No request lost: every attempt reached the simulator and is recorded once,
    # and every logical request ends in exactly one final record, ok or classified.
    assert len(records) == served["chat_requests"]
    assert sum(r.ok for r in records) == served["completed"]
    assert (
        sum(r.error is not None and r.error.kind == "rate_limited" for r in records)
        == served["rate_limited"]
    )
    assert served["rate_limited"] > 0
    for chain in chains.values():
        assert [r.attempt for r in chain] == list(range(1, len(chain) + 1))
        assert [r.final for r in chain] == [False] * (len(chain) - 1) + [True]
        last = chain[-1]
        assert last.ok or (last.error is not None and last.error.kind in ERROR_KINDS)
        assert all(r.error is not None and r.error.kind == "rate_limited" for r in chain[:-1])

    # Amplification stays within the budget: ratio of the requests plus the
    # floor of min_per_s over each window the run spanned.
    logical = len(chains)
    span_s = max(r.started_at for r in records) - min(r.started_at for r in records)
    windows = math.ceil(span_s / window_s)
    bound = 1 + ratio + min_per_s * window_s * windows / logical
    amplification = len(records) / logical
    assert 1 < amplification <= bound, (amplification, bound)
    assert any(r.throttled_by == "budget" for r in records)  # the budget did refuse some

    # Server hints honoured: a retry whose delay is the previous attempt's
    # Retry-After starts no earlier than that after the previous one ended.
    hinted = 0
    for chain in chains.values():
        for previous, retry in itertools.pairwise(chain):
            assert previous.error is not None
            hint = previous.error.retry_after_s
            assert hint is not None and 0 < hint <= 0.1  # one request's refill at 10/s
            if retry.retry_delay_s != hint:
                continue
            hinted += 1
            assert previous.e2e_s is not None
            gap = retry.started_at - (previous.started_at + previous.e2e_s)
            assert gap >= hint - 0.005, (gap, hint)
    assert hinted > 0


FAULTS = {
    "reset@n=3": "connection",
    "slow_headers:3@n=6": "timeout",
    "http:401@n=9": "auth",
    "http:400@n=12": "bad_request",
    "http:502@n=15": "server",
    "http:503@n=18": "overloaded",
    "http:529@n=21": "overloaded",
    "cut:2@n=24": "stream_broken",
    "stall:3@n=27": "timeout",
    "malformed@n=30": "protocol",
    "429:0.05@n=33": "rate_limited",
}


@pytest.mark.slow
def test_each_fault_has_its_kind_and_only_retryable_kinds_are_retried(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=20, itl_ms=2, faults=tuple(FAULTS))
    records = run(
        run_headless, simulator, tmp_path, 4, 5,
        "--max-tokens", "8", "--read-timeout", "1", "--stall-timeout", "0.5",
        "--retry", "exponential", "--retry-base", "0.01",
    )  # fmt: skip
    assert simulator.stats()["faults_by_spec"] == dict.fromkeys(FAULTS, 1)
    assert len(records) == simulator.stats()["chat_requests"]
    failed = [r for r in records if r.error is not None]
    assert sorted(r.error.kind for r in failed if r.error) == sorted(FAULTS.values())

    chains = by_request(records)
    for record in failed:
        assert record.error is not None
        chain = chains[record.request_id]
        later = [r for r in chain if r.attempt > record.attempt]
        if record.error.kind in DEFAULT_RETRY_KINDS:
            # Retried at once (a retry may itself meet another of the faults).
            assert not record.final and later, record.error
            assert later[0].attempt == record.attempt + 1
        else:
            assert record.final and not later, record.error
    assert {r.error.kind for r in failed if r.final and r.error} == {
        "auth",
        "bad_request",
        "protocol",
    }


@pytest.mark.slow
def test_a_scripted_429_storm_shows_up_in_the_time_series_at_its_time(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=10, itl_ms=1)
    # Alignment: windows are in the simulator's clock (seconds since it
    # started), the time series in epoch seconds. Read both clocks together,
    # write the storm as 4-8 s from now, and start the run at once; the
    # storm then spans epoch [storm, storm + 4) whatever the start-up took.
    now = simulator.clock_s()
    storm = time.time() + 4.0
    simulator.add_fault(f"429:0@t={now + 4:.3f}-{now + 8:.3f}")
    run(run_headless, simulator, tmp_path, 4, 12, "--rpm", "600", "--max-tokens", "8")
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    rows = summary["timeseries"]
    assert len(rows) >= 11

    first, last = math.floor(storm), math.floor(storm + 4.0)
    limited = [row["at"] for row in rows if row["errors_by_kind"].get("rate_limited")]
    # Bins hold completions by the second they ended in: allow one second of
    # slack at each edge for a request in flight across it.
    assert limited and first - 1 <= min(limited) and max(limited) <= last + 1
    for row in rows:
        if first + 1 <= row["at"] <= last - 1:
            assert row["ok"] == 0 and row["errors_by_kind"] == {"rate_limited": row["failed"]}
        elif row["at"] < first - 1 or row["at"] > last + 1:
            # The first and last seconds may hold only the start or end of a request.
            assert row["failed"] == 0 and (row["ok"] > 0 or row is rows[0] or row is rows[-1])
    # In the run's own time axis the storm is at 4-8 s (give or take the start-up).
    storm_t = [row["t"] for row in rows if row["errors_by_kind"].get("rate_limited")]
    assert 3 <= min(storm_t) <= 5 and 7 <= max(storm_t) <= 9
