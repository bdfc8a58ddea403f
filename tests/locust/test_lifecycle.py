from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from locust import events
from locust.env import Environment

from harness.mock.process import SimulatorProcess

StartSimulator = Callable[..., SimulatorProcess]


def test_the_heap_is_frozen_while_the_test_runs_and_thawed_after(
    start_simulator: StartSimulator,
    run_headless: Callable[..., Environment],
    tmp_path: Path,
) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=1)
    frozen_during: list[int] = []

    def note(**_: Any) -> None:
        frozen_during.append(gc.get_freeze_count())

    events.request.add_listener(note)
    try:
        args = ["--host", simulator.url, "--report-dir", str(tmp_path), "--max-tokens", "4"]
        run_headless(args, 2, 1.5, host=simulator.url)
    finally:
        events.request.remove_listener(note)
    assert frozen_during and min(frozen_during) > 0
    assert gc.get_freeze_count() == 0
