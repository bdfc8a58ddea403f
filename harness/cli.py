"""The ``harness`` command.

Subcommands that generate load (``run``, ``mock``) monkey-patch with gevent
before importing anything that opens sockets; ``report`` and ``plugins`` never
import gevent or Locust.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from harness.errors import HarnessConfigError

_RUN_EPILOG = """\
Any other option is passed to Locust unchanged, including the harness's own:
--model, --provider, --max-tokens, --prompt-tokens, --stream/--no-stream,
--api-key-env, --secrets-file, --report-dir, --connect-timeout,
--read-timeout, --stall-timeout, --request-timeout (see `locust -f
locustfiles/chat.py --help`). Without --target, the embedded simulator is
started on 127.0.0.1 and tuned with the --mock-* options.
"""


def _run_parser(subparsers: argparse._SubParsersAction) -> None:
    from harness.mock.config import add_simulator_arguments

    run = subparsers.add_parser(
        "run",
        help="run a headless load test and write the reports",
        epilog=_RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("-u", "--users", type=int, default=16, help="concurrent users (default 16)")
    run.add_argument(
        "-r", "--spawn-rate", type=float, default=None, help="users started per second"
    )
    run.add_argument(
        "-t",
        "--run-time",
        "--duration",
        dest="run_time",
        default="30s",
        help="how long to run, e.g. 30s, 5m (default 30s)",
    )
    run.add_argument(
        "--target",
        default=None,
        help="base URL of an OpenAI-compatible endpoint, e.g. https://host/v1 "
        "(default: the embedded simulator)",
    )
    add_simulator_arguments(run, prefix="mock-")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness", description="Load-test LLM chat endpoints with Locust."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    _run_parser(subparsers)
    mock = subparsers.add_parser("mock", help="serve the embedded simulator alone", add_help=False)
    mock.add_argument("mock_args", nargs=argparse.REMAINDER)
    report = subparsers.add_parser("report", help="rebuild the reports from records.jsonl files")
    report.add_argument("records", nargs="+", help="records.jsonl files (several workers merge)")
    report.add_argument(
        "-o", "--report-dir", default=None, help="output directory (default: the first file's)"
    )
    plugins = subparsers.add_parser("plugins", help="list installed plugins")
    plugins.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["mock"]:
        from harness.mock.cli import main as mock_main

        return mock_main(args_list[1:])
    parser = _build_parser()
    args, passthrough = parser.parse_known_args(args_list)
    if passthrough and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(passthrough)}")
    try:
        if args.command == "run":
            from harness.launch import run_load_test

            return run_load_test(args, passthrough)
        if args.command == "report":
            return _report(args.records, args.report_dir)
        return _plugins(as_json=args.json)
    except HarnessConfigError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return 2


def _report(records: list[str], report_dir: str | None) -> int:
    from pathlib import Path

    from harness.report.console import format_console_summary
    from harness.report.rebuild import rebuild_reports

    for name in records:
        if not Path(name).is_file():
            raise HarnessConfigError(f"{name}: no such records file")
    out = Path(report_dir) if report_dir else Path(records[0]).resolve().parent
    summary = rebuild_reports([Path(name) for name in records], out)
    print(format_console_summary(summary))
    print(f"reports written to {out}")
    return 0


def _plugins(as_json: bool) -> int:
    import json

    from harness.plugins import PluginHost

    infos = PluginHost().plugin_infos()
    if as_json:
        print(json.dumps([info.to_dict() for info in infos], indent=2))
        return 0
    for info in infos:
        registers = "; ".join(
            f"{kind}: {', '.join(names)}" for kind, names in info.registers.items()
        )
        print(f"{info.name} {info.version} ({info.source})  {registers}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
