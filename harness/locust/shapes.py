"""Ramp, step, spike and soak as Locust ``LoadTestShape`` classes.

Each class reads its settings when the test starts, from ``--load-shape``
when that names its kind, else from ``[shape]`` in harness.toml when that
does, else its defaults; so the web UI can pick one (``--class-picker``)
and take its settings from the start form's ``load_shape`` field.
``--load-shape`` or ``[shape]`` also choose the run's shape on their own
(headless or web UI), through :func:`install_configured_shape` at ``init``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from locust import LoadTestShape, events
from locust.env import Environment
from locust.runners import WorkerRunner

from harness.config import load_config
from harness.errors import HarnessConfigError
from harness.load_shapes import ShapePlan, parse_shape, shape_from_table
from harness.locust.lifecycle import refuse_to_start


def configured_plan(options: Any) -> ShapePlan | None:
    """The shape ``--load-shape`` or ``[shape]`` asks for, if any."""
    if getattr(options, "load_shape", None):
        return parse_shape(options.load_shape)
    config = load_config(Path(options.harness_config) if options.harness_config else None)
    if config.shape:
        return shape_from_table(config.shape, f"{config.path}: [shape]")
    return None


class HarnessShape(LoadTestShape):
    """A shape of one kind; its settings come from the options at the first tick."""

    abstract = True
    kind: ClassVar[str] = ""
    # -t still bounds the run; the shape ends it earlier when it ends first.
    use_common_options = True

    def __init__(self) -> None:
        super().__init__()
        self.plan: ShapePlan | None = None

    def reset_time(self) -> None:
        super().reset_time()
        self.plan = None  # a new test (web UI) reads the form's settings again

    def tick(self) -> tuple[int, float] | None:
        if self.plan is None:
            self.plan = self._plan()
        step = self.plan.tick(self.get_run_time())
        return None if step is None else (step.users, step.spawn_rate)

    def _plan(self) -> ShapePlan:
        assert self.runner is not None
        options = self.runner.environment.parsed_options
        chosen = configured_plan(options)
        return chosen if chosen is not None and chosen.kind == self.kind else parse_shape(self.kind)


class RampShape(HarnessShape):
    """Users rise linearly to ``users`` over ``over`` seconds, then hold for ``hold``."""

    kind = "ramp"


class StepShape(HarnessShape):
    """``start`` users, ``step`` more every ``every`` seconds up to ``max``, held one step."""

    kind = "step"


class SpikeShape(HarnessShape):
    """``base`` users, ``peak`` from ``at`` for ``for`` seconds, until ``total``."""

    kind = "spike"


class SoakShape(HarnessShape):
    """A ramp to ``users`` over ``ramp`` seconds, then a long hold (``hold``)."""

    kind = "soak"


SHAPE_CLASSES: dict[str, type[HarnessShape]] = {
    cls.kind: cls for cls in (RampShape, StepShape, SpikeShape, SoakShape)
}


@events.init.add_listener
def install_configured_shape(environment: Environment, **_: Any) -> None:
    """Offer every shape to the web UI's class picker; run the configured one."""
    if isinstance(environment.runner, WorkerRunner) or environment.parsed_options is None:
        return
    if environment.available_shape_classes is None:
        environment.available_shape_classes = {}
    for cls in SHAPE_CLASSES.values():
        environment.available_shape_classes.setdefault(cls.__name__, cls())
    try:
        plan = configured_plan(environment.parsed_options)
    except HarnessConfigError as exc:
        refuse_to_start(exc)
    if plan is None or any(getattr(u, "open_loop", False) for u in environment.user_classes):
        return  # open loop: the shape sets the rate (ArrivalUser), not the users
    shape = environment.available_shape_classes[SHAPE_CLASSES[plan.kind].__name__]
    shape.runner = environment.runner
    environment.shape_class = shape
