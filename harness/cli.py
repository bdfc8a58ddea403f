"""The ``harness`` command.

Subcommands that generate load (``run``, ``mock``) monkey-patch with gevent
before importing anything that opens sockets; ``report`` and ``plugins`` never
import gevent or Locust.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from harness.cluster import add_cluster_parsers
from harness.errors import HarnessConfigError
from harness.report.compare_command import add_compare_parser, run_compare

if TYPE_CHECKING:
    from harness.plugins import PluginHost

_RUN_EPILOG = """\
Any other option is passed to Locust unchanged, including the harness's own:
--model, --provider, --max-tokens, --prompt-tokens, --stream/--no-stream,
--api-key-env, --secrets-file, --report-dir, --connect-timeout,
--read-timeout, --stall-timeout, --request-timeout (see `locust -f
locustfiles/chat.py --help`). Without --target, the embedded simulator is
started on 127.0.0.1 and tuned with the --mock-* options.
"""


def _plugin_selection() -> argparse.ArgumentParser:
    """``--plugin MODULE`` and pytest-style ``-p no:NAME``, shared by the subcommands."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="also load this local plugin module (repeatable; or HARNESS_PLUGINS=a,b)",
    )
    parent.add_argument(
        "-p",
        dest="plugin_switches",
        action="append",
        default=[],
        metavar="no:NAME",
        help="-p no:NAME never loads plugin NAME (or HARNESS_DISABLE_PLUGINS=a,b)",
    )
    return parent


def disabled_plugins(switches: list[str]) -> list[str]:
    names = []
    for switch in switches:
        if not switch.startswith("no:") or not switch[3:]:
            raise HarnessConfigError(f"-p {switch}: expected -p no:NAME to disable plugin NAME")
        names.append(switch[3:])
    return names


