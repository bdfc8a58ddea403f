"""Locust's master/worker mode from the ``harness`` command.

``harness run --workers N`` runs Locust's ``--processes N``: the master forks N
workers after the options and the harness's locustfile are loaded, so the
workers run exactly the same users and plugins, and the master merges their
numbers (:mod:`harness.locust.distributed`). ``harness master`` and
``harness worker`` are thin wrappers over ``locust --master`` and ``locust
--worker`` with the harness's locustfile, for workers on other machines.
"""

from __future__ import annotations

import argparse
import os
import socket

#: Locust's default master port.
DEFAULT_MASTER_PORT = 5557


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_count(requested: int) -> int:
    """``--workers`` without a number (0): one per core."""
    return requested if requested > 0 else (os.cpu_count() or 1)


def local_cluster_args(workers: int) -> list[str]:
    """Locust options for a master and ``workers`` forked workers talking on loopback.

    A free port each time, so several runs (or tests) on one machine never meet.
    """
    port = str(free_loopback_port())
    return [
        "--processes",
        str(worker_count(workers)),
        "--master-bind-host",
        "127.0.0.1",
        "--master-bind-port",
        port,
        "--master-host",
        "127.0.0.1",
        "--master-port",
        port,
    ]


def add_cluster_parsers(
    subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser
) -> None:
    master = subparsers.add_parser(
        "master",
        help="run a Locust master with the harness's users (workers connect to it)",
        epilog="Any other option goes to Locust and the harness, as with `harness run`: "
        "--host, --headless -u N -t T --expect-workers N, --model, --report-dir ...",
        parents=[parent],
    )
    master.add_argument(
        "--bind-host", default="*", help="interface to accept workers on (default: all)"
    )
    master.add_argument(
        "--bind-port", type=int, default=DEFAULT_MASTER_PORT, help="port for workers (5557)"
    )
    worker = subparsers.add_parser(
        "worker",
        help="run a Locust worker of the harness, connected to a master",
        epilog="Pass the same --workload/--workflow as the master: they pick the users. "
        "The other options come from the master when a test starts.",
        parents=[parent],
    )
    worker.add_argument("--master-host", required=True, help="the master's host name or address")
    worker.add_argument(
        "--master-port", type=int, default=DEFAULT_MASTER_PORT, help="the master's port (5557)"
    )


def node_argv(args: argparse.Namespace, locustfile: str, passthrough: list[str]) -> list[str]:
    """``locust`` command line of ``harness master`` or ``harness worker``."""
    argv = ["locust", "-f", locustfile]
    if args.command == "master":
        argv += ["--master", "--master-bind-host", args.bind_host]
        argv += ["--master-bind-port", str(args.bind_port)]
    else:
        argv += ["--worker", "--master-host", args.master_host]
        argv += ["--master-port", str(args.master_port)]
    return [*argv, *passthrough]
