"""``harness sweep``: each stage is a ``harness run`` of its own, one after the other.

Separate runs keep every stage a complete, ordinary run (its own records and
report under ``stages/``), with a fresh generator, so one stage's backlog
never leaks into the next. The simulator, when no ``--target`` is given, is
started once and serves every stage.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.report.render import publish_reports
from harness.slo.parse import SloRule
from harness.sweep.plan import SweepPlan, parse_loads, parse_seconds, stage_rates
from harness.sweep.slo_check import sweep_rules
from harness.sweep.stage import stage_row
from harness.sweep.stage_run import progress_line, run_stage
from harness.sweep.verdict import capacity, stop_reason

if TYPE_CHECKING:
    from harness.plugins import PluginHost


def add_sweep_parser(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    from harness.mock.config import add_simulator_arguments

    sweep = subparsers.add_parser(
        "sweep",
        help="find the capacity: stages of rising load until an SLO breaks",
        parents=[parent],
        epilog="Other options (--max-tokens, --arrival, --max-concurrency, ...) go to every stage.",
    )
    sweep.add_argument("--rates", default=None, metavar="R1,R2,...", help="offered req/s per stage")
    sweep.add_argument("--start-rate", type=float, default=None, help="first stage's req/s")
    sweep.add_argument("--rate-step", type=float, default=None, help="req/s added per stage")
    sweep.add_argument("--max-rate", type=float, default=None, help="last stage at most")
    sweep.add_argument(
        "--concurrency",
        default=None,
        metavar="U1,U2,...",
        help="closed-loop stages of this many users instead of rates",
    )
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


def sweep_plan(args: argparse.Namespace) -> SweepPlan:
    timing = (parse_seconds(args.warmup, "--warmup"), parse_seconds(args.window, "--window"))
    if args.concurrency:
        users = parse_loads(args.concurrency, "--concurrency")
        return SweepPlan("concurrency", users, *timing, args.min_gain)
    rates = stage_rates(args.rates, args.start_rate, args.rate_step, args.max_rate)
    return SweepPlan("rate", rates, *timing, args.min_gain)


def run_sweep(args: argparse.Namespace, passthrough: list[str], plugins: PluginHost) -> int:
    from harness.mock.config import simulator_config_from_args
    from harness.mock.process import SimulatorProcess

    rules = sweep_rules(args.slo)
    plan = sweep_plan(args)
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
    plan: SweepPlan, rules: list[SloRule], out: Path, stage_args: list[str], plugins: PluginHost
) -> int:
    stages: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    reason = "every stage ran: the last one met the SLOs and throughput still grew"
    for index, load in enumerate(plan.loads, start=1):
        unit = "rps" if plan.mode == "rate" else "users"
        stage_dir = out / "stages" / f"{index:02d}-{load:g}{unit}"
        summary, records = run_stage(plan, load, stage_dir, stage_args)
        row = stage_row(plan, load, records, rules)
        row["report_dir"] = str(stage_dir.relative_to(out))
        stages.append(row)
        summaries.append(summary)
        print(progress_line(row), flush=True)
        stopped = stop_reason(stages, plan.min_gain)
        if stopped is not None:
            reason = stopped
            break
    found = capacity(stages, rules)
    sweep = {
        "plan": {
            "mode": plan.mode,
            "loads": list(plan.loads),
            "warmup_s": plan.warmup_s,
            "window_s": plan.window_s,
            "min_gain": plan.min_gain,
            "slo": [rule.text for rule in rules],
        },
        "stages": stages,
        "capacity": found,
        "stop_reason": reason,
    }
    # The report around the sweep section is the stage at capacity (else the last).
    chosen = [row["stage"] for row in stages].index(found["stage"]) if found["stage"] else -1
    # The load-model report plugin draws the sweep section.
    publish_reports({**summaries[chosen], "sweep": sweep}, out, plugins)
    print(f"capacity: {found['statement']}\nstopped: {reason}\nreport: {out / 'report.html'}")
    return 0
