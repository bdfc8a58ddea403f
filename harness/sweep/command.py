"""``harness sweep``: each stage is a ``harness run --rate R`` of its own, one after the other.

Separate runs keep every stage a complete, ordinary run (its own records and
report under ``stages/``), with a fresh generator, so one stage's backlog
never leaks into the next. The simulator, when no ``--target`` is given, is
started once and serves every stage.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessConfigError
from harness.records import read_records
from harness.report.render import write_reports
from harness.report.sweep_section import sweep_section
from harness.slo.parse import SloRule
from harness.sweep.plan import SweepPlan, parse_seconds, stage_rates
from harness.sweep.slo_check import sweep_rules
from harness.sweep.stage import stage_row
from harness.sweep.verdict import capacity, stop_reason

if TYPE_CHECKING:
    from harness.plugins import PluginHost


def add_sweep_parser(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    from harness.mock.config import add_simulator_arguments

    sweep = subparsers.add_parser(
        "sweep",
        help="find the capacity: open-loop stages of rising rate until an SLO breaks",
        parents=[parent],
        epilog="Other options (--max-tokens, --arrival, --max-concurrency, ...) go to every stage.",
    )
    sweep.add_argument("--rates", default=None, metavar="R1,R2,...", help="offered req/s per stage")
    sweep.add_argument("--start-rate", type=float, default=None, help="first stage's req/s")
    sweep.add_argument("--rate-step", type=float, default=None, help="req/s added per stage")
    sweep.add_argument("--max-rate", type=float, default=None, help="last stage at most")
    sweep.add_argument("--warmup", default="5s", help="per stage, not measured (default 5s)")
    sweep.add_argument("--window", default="20s", help="measured time per stage (default 20s)")
    sweep.add_argument(
        "--slo",
        action="append",
        default=[],
        metavar="RULE",
        help="e.g. 'ttft.p95<500ms', 'error_rate<1%%' (repeatable); a stage breaking one ends "
        "the sweep",
    )
    sweep.add_argument(
        "--min-gain",
        type=float,
        default=0.05,
        help="stop once throughput grows less than this from one stage to the next (0.05)",
    )
    sweep.add_argument("--target", default=None, help="base URL (default: the embedded simulator)")
    sweep.add_argument("--report-dir", default="sweep-report", help="default sweep-report/")
    add_simulator_arguments(sweep, prefix="mock-")


def run_sweep(args: argparse.Namespace, passthrough: list[str], plugins: PluginHost) -> int:
    from harness.mock.config import simulator_config_from_args
    from harness.mock.process import SimulatorProcess

    rules = sweep_rules(args.slo)
    plan = SweepPlan(
        stage_rates(args.rates, args.start_rate, args.rate_step, args.max_rate),
        parse_seconds(args.warmup, "--warmup"),
        parse_seconds(args.window, "--window"),
        args.min_gain,
    )
    out = Path(args.report_dir)
    passthrough = [*(arg for module in args.plugin for arg in ("--plugin", module)), *passthrough]
    passthrough += [arg for name in args.plugin_switches for arg in ("-p", name)]
    if args.target:
        return _sweep(plan, rules, out, ["--target", args.target, *passthrough], plugins)
    config = simulator_config_from_args(args, prefix="mock-")
    with SimulatorProcess(config) as simulator:
        settings = json.dumps(dataclasses.asdict(config))
        target = ["--target", simulator.url, "--target-name", "simulator"]
        stage_args = [*target, "--simulator-settings", settings, *passthrough]
        return _sweep(plan, rules, out, stage_args, plugins)


def _sweep(
    plan: SweepPlan,
    rules: list[SloRule],
    out: Path,
    stage_args: list[str],
    plugins: PluginHost,
) -> int:
    stages: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    reason = "every stage ran: the highest rate met the SLOs and throughput still grew"
    for index, rate in enumerate(plan.rates, start=1):
        stage_dir = out / "stages" / f"{index:02d}-{rate:g}rps"
        summary = _run_stage(rate, plan, stage_dir, stage_args)
        records = [
            record
            for path in sorted(stage_dir.glob("records*.jsonl*"))
            for record in read_records([path])
        ]
        row = stage_row(rate, records, plan.warmup_s, plan.window_s, rules)
        row["report_dir"] = str(stage_dir.relative_to(out))
        stages.append(row)
        summaries.append(summary)
        print(_progress(row), flush=True)
        stopped = stop_reason(stages, plan.min_gain)
        if stopped is not None:
            reason = stopped
            break
    found = capacity(stages, rules)
    sweep = {
        "plan": {
            "rates": list(plan.rates),
            "warmup_s": plan.warmup_s,
            "window_s": plan.window_s,
            "min_gain": plan.min_gain,
            "slo": [rule.text for rule in rules],
        },
        "stages": stages,
        "capacity": found,
        "stop_reason": reason,
    }
    at_capacity = next(
        (
            s
            for s, row in zip(summaries, stages, strict=True)
            if row["offered_rps"] == found["offered_rps"]
        ),
        summaries[-1],
    )
    report = {**at_capacity, "sweep": sweep}
    sections, warnings = plugins.report_sections(report)
    report["run"]["warnings"] = [*report["run"]["warnings"], *warnings]
    write_reports(report, out, [*sections, sweep_section(sweep)])
    print(f"capacity: {found['statement']}\nstopped: {reason}\nreport: {out / 'report.html'}")
    return 0


def _run_stage(
    rate: float, plan: SweepPlan, stage_dir: Path, stage_args: list[str]
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "harness.cli",
        "run",
        *("--rate", f"{rate:g}", "-t", f"{plan.stage_run_s:g}s", "--report-dir", str(stage_dir)),
        *stage_args,
    ]
    stage_dir.mkdir(parents=True, exist_ok=True)
    with open(stage_dir / "stage.log", "wb") as log:
        finished = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
    summary_path = stage_dir / "summary.json"
    if not summary_path.is_file():
        raise HarnessConfigError(
            f"sweep stage at {rate:g} req/s wrote no summary (exit code {finished.returncode}); "
            f"see {stage_dir / 'stage.log'}"
        )
    loaded: dict[str, Any] = json.loads(summary_path.read_text(encoding="utf-8"))
    return loaded


def _progress(row: dict[str, Any]) -> str:
    p95 = row["ttft"]["p95"]
    ttft = "-" if p95 is None else f"{p95 * 1000:.0f} ms"
    verdict = "pass" if row["slo_passed"] else "FAIL"
    return (
        f"stage {row['offered_rps']:g} req/s: achieved {row['achieved_rps']:.2f}, "
        f"goodput {row['goodput_rps']:.2f}, TTFT p95 {ttft}, SLO {verdict}"
    )
