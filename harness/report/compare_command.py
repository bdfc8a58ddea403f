"""``harness compare BASE NEW [NEW ...]``: exit 0 without regression, 1 with, 2 on bad input."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.errors import HarnessConfigError
from harness.report.compare import DEFAULT_TOLERANCES, compare_runs, parse_tolerances

HTML_FILE = "compare.html"
MARKDOWN_FILE = "compare.md"
EXIT_REGRESSION = 1

_DEFAULTS = ", ".join(f"{metric}={limit}" for metric, limit in DEFAULT_TOLERANCES.items())


def add_compare_parser(subparsers: argparse._SubParsersAction) -> None:
    compare = subparsers.add_parser(
        "compare",
        help="compare runs against a base run; exit 1 on a regression",
        description="Each run after the first is compared with the first (the base). A run is "
        "a report directory, a summary.json or a records.jsonl[.gz] file.",
    )
    compare.add_argument("runs", nargs="+", metavar="RUN", help="BASE NEW [NEW ...]")
    compare.add_argument(
        "--tolerance",
        action="append",
        default=[],
        metavar="METRIC=LIMIT",
        help="allowed worsening, e.g. ttft.p95=10%%, error_rate=0.5pp, e2e.p99=200ms "
        f"(repeatable; defaults: {_DEFAULTS})",
    )
    compare.add_argument(
        "-o", "--out-dir", default=".", help="where compare.html and compare.md go (default: .)"
    )


def run_compare(args: argparse.Namespace) -> int:
    # Here, not at the top: the `harness` command imports this module for every subcommand,
    # and `run` must monkey-patch before anything imports sockets (process pools do).
    from harness.report.atomic_file import write_atomically
    from harness.report.compare_inputs import load_run
    from harness.report.compare_render import compare_html, compare_markdown, verdict_line

    if len(args.runs) < 2:
        raise HarnessConfigError("compare needs at least two runs: BASE NEW [NEW ...]")
    tolerances = parse_tolerances(args.tolerance)
    runs = [load_run(argument) for argument in args.runs]
    comparisons = compare_runs(runs, tolerances)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    markdown = compare_markdown(comparisons)
    write_atomically(out / MARKDOWN_FILE, markdown.encode("utf-8"))
    write_atomically(out / HTML_FILE, compare_html(comparisons).encode("utf-8"))
    print(markdown)
    print(f"{verdict_line(comparisons)}; written to {out / HTML_FILE} and {out / MARKDOWN_FILE}")
    return EXIT_REGRESSION if any(c.regressed for c in comparisons) else 0
