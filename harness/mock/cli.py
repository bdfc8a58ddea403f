"""``harness mock`` / ``python -m harness.mock``: run the simulator in the foreground.

On start it prints exactly one line to stdout, ``harness-mock listening on
http://HOST:PORT``, and flushes it (:class:`.process.SimulatorProcess` waits for
that line); then it serves until SIGTERM or SIGINT and exits 0. The server is
imported only inside :func:`main`, so importing this module never loads gevent.
"""

from __future__ import annotations

import argparse
import signal
import sys

from .config import add_simulator_arguments, simulator_config_from_args

LISTENING_PREFIX = "harness-mock listening on "


def build_parser(prog: str = "harness mock") -> argparse.ArgumentParser:
    """The argument parser of the simulator command."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run the embedded LLM simulator (OpenAI, Anthropic and Gemini wire "
        "formats) on loopback.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port to bind; 0 picks a free one (default: %(default)s)",
    )
    add_simulator_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = simulator_config_from_args(args)
    except ValueError as error:
        parser.error(str(error))

    import gevent

    from .server import SimulatorServer

    server = SimulatorServer(config)
    try:
        server.start()
    except OSError as error:
        where = f"{config.host}:{config.port}"
        print(f"harness-mock: cannot listen on {where}: {error}", file=sys.stderr)
        return 1

    def request_stop() -> None:
        # Signal callbacks run in the hub, which must not block: stop elsewhere.
        gevent.spawn(server.stop)

    handlers = [
        gevent.signal_handler(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)
    ]
    print(LISTENING_PREFIX + server.url, flush=True)
    try:
        server.serve_forever()
    finally:
        for handler in handlers:
            handler.cancel()
    return 0