def _run_parser(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    from harness.mock.config import add_simulator_arguments

    run = subparsers.add_parser(
        "run",
        help="run a headless load test and write the reports",
        epilog=_RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[parent],
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
    run.add_argument(
        "--targets",
        default=None,
        metavar="A,B,C",
        help="run against these targets of harness.toml side by side; a target with a "
        "`simulator` table is served by its own embedded simulator",
    )
    run.add_argument(
        "--harness-config",
        default=None,
        metavar="PATH",
        help="file defining the targets (default: ./harness.toml)",
    )
    run.add_argument(
        "--workers",
        type=int,
        nargs="?",
        const=0,
        default=None,
        metavar="N",
        help="more generator capacity: a Locust master and N worker processes on this "
        "machine (--workers alone: one per core); the reports merge every worker's numbers",
    )
    add_simulator_arguments(run, prefix="mock-")


def _pricing_parser(
    subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser
) -> None:
    pricing = subparsers.add_parser("pricing", help="price tables and cost estimates")
    commands = pricing.add_subparsers(dest="pricing_command", required=True)
    sources = argparse.ArgumentParser(add_help=False, parents=[parent])
    sources.add_argument(
        "--prices",
        action="append",
        default=[],
        metavar="FILE",
        help="extra price table (TOML or LiteLLM .json)",
    )
    sources.add_argument(
        "--harness-config", default=None, metavar="PATH", help="[pricing] from here"
    )
    listing = commands.add_parser("list", help="show known prices", parents=[sources])
    listing.add_argument("--provider", default=None, help="only this provider's models")
    estimate = commands.add_parser("estimate", help="cost of a request mix", parents=[sources])
    estimate.add_argument("--model", required=True)
    estimate.add_argument("--provider", default="*", help="the adapter name (default: any)")
    estimate.add_argument("--input-tokens", type=int, required=True)
    estimate.add_argument("--output-tokens", type=int, required=True)
    estimate.add_argument("--cached-input-tokens", type=int, default=0)
    estimate.add_argument("--requests", type=int, default=1000)
    estimate.add_argument("--rate", type=float, default=None, help="requests/s, for a projection")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness", description="Load-test LLM chat endpoints with Locust."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    plugin_selection = _plugin_selection()
    _run_parser(subparsers, plugin_selection)
    from harness.sweep.command import add_sweep_parser

    add_sweep_parser(subparsers, plugin_selection)
    add_cluster_parsers(subparsers, plugin_selection)
    mock = subparsers.add_parser("mock", help="serve the embedded simulator alone", add_help=False)
    mock.add_argument("mock_args", nargs=argparse.REMAINDER)
    report = subparsers.add_parser(
        "report", help="rebuild the reports from records.jsonl files", parents=[plugin_selection]
    )
    add_compare_parser(subparsers)
    report.add_argument("records", nargs="+", help="records.jsonl files (several workers merge)")
    report.add_argument(
        "-o", "--report-dir", default=None, help="output directory (default: the first file's)"
    )
    report.add_argument(
        "--slo",
        action="append",
        default=None,
        metavar="RULE",
        help="judge the run by this SLO (repeatable); default: [slo] in harness.toml, "
        "else the rules in the summary.json being replaced. A broken SLO exits 1",
    )
    report.add_argument("--harness-config", default=None, metavar="PATH", help="[slo] from here")
    _pricing_parser(subparsers, plugin_selection)
    plugins = subparsers.add_parser(
        "plugins", help="list installed plugins", parents=[plugin_selection]
    )
    plugins.add_argument("--json", action="store_true", help="machine-readable output")
    plugins.add_argument(
        "--all", action="store_true", help="also list disabled plugins and the hooks of each"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["mock"]:
        from harness.mock.cli import main as mock_main

        return mock_main(args_list[1:])
    parser = _build_parser()
    args, passthrough = parser.parse_known_args(args_list)
    if passthrough and args.command not in ("run", "master", "worker", "sweep"):
        parser.error(f"unrecognized arguments: {' '.join(passthrough)}")
    try:
        if args.command == "run":
            from harness.launch import run_load_test

            return run_load_test(args, passthrough)
        if args.command == "sweep":
            from harness.sweep.command import run_sweep

            return run_sweep(args, passthrough, _plugin_host(args))
        if args.command in ("master", "worker"):
            from harness.launch import run_cluster_node

            return run_cluster_node(args, passthrough)
        if args.command == "report":
            return _report(args, _plugin_host(args))
        if args.command == "compare":
            return run_compare(args)
        if args.command == "pricing":
            return _pricing(args)
        return _plugins(_plugin_host(args), as_json=args.json, include_disabled=args.all)
    except HarnessConfigError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return 2


def _plugin_host(args: argparse.Namespace) -> PluginHost:
    from harness.plugins import PluginHost, PluginSettings

    disabled = disabled_plugins(args.plugin_switches)
    return PluginHost(PluginSettings.from_environment(args.plugin, disabled))


def _pricing(args: argparse.Namespace) -> int:
    from pathlib import Path

    from harness.config import load_config
    from harness.contracts import Usage
    from harness.pricing.assembly import build_price_book
    from harness.pricing.commands import format_estimate, format_price_list

    config_path = Path(args.harness_config) if args.harness_config else None
    config = load_config(config_path)
    files = [Path(name) for name in args.prices]
    book = build_price_book(_plugin_host(args), config.pricing, files, config_path=config.path)
    if args.pricing_command == "list":
        print(format_price_list(book, args.provider), end="")
        return 0
    usage = Usage(
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        cached_input_tokens=args.cached_input_tokens,
    )
    print(format_estimate(book, args.provider, args.model, usage, args.requests, args.rate), end="")
    return 0


def _report(args: argparse.Namespace, plugins: PluginHost) -> int:
    from pathlib import Path

    from harness.config import load_config
    from harness.report.console import format_console_summary
    from harness.report.rebuild import rebuild_reports
    from harness.report.render import SUMMARY_FILE
    from harness.slo.config_table import report_rules
    from harness.slo.exit_codes import exit_code_for

    records: list[str] = args.records
    for name in records:
        if not Path(name).is_file():
            raise HarnessConfigError(f"{name}: no such records file")
    out = Path(args.report_dir) if args.report_dir else Path(records[0]).resolve().parent
    config = load_config(Path(args.harness_config) if args.harness_config else None)
    slo = report_rules(config.slo, args.slo, Path(records[0]).resolve().parent / SUMMARY_FILE)
    paths = [Path(name) for name in records]
    summary = rebuild_reports(paths, out, plugins=plugins, slo=slo, processes=None)
    print(format_console_summary(summary))
    print(f"reports written to {out}")
    code = exit_code_for(summary)
    return 0 if code is None else code


def _plugins(plugins: PluginHost, as_json: bool, include_disabled: bool) -> int:
    import json

    infos = plugins.plugin_infos(include_disabled=include_disabled)
    if as_json:
        print(json.dumps([info.to_dict() for info in infos], indent=2))
        return 0
    for info in infos:
        registers = "; ".join(
            f"{kind}: {', '.join(names)}" for kind, names in info.registers.items()
        )
        print(f"{info.name} {info.version} ({info.source})  {registers}".rstrip())
        if include_disabled and info.hooks:
            print(f"    hooks: {', '.join(info.hooks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
