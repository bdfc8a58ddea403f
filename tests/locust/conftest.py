"""A real Locust test run in this process: local runner, headless, the harness's users."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import gevent
import pytest
from locust import User, events
from locust.argument_parser import get_parser
from locust.env import Environment

from harness.locust import ChatUser

RunHeadless = Callable[..., Environment]


def run_headless(
    args: Sequence[str],
    users: int,
    seconds: float,
    host: str | None = None,
    user_classes: Sequence[type[User]] = (ChatUser,),
) -> Environment:
    """Parse ``args`` as the command line, run ``users`` users for ``seconds``, wait for the end."""
    options = get_parser(default_config_files=[]).parse_args(list(args))
    environment = Environment(
        user_classes=list(user_classes), events=events, host=host, parsed_options=options
    )
    # In-flight calls finish when the run stops, so every request is recorded.
    environment.stop_timeout = 10
    runner = environment.create_local_runner()
    events.init.fire(environment=environment, runner=runner, web_ui=None)
    runner.start(users, spawn_rate=users)
    gevent.spawn_later(seconds, runner.quit)
    assert runner.greenlet is not None
    runner.greenlet.join()
    return environment


@pytest.fixture(name="run_headless")
def run_headless_fixture() -> RunHeadless:
    return run_headless
