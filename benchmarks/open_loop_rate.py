"""Does an open-loop Poisson run deliver the rate it was asked for? (issue 8 acceptance)

Runs ``harness run --rate RATE --arrival poisson`` for DURATION seconds against
the embedded simulator, then prints from the run's records: the arrivals
scheduled, the achieved rate (scheduled arrivals over the span from the run's
start to the last arrival) and its deviation from the requested rate, the
Kolmogorov-Smirnov distance of the inter-arrival gaps from the exponential
distribution (with the 1 % critical value for that many gaps), and the
schedule lag (actual minus intended start).

    python benchmarks/open_loop_rate.py [--rate 20] [--duration 60]

127.0.0.1 only; stops by itself.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.records import read_records


def ks_distance(gaps: list[float], rate: float) -> float:
    ordered = sorted(gaps)
    n = len(ordered)
    return max(
        max(abs((i + 1) / n - (1 - math.exp(-rate * g))), abs(i / n - (1 - math.exp(-rate * g))))
        for i, g in enumerate(ordered)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--duration", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [
                *(sys.executable, "-m", "harness.cli", "run", "--rate", f"{args.rate:g}"),
                *("--arrival", "poisson", "-t", f"{args.duration}s", "--report-dir", out),
                *("--mock-ttft-ms", "50", "--mock-itl-ms", "5", "--max-tokens", "16"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        summary = json.loads((Path(out) / "summary.json").read_text())
        due = sorted(
            r.scheduled_at
            for r in read_records([Path(out) / "records.jsonl"])
            if r.scheduled_at is not None and r.final
        )
    arrivals = summary["arrivals"]
    span = due[-1] - summary["run"]["started_at"]
    achieved = arrivals["scheduled"] / span
    gaps = [b - a for a, b in itertools.pairwise(due)]
    lag = arrivals["schedule_lag"]
    print(f"requested {args.rate:g} req/s for {args.duration} s (Poisson)")
    print(
        f"scheduled {arrivals['scheduled']}, started {arrivals['started']}, "
        f"dropped {arrivals['dropped']}"
    )
    print(
        f"achieved {achieved:.2f} req/s over {span:.1f} s: "
        f"{(achieved / args.rate - 1) * 100:+.1f} % from the requested rate"
    )
    print(
        f"KS distance of {len(gaps)} gaps from exponential: {ks_distance(gaps, args.rate):.4f} "
        f"(1 % critical value {1.63 / math.sqrt(len(gaps)):.4f})"
    )
    print(
        f"schedule lag p50 {lag['p50'] * 1000:.2f} ms, p99 {lag['p99'] * 1000:.2f} ms, "
        f"max {lag['max'] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
