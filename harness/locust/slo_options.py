"""SLO, phase, stop-rule and generator-health options on Locust's parser."""

from __future__ import annotations

import argparse
from typing import Any

from harness.slo.phases import parse_duration


# Defaults are None: the web UI form then hands the typed text over as it is
# (it would cast to the default's type), and harness.locust.run_guards reads both.
def _duration(text: str) -> float:
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return seconds


def _percent(text: str) -> float:
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage like 5%, got {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0% to 100%, got {text!r}")
    return value


def add_slo_arguments(parser: Any) -> None:
    parser.add_argument(
        "--slo",
        action="append",
        default=None,
        metavar="RULE",
        help="service-level objective, e.g. 'ttft.p95<500ms', 'error_rate<1%%', "
        "'targets[NAME].e2e.p99<20s' (repeatable; several per value with ';'); "
        "also [slo] rules in harness.toml. A broken SLO exits 1",
        include_in_web_ui=True,
    )
    for name, what in (
        ("warmup", "attempts started in the first DURATION (e.g. 10s) are recorded, not measured"),
        (
            "cooldown",
            "attempts started in the last DURATION of --run-time are recorded, not measured",
        ),
    ):
        parser.add_argument(
            f"--{name}",
            type=_duration,
            default=None,
            metavar="DURATION",
            help=what,
            include_in_web_ui=True,
        )
    parser.add_argument(
        "--max-error-rate",
        type=_percent,
        default=None,
        metavar="PERCENT",
        help="stop the run when more than PERCENT (e.g. 5%%) of the last 100 attempts failed "
        "(checked from the 20th attempt)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--stop-on-oversaturation",
        action="store_true",
        default=False,
        help="stop the run when latency and requests in flight both rise steadily over 10 s",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--saturation-fatal",
        action="store_true",
        default=False,
        help="exit 3 when the load generator itself was saturated (CPU or event-loop lag)",
        include_in_web_ui=False,
    )
