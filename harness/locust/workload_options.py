"""The workload options (prompt and output lengths, datasets, packs, shared prefix).

Values are checked while the command line is parsed, so a bad spec or a bad
dataset line stops the run with ``file:line: what was expected`` before any
user starts; the workloads check them again when created, for callers that
build options without this parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from harness.distributions import parse_distribution
from harness.errors import HarnessConfigError
from harness.prompt_dataset import load_dataset
from harness.workload_knobs import parse_shared_prefix


def checked(check: Callable[[str], object]) -> Callable[[str], str]:
    """An argparse type that runs ``check`` and keeps the text (options travel to workers)."""

    def parse(text: str) -> str:
        try:
            check(text)
        except HarnessConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text

    return parse


def _distribution(option: str) -> Callable[[str], str]:
    return checked(lambda spec: parse_distribution(spec, option))


def add_workload_arguments(parser: Any) -> None:
    """Register on Locust's parser, beside the harness's other options."""
    for name, default_option in (
        ("prompt-dist", "--prompt-tokens"),
        ("output-dist", "--max-tokens"),
    ):
        parser.add_argument(
            f"--{name}",
            default=None,
            metavar="SPEC",
            type=_distribution(f"--{name}"),
            help=f"length distribution: fixed:N, uniform:LO-HI, normal:MEAN,SD, "
            f"lognormal:MEDIAN,SIGMA or empirical:FILE (default: fixed {default_option})",
            include_in_web_ui=True,
        )
    parser.add_argument(
        "--dataset",
        default=None,
        metavar="FILE.jsonl",
        type=checked(load_dataset),
        help='prompts for --workload dataset: one {"messages": [...], "max_tokens": N} per line',
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--prompt-pack",
        default=None,
        metavar="NAME",
        help="built-in prompts for --workload pack: coding, support or analysis",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--shared-prefix",
        default=None,
        metavar="PCT:TOKENS",
        type=checked(parse_shared_prefix),
        help="PCT%% of synthetic prompts start with the same TOKENS words (prompt caching)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--workload-seed",
        type=int,
        default=None,
        metavar="N",
        help="seed for prompt lengths, words and dataset order (default: differs per run)",
        include_in_web_ui=False,
    )
