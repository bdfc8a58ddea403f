"""``harness run``: start the simulator if no target is given, then run Locust headless.

Locust's own ``main()`` runs the test, so its options, signals, statistics and
exit codes behave exactly as Locust users know them; the harness's options
ride on Locust's parser (see :mod:`harness.locust.options`).
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import importlib.resources  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from harness.cluster import local_cluster_args, node_argv, worker_count  # noqa: E402
from harness.config import TargetConfig, load_config  # noqa: E402
from harness.errors import HarnessConfigError  # noqa: E402
from harness.mock.config import SimulatorConfig, simulator_config_from_args  # noqa: E402
from harness.mock.process import SimulatorProcess  # noqa: E402


def locustfile_path(name: str) -> str:
    return str(importlib.resources.files("harness_locustfiles") / f"{name}.py")


#: ``--workload`` values that choose a kind of user (a locustfile), not a prompt source.
USER_WORKLOADS = ("sessions", "agents", "mixed")


def locustfile_for(passthrough: list[str]) -> tuple[str, list[str]]:
    """The locustfile the options ask for, and the options to hand on to it.

    ``--workload sessions|agents`` is taken out: the locustfile it picks is the
    answer, and the users there draw their messages from the default workload.
    ``--workflow`` or ``--workflow-file`` alone pick the agents too; ``--rate``,
    ``--trace`` or ``--arrival`` pick the open loop (one dispatching user).
    """
    name, rest, args = "chat", [], iter(passthrough)
    for arg in args:
        option, _, value = arg.partition("=")
        if option == "--workload":
            value = value or next(args, "")
            if value in USER_WORKLOADS:
                name = value
                continue
            rest += [option, value]
            continue
        if option in ("--workflow", "--workflow-file") and name == "chat":
            name = "agents"
        if option in ("--rate", "--trace", "--arrival"):
            name = "arrivals"
        rest.append(arg)
    return name, rest


def plugin_args(args: argparse.Namespace) -> list[str]:
    """The command's ``--plugin`` and ``-p no:NAME`` as the locustfile's options."""
    from harness.cli import disabled_plugins

    selected = [arg for module in args.plugin for arg in ("--plugin", module)]
    for name in disabled_plugins(args.plugin_switches):
        selected += ["--disable-plugin", name]
    return selected


def run_cluster_node(args: argparse.Namespace, passthrough: list[str]) -> int:
    """``harness master`` / ``harness worker``: Locust's own, with the harness's users."""
    locustfile, passthrough = locustfile_for(passthrough)
    argv = node_argv(args, locustfile_path(locustfile), [*plugin_args(args), *passthrough])
    return run_locust(argv)


def run_load_test(args: argparse.Namespace, passthrough: list[str]) -> int:
    locustfile, passthrough = locustfile_for(passthrough)
    passthrough = [*plugin_args(args), *passthrough]
    users = args.users
    if locustfile == "arrivals":
        # One dispatching user per process (see ArrivalUser): one per worker.
        users = 1 if args.workers is None else worker_count(args.workers)
    argv = [
        "locust",
        "-f",
        locustfile_path(locustfile),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(args.spawn_rate or users),
        "-t",
        args.run_time,
        # Calls in flight when time is up finish and are recorded, not killed.
        "--stop-timeout",
        "60",
    ]
    if args.workers is not None:
        argv += local_cluster_args(args.workers)
    if args.targets:
        return _run_targets(args, [*argv, *passthrough])
    if args.target:
        return run_locust([*argv, "--host", args.target, *passthrough])
    config = simulator_config_from_args(args, prefix="mock-")
    with SimulatorProcess(config) as simulator:
        settings = json.dumps(dataclasses.asdict(config))
        return run_locust(
            [
                *argv,
                "--host",
                simulator.url,
                "--target-name",
                "simulator",
                "--simulator-settings",
                settings,
                *passthrough,
            ]
        )


def _run_targets(args: argparse.Namespace, argv: list[str]) -> int:
    """Several targets of harness.toml; those with a ``simulator`` table get their own."""
    config_path = Path(args.harness_config) if args.harness_config else None
    config = load_config(config_path)
    names = [name.strip() for name in args.targets.split(",") if name.strip()]
    simulated: dict[str, str] = {}
    settings: dict[str, Any] = {}
    with ExitStack() as stack:
        for target in config.with_fallbacks(config.select(names)):
            if target.simulator is None:
                continue
            simulator_config = _simulator_config(target, str(config.path))
            simulator = stack.enter_context(SimulatorProcess(simulator_config))
            simulated[target.name] = simulator.url
            settings[target.name] = dataclasses.asdict(simulator_config)
        extra = ["--targets", ",".join(names), "--simulated-targets", json.dumps(simulated)]
        if config.path is not None:
            extra += ["--harness-config", str(config.path)]
        if settings:
            extra += ["--simulator-settings", json.dumps(settings)]
        return run_locust([*argv, *extra])


def _simulator_config(target: TargetConfig, path: str) -> SimulatorConfig:
    table = dict(target.simulator or {})
    known = {f.name for f in dataclasses.fields(SimulatorConfig)} - {"host", "port"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise HarnessConfigError(
            f"{path}: [targets.{target.name}] simulator: unknown setting {unknown[0]!r}; "
            f"expected one of {', '.join(sorted(known))}"
        )
    if "faults" in table:
        table["faults"] = tuple(table["faults"])
    try:
        return SimulatorConfig(**table)
    except TypeError as exc:
        raise HarnessConfigError(f"{path}: [targets.{target.name}] simulator: {exc}") from None
    except ValueError as exc:
        raise HarnessConfigError(f"{path}: [targets.{target.name}] simulator: {exc}") from None


def run_locust(argv: list[str]) -> int:
    from locust.main import main as locust_main

    sys.argv = argv
    parent = os.getpid()
    try:
        locust_main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if os.getpid() != parent:
        # A worker forked by --processes: the simulator and files it inherited are
        # its parent's to close, so it leaves without running the parent's cleanup.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
