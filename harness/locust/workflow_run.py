"""One workflow instance: its steps as greenlets, each started once its dependencies end.

Ready steps start by priority (then definition order), at most
``concurrency`` at a time; independent steps run concurrently, each on a
lane of its own. The final record of the step that ends last carries the
workflow's end-to-end time, so reports time whole workflows from records
alone.
"""

from __future__ import annotations

import heapq
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from gevent.pool import Group
from gevent.queue import Queue

from harness.agents.prompts import step_messages
from harness.agents.roles import Role
from harness.agents.workflow import Step, Workflow
from harness.contracts import ChatRequest, RequestRecord
from harness.locust.lanes import Lanes
from harness.locust.llm_run import CallOutcome, LlmRun


@dataclass(frozen=True)
class StepSettings:
    roles: Mapping[str, Role]
    context_words: int
    concurrency: int
    stream: bool


class WorkflowRun:
    def __init__(
        self, workflow: Workflow, settings: StepSettings, llm_run: LlmRun, lanes: Lanes
    ) -> None:
        self.workflow = workflow
        self.settings = settings
        self.llm_run = llm_run
        self.lanes = lanes
        self.run_id = uuid.uuid4().hex[:16]
        self.outputs: dict[str, str] = {}
        self._unfinished = len(workflow.steps)
        self._started = 0.0

    def run(self) -> bool:
        """Run every step; False when the harness run filled up and the workflow was cut short."""
        steps = self.workflow.steps
        order = {step.id: position for position, step in enumerate(steps)}
        waiting = {step.id: len(step.depends_on) for step in steps}
        dependents = self.workflow.dependents()
        ready = [(-step.priority, order[step.id], step) for step in steps if not step.depends_on]
        heapq.heapify(ready)
        done: Queue[tuple[str, CallOutcome | BaseException | None]] = Queue()
        group = Group()
        running, complete = 0, True
        self._started = time.perf_counter()
        try:
            while True:
                while ready and complete and running < max(1, self.settings.concurrency):
                    step = heapq.heappop(ready)[2]
                    group.spawn(self._run_step, step, done)
                    running += 1
                if running == 0:
                    return complete
                step_id, result = done.get()
                running -= 1
                if isinstance(result, BaseException):
                    raise result
                if result is None:
                    complete = False  # start nothing more; let the others end
                    continue
                self.outputs[step_id] = result.answer
                for later in dependents[step_id]:
                    waiting[later] -= 1
                    if waiting[later] == 0:
                        step = self.workflow.step(later)
                        heapq.heappush(ready, (-step.priority, order[later], step))
        finally:
            # The user is being killed (or a step raised): no step outlives its workflow.
            group.kill(block=False)

    def _run_step(self, step: Step, done: Queue) -> None:
        lane = self.lanes.take()
        try:
            outcome = self.llm_run.execute(
                lane, self._request(step, lane.target.target.model), self._annotate
            )
        except Exception as exc:
            done.put((step.id, exc))
            return
        finally:
            self.lanes.give(lane)
        done.put((step.id, outcome))

    def _request(self, step: Step, model: str) -> ChatRequest:
        role = self.settings.roles[step.role]
        return ChatRequest(
            messages=step_messages(step, role, self.outputs, self.settings.context_words),
            model=model,
            max_tokens=step.max_tokens or role.max_tokens,
            stream=self.settings.stream,
            temperature=role.temperature,
            tools=list(role.tools) or None,
            tags={
                "scenario": "agents",
                "workflow": self.workflow.name,
                "workflow_run": self.run_id,
                "step": step.id,
                "role": role.name,
            },
        )

    def _annotate(self, record: RequestRecord) -> None:
        # Called synchronously as each step's final record is emitted, so the
        # count cannot race: the last one to arrive ends the workflow.
        self._unfinished -= 1
        if self._unfinished == 0:
            record.workflow_e2e_s = time.perf_counter() - self._started
