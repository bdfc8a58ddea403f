"""Shapes on a real local runner: --load-shape or [shape] choose one; it ends the run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gevent
from locust import events
from locust.argument_parser import get_parser
from locust.env import Environment

from harness.locust import ChatUser, StepShape
from harness.locust.lifecycle import llm_run_for
from harness.mock.process import SimulatorProcess

StartSimulator = Callable[..., SimulatorProcess]


def environment_for(args: list[str], host: str | None = None) -> Environment:
    options = get_parser(default_config_files=[]).parse_args(args)
    environment = Environment(
        user_classes=[ChatUser], events=events, host=host, parsed_options=options
    )
    environment.stop_timeout = 10
    runner = environment.create_local_runner()
    events.init.fire(environment=environment, runner=runner, web_ui=None)
    return environment


def test_a_step_shape_steps_users_up_and_ends_the_run(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=5, itl_ms=1)
    environment = environment_for(
        [
            "--headless",
            *("--host", simulator.url, "--report-dir", str(tmp_path), "--max-tokens", "2"),
            *("--load-shape", "step:start=1,step=2,every=1s,max=3"),
        ],
        host=simulator.url,
    )
    runner = environment.runner
    assert runner is not None
    assert isinstance(environment.shape_class, StepShape)
    seen: list[int] = []

    def sample() -> None:
        while True:
            seen.append(runner.user_count)
            gevent.sleep(0.2)

    sampler = gevent.spawn(sample)
    runner.start_shape()
    watchdog = gevent.spawn_later(15, runner.quit)
    assert runner.greenlet is not None
    runner.greenlet.join()
    watchdog.kill()
    sampler.kill()

    assert 1 in seen and 3 in seen
    assert seen.index(3) > seen.index(1)
    summary = llm_run_for(environment).last_summary
    assert summary is not None
    assert 1.8 < summary["run"]["ended_at"] - summary["run"]["started_at"] < 6


def test_the_shape_table_of_harness_toml_is_the_default(tmp_path: Path) -> None:
    config = tmp_path / "harness.toml"
    config.write_text('[shape]\nkind = "spike"\npeak = 5\n')
    environment = environment_for(["--harness-config", str(config)], "http://127.0.0.1:9")

    shape = environment.shape_class
    assert type(shape).__name__ == "SpikeShape"
    assert sorted(environment.available_shape_classes) == [
        "RampShape",
        "SoakShape",
        "SpikeShape",
        "StepShape",
    ]
    assert shape is not None and shape.tick() == (1, 4.0)
