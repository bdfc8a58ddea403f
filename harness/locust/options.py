"""The harness's options on Locust's own parser (command line, config files, web UI form)."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from typing import Any

from harness.locust.agent_options import add_agent_arguments
from harness.locust.arrival_options import add_arrival_arguments
from harness.locust.slo_options import add_slo_arguments
from harness.locust.workload_options import add_workload_arguments

DEFAULT_MODEL = "sim-gpt"
DEFAULT_REPORT_DIR = "harness-report"


def _money(text: str) -> str:
    """Kept as text, so the budget is an exact Decimal later."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected an amount like 5.00, got {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"the budget must be a positive amount, got {text!r}")
    return text


def add_harness_arguments(parser: Any) -> None:
    """Register on Locust's parser; values reach workers at test start.

    Locust's ``include_in_web_ui`` works on the parser itself, not on argument
    groups, so the options are added there.
    """
    parser.add_argument(
        "--provider",
        default="openai",
        help="provider adapter that speaks the target's wire format (see `harness plugins`)",
        env_var="HARNESS_PROVIDER",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help="model name sent in each request",
        env_var="HARNESS_MODEL",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--max-tokens",
        type=int,
        default=128,
        help="output tokens requested per call",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--prompt-tokens",
        type=int,
        default=128,
        help="size of each synthetic prompt, in words",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--stream",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="stream responses (SSE); --no-stream waits for whole bodies",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--workload",
        default="synthetic",
        help="workload that builds the requests (see `harness plugins`)",
        env_var="HARNESS_WORKLOAD",
        include_in_web_ui=True,
    )
    add_workload_arguments(parser)
    add_agent_arguments(parser)
    add_slo_arguments(parser)
    add_arrival_arguments(parser)
    parser.add_argument(
        "--sink",
        action="append",
        default=None,
        metavar="NAME",
        help="extra record sink besides records.jsonl (repeatable)",
        include_in_web_ui=False,
    )
    parser.add_argument(
        "--records-gzip",
        action="store_true",
        default=False,
        help="write records.jsonl.gz (gzip, flushed per record) instead of records.jsonl",
        include_in_web_ui=False,
    )
    parser.add_argument(
        "--plugin",
        action="append",
        default=None,
        metavar="MODULE",
        help="import a local plugin module (repeatable; also HARNESS_PLUGINS=a,b)",
        include_in_web_ui=False,
    )
    parser.add_argument(
        "--disable-plugin",
        action="append",
        default=None,
        metavar="NAME",
        help="never load this plugin (repeatable; also HARNESS_DISABLE_PLUGINS=a,b)",
        include_in_web_ui=False,
    )
    parser.add_argument(
        "--retry",
        default=None,
        metavar="POLICY",
        help="retry policy: none (default), fixed, exponential, full-jitter, equal-jitter, "
        "decorrelated-jitter, or a plugin's; also [retry] policy in harness.toml",
        env_var="HARNESS_RETRY",
        include_in_web_ui=True,
    )
    # No defaults here: an option left out falls back to [retry] in harness.toml,
    # then to the built-in default (harness.retry_settings).
    for name, kind, what in (
        ("retry-max-attempts", int, "attempts per request, the first included (3)"),
        ("retry-base", float, "seconds: first backoff step (0.5)"),
        ("retry-cap", float, "seconds: longest computed backoff (8)"),
        ("retry-hint-cap", float, "seconds: longest server Retry-After honoured (60)"),
        ("retry-budget", float, "retries allowed per request, over a 10 s window (0.2)"),
        ("retry-budget-min-per-s", float, "retries per second always allowed (10)"),
    ):
        parser.add_argument(f"--{name}", type=kind, default=None, help=what)
    parser.add_argument(
        "--prices",
        action="append",
        default=None,
        metavar="FILE",
        help="price table to use before the built-in one: TOML, or a LiteLLM .json map",
        include_in_web_ui=False,
    )
    parser.add_argument(
        "--router",
        default=None,
        metavar="NAME",
        help="route each request to a target: prompt-size, by-role, or a plugin's "
        "(settings from [routing] in harness.toml)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--budget",
        type=_money,
        default=None,
        metavar="AMOUNT",
        help="stop sending once spend (actual + in flight) would pass this, in the report currency",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=None,
        help="stop sending after this many logical requests; calls in flight finish",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--rpm",
        type=float,
        default=None,
        help="client-side limit: requests per minute per target",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--tpm",
        type=float,
        default=None,
        help="client-side limit: tokens per minute per target (input estimate + max tokens)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--limit-burst-s", type=float, default=1.0, help="seconds of limit a burst may use"
    )
    parser.add_argument(
        "--api-key-env",
        default=None,
        help="name of the environment variable holding the API key (never the key itself)",
        env_var="HARNESS_API_KEY_ENV",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--secrets-file",
        default=None,
        help="file of NAME=value lines to read the API key variable from",
        include_in_web_ui=False,
    )
    parser.add_argument(
        "--report-dir",
        default=DEFAULT_REPORT_DIR,
        help="where records.jsonl, summary.json and report.html are written",
        env_var="HARNESS_REPORT_DIR",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--target-name",
        default=None,
        help="name of the target in reports (default: the host)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--targets",
        default=None,
        metavar="A,B,C",
        help="run the same workload against these targets of harness.toml, side by side",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--harness-config",
        default=None,
        metavar="PATH",
        help="file defining the targets (default: ./harness.toml)",
        include_in_web_ui=False,
    )
    # Set by `harness run`: which targets its embedded simulators serve, at which URL.
    parser.add_argument("--simulated-targets", default=None, help=argparse.SUPPRESS)
    # Set by `harness run` so the report can show the simulator's settings.
    parser.add_argument("--simulator-settings", default=None, help=argparse.SUPPRESS)
    for name, default, what in (
        ("connect-timeout", 10.0, "to open a connection"),
        ("read-timeout", 120.0, "for response headers"),
        ("stall-timeout", 30.0, "of silence mid-stream before the call fails"),
        ("request-timeout", 600.0, "for a whole call"),
    ):
        parser.add_argument(
            f"--{name}",
            type=float,
            default=default,
            help=f"seconds {what}",
            include_in_web_ui=False,
        )
