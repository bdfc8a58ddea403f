"""A zero-latency simulator shared by the tests of one module, wiped before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.mock import SimulatorConfig, SimulatorProcess


@pytest.fixture(scope="module")
def fast_sim() -> Iterator[SimulatorProcess]:
    """Zero latency: shapes, counters, faults."""
    with SimulatorProcess(SimulatorConfig(ttft_ms=0, itl_ms=0, seed=1)) as sim:
        yield sim


@pytest.fixture
def sim(fast_sim: SimulatorProcess) -> SimulatorProcess:
    """The module's simulator with no faults and zeroed counters."""
    fast_sim.clear_faults()
    fast_sim.reset()
    return fast_sim
