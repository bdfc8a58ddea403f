"""Issue acceptance: a sweep against a simulator of known capacity finds it within 15 %."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# 8 slots, each request 100 ms to the first token + 19 gaps of 10 ms: 0.29 s of service.
SLOTS, TTFT_MS, ITL_MS, TOKENS = 8, 100, 10, 20
CAPACITY_RPS = SLOTS / ((TTFT_MS + (TOKENS - 1) * ITL_MS) / 1000)


def sweep(out: Path, *args: str) -> tuple[dict[str, Any], str]:
    """Run ``harness sweep ARGS`` into ``out``: its ``sweep`` block and what it printed."""
    command = [sys.executable, "-m", "harness.cli", "sweep", *args, "--report-dir", str(out)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    block: dict[str, Any] = json.loads((out / "summary.json").read_text())["sweep"]
    return block, finished.stdout


@pytest.mark.slow
def test_the_sweep_finds_the_simulators_capacity(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    found, printed = sweep(
        out,
        *("--rates", "20,26,32", "--warmup", "1s", "--window", "4s"),
        *("--slo", "ttft.p95<600ms", "--slo", "error_rate<1%"),
        *("--mock-slots", str(SLOTS), "--mock-ttft-ms", str(TTFT_MS)),
        *("--mock-itl-ms", str(ITL_MS), "--max-tokens", str(TOKENS), "--arrival", "constant"),
    )
    stages, capacity = found["stages"], found["capacity"]
    assert capacity["rps"] == pytest.approx(CAPACITY_RPS, rel=0.15), printed
    assert capacity["statement"].startswith(
        f"max {capacity['rps']:.1f} req/s with TTFT p95 < 600 ms"
    )
    assert found["stop_reason"].startswith("SLO broken at 32 req/s: ttft.p95<600ms")
    # Past the capacity the queue builds: latency rises, throughput does not follow the offer.
    assert [stage["slo_passed"] for stage in stages] == [True, True, False]
    assert stages[-1]["ttft"]["p95"] > 2 * stages[0]["ttft"]["p95"]
    assert stages[-1]["achieved_rps"] < 0.95 * 32
    html = (out / "report.html").read_text()
    assert "Capacity sweep" in html and "Latency against offered load" in html
    assert (out / stages[0]["report_dir"] / "records.jsonl").is_file()
    assert capacity["statement"] in printed


@pytest.mark.slow
def test_a_concurrency_sweep_runs_closed_loop_stages(tmp_path: Path) -> None:
    found, _ = sweep(
        tmp_path / "sweep",
        *("--concurrency", "1,4", "--warmup", "0.5s", "--window", "2s"),
        *("--mock-ttft-ms", "50", "--max-tokens", "4"),
    )
    one, four = found["stages"]
    assert (one["stage"], four["users"], four["offered_rps"]) == ("1 user", 4, None)
    # Four users of a simulator without slots serve about four times one user's rate.
    assert four["achieved_rps"] > 3 * one["achieved_rps"]
    assert found["capacity"]["users"] == 4
    assert "(at 4 users)" in found["capacity"]["statement"]
