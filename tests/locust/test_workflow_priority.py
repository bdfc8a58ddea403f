"""Among ready steps, higher priorities start first when concurrency is limited."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from harness.agents.loader import builtin_catalog
from harness.contracts import ChatRequest, RequestRecord
from harness.locust.lanes import Lanes
from harness.locust.llm_run import CallOutcome
from harness.locust.workflow_run import StepSettings, WorkflowRun


class FakeRun:
    """Answers each step at once with its step id, noting the order steps were sent in."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def execute(self, lane: Any, request: ChatRequest, annotate: Any) -> CallOutcome:
        step = request.tags["step"]
        self.sent.append(step)
        record = RequestRecord("id", 1, 0.0, "t", "p", "m", True, True, tags=request.tags)
        annotate(record)
        return CallOutcome(record, f"answer of {step}")


def test_ready_steps_start_by_priority_and_get_their_dependencies_outputs() -> None:
    catalog = builtin_catalog()
    workflow = catalog.workflows["incident-response"]
    fake = FakeRun()
    lane: Any = SimpleNamespace(target=SimpleNamespace(target=SimpleNamespace(model="m")))
    settings = StepSettings(catalog.roles, context_words=50, concurrency=1, stream=True)
    run = WorkflowRun(workflow, settings, fake, Lanes(lane))  # type: ignore[arg-type]

    assert run.run()
    # signals (5) before database (3) before capacity (0); then the two after mitigate.
    assert fake.sent == [
        "triage", "signals", "database", "capacity", "mitigate", "postmortem", "recovery-plan",
    ]  # fmt: skip
    assert run.outputs["mitigate"] == "answer of mitigate"
