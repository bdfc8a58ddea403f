"""One workflow instance: its steps as greenlets, each started once its dependencies end.

Ready steps start by priority (then definition order), at most
``concurrency`` at a time; independent steps run concurrently, each on a
lane of its own. The final record of the step that ends last carries the
workflow's end-to-end time, so reports time whole workflows from records
alone.

A step whose role has tools may take several requests: each answer with
tool calls is followed up (:mod:`harness.locust.tool_rounds`) with the
tools' results, until a final answer. Every request is a logical request of
its own, tagged with the step's tags and ``tool_round`` (0 for the first);
the step's output is the final answer.
"""

from __future__ import annotations

import heapq
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gevent.pool import Group
from gevent.queue import Queue

from harness.agents.prompts import step_messages
from harness.agents.roles import Role
from harness.agents.workflow import Step, Workflow
from harness.contracts import ChatRequest, RequestRecord
from harness.locust.lanes import Lanes
from harness.locust.llm_run import CallOutcome, LlmRun
from harness.locust.tool_rounds import ToolSettings
from harness.locust.user_session import UserSession
from harness.tool_calls import assistant_message


@dataclass(frozen=True)
class StepSettings:
    roles: Mapping[str, Role]
    context_words: int
    concurrency: int
    stream: bool
    tools: ToolSettings = field(default_factory=ToolSettings)


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
            outcome = self._converse(step, lane)
        except Exception as exc:
            done.put((step.id, exc))
            return
        finally:
            self.lanes.give(lane)
        done.put((step.id, outcome))

    def _converse(self, step: Step, lane: UserSession) -> CallOutcome | None:
        """The step's requests: the first, then one per followed-up round of tool calls."""
        role = self.settings.roles[step.role]
        tools = {tool.name: tool for tool in role.tools}
        messages = step_messages(step, role, self.outputs, self.settings.context_words)
        tool_round = 0
        while True:
            request = self._request(step, lane.target.target.model, messages, tool_round)
            outcome = self.llm_run.execute(lane, request, self._annotate)
            if outcome is None or not self.settings.tools.continues(outcome.record, tool_round):
                return outcome
            messages = [
                *messages,
                assistant_message(outcome.answer, outcome.tool_calls),
                *self.settings.tools.run_tools(outcome.tool_calls, tools),
            ]
            tool_round += 1

    def _request(
        self, step: Step, model: str, messages: list[dict[str, Any]], tool_round: int
    ) -> ChatRequest:
        role = self.settings.roles[step.role]
        return ChatRequest(
            messages=messages,
            model=model,
            max_tokens=step.max_tokens or role.max_tokens,
            stream=self.settings.stream,
            temperature=role.temperature,
            tools=[tool.definition() for tool in role.tools] or None,
            tags={
                "scenario": "agents",
                "workflow": self.workflow.name,
                "workflow_run": self.run_id,
                "step": step.id,
                "role": role.name,
                "tool_round": str(tool_round),
            },
        )

    def _annotate(self, record: RequestRecord) -> None:
        # Called synchronously as each request's final record is emitted, so the
        # count cannot race: the last step to end ends the workflow. A round that
        # will be followed up does not end its step.
        if self.settings.tools.continues(record, int(record.tags["tool_round"])):
            return
        self._unfinished -= 1
        if self._unfinished == 0:
            record.workflow_e2e_s = time.perf_counter() - self._started
