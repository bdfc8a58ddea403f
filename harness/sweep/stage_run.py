"""Running one sweep stage: ``harness run`` in a subprocess, into the stage's own report dir."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

from harness.contracts import RequestRecord
from harness.errors import HarnessConfigError
from harness.records import read_records
from harness.sweep.plan import SweepPlan


def stage_load_args(plan: SweepPlan, load: float) -> list[str]:
    if plan.mode == "rate":
        return ["--rate", f"{load:g}"]
    users = str(int(load))
    return ["-u", users, "-r", users]


def run_stage(
    plan: SweepPlan, load: float, stage_dir: Path, stage_args: list[str]
) -> tuple[dict[str, Any], list[RequestRecord]]:
    """The stage's summary and every record it wrote (all workers' files)."""
    command = [
        *(sys.executable, "-m", "harness.cli", "run", *stage_load_args(plan, load)),
        # Locust takes whole seconds; the measured window is cut from the records.
        *("-t", f"{math.ceil(plan.stage_run_s)}s", "--report-dir", str(stage_dir), *stage_args),
    ]
    stage_dir.mkdir(parents=True, exist_ok=True)
    with open(stage_dir / "stage.log", "wb") as log:
        finished = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
    summary_path = stage_dir / "summary.json"
    if not summary_path.is_file():
        raise HarnessConfigError(
            f"sweep stage at {plan.label(load)} wrote no summary (exit code "
            f"{finished.returncode}); see {stage_dir / 'stage.log'}"
        )
    summary: dict[str, Any] = json.loads(summary_path.read_text(encoding="utf-8"))
    records = list(read_records(sorted(stage_dir.glob("records*.jsonl*"))))
    return summary, records


def progress_line(row: dict[str, Any]) -> str:
    p95 = row["ttft"]["p95"]
    ttft = "-" if p95 is None else f"{p95 * 1000:.0f} ms"
    verdict = "pass" if row["slo_passed"] else "FAIL"
    return (
        f"stage {row['stage']}: achieved {row['achieved_rps']:.2f} req/s, "
        f"goodput {row['goodput_rps']:.2f}, TTFT p95 {ttft}, SLO {verdict}"
    )
