"""Shared fixtures. Patch with gevent before anything imports ssl, socket users or requests."""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from harness.mock.config import SimulatorConfig  # noqa: E402
from harness.mock.process import SimulatorProcess  # noqa: E402

StartSimulator = Callable[..., SimulatorProcess]


@pytest.fixture
def start_simulator() -> Iterator[StartSimulator]:
    """Start simulator subprocesses on loopback; each stops at teardown."""
    with ExitStack() as stack:

        def start(**settings: Any) -> SimulatorProcess:
            return stack.enter_context(SimulatorProcess(SimulatorConfig(**settings)))

        yield start
