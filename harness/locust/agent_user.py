"""AgentUser: runs multi-agent workflows (DAGs of role steps) back to back."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locust import User, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

from harness.agents.loader import Catalog, load_catalog
from harness.agents.workflow import Workflow, WorkflowError
from harness.errors import HarnessConfigError
from harness.locust.lanes import Lanes
from harness.locust.lifecycle import llm_run_for, refuse_to_start
from harness.locust.tool_rounds import ToolSettings
from harness.locust.workflow_run import StepSettings, WorkflowRun

_PLANS: dict[int, AgentPlan] = {}
log = logging.getLogger("harness")


@dataclass(frozen=True)
class AgentPlan:
    """The workflows a run mixes, and how their steps are built."""

    workflows: tuple[Workflow, ...]
    settings: StepSettings


def build_plan(options: Any) -> AgentPlan:
    """Load and check everything before traffic: a bad file or name stops the run."""
    path = Path(options.workflow_file) if options.workflow_file else None
    catalog = load_catalog(path)
    return AgentPlan(
        _select(catalog, options.workflow, path),
        StepSettings(
            catalog.roles,
            options.agent_context_words,
            options.agent_concurrency,
            options.stream,
            ToolSettings(
                options.tool_latency_ms, options.tool_result_tokens, options.max_tool_rounds
            ),
        ),
    )


def _select(catalog: Catalog, name: str | None, path: Path | None) -> tuple[Workflow, ...]:
    if name is None and path is not None:
        # A file of one's own runs its own workflows unless --workflow says otherwise.
        own = [w for w in catalog.workflows.values() if w.source == str(path)]
        if own:
            return tuple(own)
    if name is None or name == "all":
        return tuple(catalog.workflows.values())
    if name not in catalog.workflows:
        raise WorkflowError(
            f"--workflow {name}: no such workflow (known: all, {', '.join(catalog.workflows)})"
        )
    return (catalog.workflows[name],)


def agent_plan_for(environment: Environment) -> AgentPlan:
    plan = _PLANS.get(id(environment))
    if plan is None:
        plan = _PLANS[id(environment)] = build_plan(environment.parsed_options)
    return plan


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    if not any(issubclass(cls, AgentUser) for cls in environment.user_classes):
        return
    try:
        _PLANS[id(environment)] = build_plan(environment.parsed_options)
    except HarnessConfigError as exc:
        refuse_to_start(exc)


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: Any) -> None:
    # The web UI's start form may have changed --workflow (or the tool
    # settings) since init: the plan follows the options each test starts with.
    if id(environment) not in _PLANS:
        return
    try:
        _PLANS[id(environment)] = build_plan(environment.parsed_options)
    except HarnessConfigError as exc:
        log.error("harness: %s", exc)
        if environment.runner is not None:
            environment.runner.quit()


class AgentUser(User):
    """Runs one workflow instance per task, cycling through the run's workflows.

    Each user starts the cycle at a random place, so a mix of workflows is
    spread evenly across users from the first second.
    """

    wait_time = constant(0)

    def on_start(self) -> None:
        self.llm_run = llm_run_for(self.environment)
        self.plan = agent_plan_for(self.environment)
        self.lanes = Lanes(self.llm_run.new_session())
        self._next = random.randrange(len(self.plan.workflows))

    def on_stop(self) -> None:
        self.lanes.close()

    @task
    def workflow(self) -> None:
        workflows = self.plan.workflows
        workflow = workflows[self._next % len(workflows)]
        self._next += 1
        if not WorkflowRun(workflow, self.plan.settings, self.llm_run, self.lanes).run():
            raise StopUser()  # the run is full (--max-requests) and is stopping
