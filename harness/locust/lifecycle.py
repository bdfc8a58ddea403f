"""Hooks the harness into Locust's events: options, validation, start, stop."""

from __future__ import annotations

import gc
import logging
import sys
from typing import Any, NoReturn

from locust import events
from locust.env import Environment

from harness.errors import HarnessConfigError
from harness.locust.distributed import attach_distribution
from harness.locust.llm_run import LlmRun
from harness.locust.options import add_harness_arguments
from harness.slo.exit_codes import exit_code_for

log = logging.getLogger("harness")
_RUNS: dict[int, LlmRun] = {}


def llm_run_for(environment: Environment) -> LlmRun:
    try:
        return _RUNS[id(environment)]
    except KeyError:
        raise RuntimeError(
            "the harness was not initialised for this Locust environment; "
            "import harness.locust in the locustfile before Locust fires `init`"
        ) from None


def refuse_to_start(exc: HarnessConfigError) -> NoReturn:
    """Stop at ``init`` with the error, before any request is sent.

    Exceptions in listeners are only logged by Locust; SystemExit is not.
    """
    print(f"harness: error: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(2) from None


@events.init_command_line_parser.add_listener
def _on_parser(parser: Any) -> None:
    add_harness_arguments(parser)


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    try:
        _RUNS[id(environment)] = LlmRun(environment)
    except HarnessConfigError as exc:
        refuse_to_start(exc)
    attach_distribution(environment, _RUNS[id(environment)])
    if environment.web_ui is not None:
        from harness.locust.web_tab import install_llm_tab

        install_llm_tab(environment, _RUNS[id(environment)])


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: Any) -> None:
    run = _RUNS.get(id(environment))
    if run is None:
        return
    try:
        run.start()
    except HarnessConfigError as exc:
        log.error("harness: %s", exc)
        if environment.runner is not None:
            environment.runner.quit()
        return
    # What exists now (Locust, gevent, the plugins, the run's tables) lives as long
    # as the test; out of the collector's sight, it is no longer rescanned by full
    # collections, pauses of milliseconds in the middle of streams that showed up
    # as doubled TTFT p99 at 64 users (docs/BENCHMARKS.md).
    gc.freeze()


@events.test_stop.add_listener
def _on_test_stop(environment: Environment, **_: Any) -> None:
    run = _RUNS.get(id(environment))
    if run is not None:
        run.stop()
        gc.unfreeze()


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_: Any) -> None:
    """The exit code the last test's verdict calls for (harness.slo.exit_codes)."""
    run = _RUNS.get(id(environment))
    if run is None or run.last_summary is None or _is_worker(environment):
        return
    code = exit_code_for(run.last_summary, bool(run.options.saturation_fatal))
    current = environment.process_exit_code
    # Only ever raise it: a listener that set a higher code keeps it.
    if code is not None and (current is None or code > current):
        environment.process_exit_code = code


def _is_worker(environment: Environment) -> bool:
    from locust.runners import WorkerRunner

    return isinstance(environment.runner, WorkerRunner)
