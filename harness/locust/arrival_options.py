"""Load-model options: arrival rate and process, the pool, trace replay, load shape.

Checked while the command line is parsed, so a bad trace row stops the run
with ``file:line: key ...`` before anything is sent.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.arrivals.process import ARRIVAL_KINDS
from harness.arrivals.trace import load_trace
from harness.load_shapes import parse_shape
from harness.locust.workload_options import checked


def _number(kind: type[float] | type[int], zero_allowed: bool = False) -> Any:
    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not (value >= 0 if zero_allowed else value > 0) or value != value:
            bound = ">= 0" if zero_allowed else "> 0"
            raise argparse.ArgumentTypeError(f"expected a number {bound}, got {text!r}")
        return value

    return parse


def add_arrival_arguments(parser: Any) -> None:
    """Register on Locust's parser (values reach workers with the others)."""
    parser.add_argument(
        "--rate",
        type=_number(float),
        default=None,
        metavar="REQ_PER_S",
        help="open loop: start requests at this mean rate, whatever the answers take "
        "(locustfiles/arrivals.py; split evenly over --expect-workers workers)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--arrival",
        default="poisson",
        choices=ARRIVAL_KINDS,
        help="arrival process of --rate: constant, poisson (default) or gamma",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--burstiness",
        type=_number(float),
        default=1.0,
        help="gamma shape of --arrival gamma: 1 = Poisson, < 1 burstier, > 1 smoother",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--max-concurrency",
        type=_number(int),
        default=256,
        help="open loop: requests in flight at most per process; later arrivals queue",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--max-queue",
        type=_number(int, zero_allowed=True),
        default=1000,
        help="open loop: arrivals waiting for the pool at most; more are dropped "
        "(counted as client saturation)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--trace",
        default=None,
        metavar="FILE.jsonl",
        type=checked(lambda name: load_trace(Path(name))),
        help='replay a trace: {"timestamp": S, "input_tokens": N, "output_tokens": M, '
        '"messages"?, "model"?} per line, on its own schedule',
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--load-shape",
        default=None,
        metavar="KIND:KEY=VALUE,...",
        type=checked(parse_shape),
        help="users over time: ramp:users=64,over=2m,hold=1m | step:start=8,step=8,every=30s,"
        "max=64 | spike:base=8,peak=64,at=1m,for=30s,total=3m | soak:users=32,ramp=1m,hold=1h "
        "(also [shape] in harness.toml)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--time-scale",
        type=_number(float),
        default=1.0,
        help="trace replay speed: 2 replays twice as fast (half the gaps), 0.5 half as fast",
        include_in_web_ui=True,
    )
