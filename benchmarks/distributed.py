"""More generator capacity on one machine: ``harness run`` alone against ``--workers N``.

A zero-latency simulator runs in its own process; ``harness run`` then drives
it for ``--duration`` seconds with ``--users`` users, first as one Locust
process, then as a master with ``--workers`` worker processes (Locust's
``--processes``). Printed per mode: completed streams/s and output tokens/s
over the measured window of the run's ``summary.json`` (the master's merged
numbers in distributed mode), failed requests, and the ratio of the two.

    python benchmarks/distributed.py [--duration 15] [--users 64] [--workers 2]

The simulator shares the machine's cores with the generators, so on a small
machine the figures measure the whole box; other processes running at the
same time lower both figures. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from harness.mock.config import SimulatorConfig  # noqa: E402
from harness.mock.process import SimulatorProcess  # noqa: E402


def run_once(url: str, args: argparse.Namespace, workers: int | None, out: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "harness.cli", "run", "--target", url]
    command += ["--target-name", "simulator", "-u", str(args.users), "-t", f"{args.duration}s"]
    command += ["--max-tokens", str(args.max_tokens), "--report-dir", str(out)]
    if workers is not None:
        command += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text())
    return summary["overall"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=32)
    args = parser.parse_args()
    config = SimulatorConfig(ttft_ms=0, itl_ms=0, default_output_tokens=args.max_tokens)
    print(
        f"{os.cpu_count()} cores; {args.users} users for {args.duration} s each; "
        f"zero-latency simulator, {args.max_tokens} output tokens per stream"
    )
    print(f"{'mode':<14} {'streams/s':>10} {'tokens/s':>10} {'requests':>9} {'failed':>7}")
    figures = {}
    with SimulatorProcess(config) as simulator, tempfile.TemporaryDirectory() as scratch:
        for label, workers in (("one process", None), (f"--workers {args.workers}", args.workers)):
            overall = run_once(
                simulator.url, args, workers, Path(scratch) / label.replace(" ", "_")
            )
            rates = overall["throughput"]
            figures[label] = rates["requests_per_s"]
            print(
                f"{label:<14} {rates['requests_per_s']:>10.0f} "
                f"{rates['output_tokens_per_s']:>10.0f} {overall['requests']:>9} "
                f"{overall['failed']:>7}"
            )
    single, several = figures.values()
    print(f"ratio: {several / single:.2f}x the streams/s of one process")


if __name__ == "__main__":
    main()
