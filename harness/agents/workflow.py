"""Workflows: a DAG of steps, each spoken by a role, and their validation.

A workflow is checked as a whole before any traffic: duplicate step ids,
unknown roles, dependencies on steps that do not exist and cycles are each
reported with the file, the workflow and the step they were found in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.agents.roles import Role
from harness.errors import HarnessConfigError


class WorkflowError(HarnessConfigError):
    """A workflow definition that cannot run; the message names where it is wrong."""


@dataclass(frozen=True)
class Step:
    id: str
    role: str
    prompt: str
    depends_on: tuple[str, ...] = ()
    #: Among steps ready at the same time, higher priorities start first.
    priority: int = 0
    #: Overrides the role's ``max_tokens`` for this step.
    max_tokens: int | None = None


@dataclass(frozen=True)
class Workflow:
    name: str
    steps: tuple[Step, ...]
    description: str = ""
    #: Where it was defined, for error messages ("built-in" or a file path).
    source: str = "built-in"

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)

    def dependents(self) -> dict[str, list[str]]:
        """Step id -> the ids of the steps that wait for it, in definition order."""
        waiting: dict[str, list[str]] = {step.id: [] for step in self.steps}
        for step in self.steps:
            for dependency in step.depends_on:
                waiting[dependency].append(step.id)
        return waiting


def validate_workflow(workflow: Workflow, roles: Mapping[str, Role]) -> None:
    """Raise :class:`WorkflowError` for the first problem found; checks in a fixed order."""
    where = f"{workflow.source}: workflow {workflow.name!r}"
    if not workflow.steps:
        raise WorkflowError(f"{where}: has no steps")
    seen: set[str] = set()
    for step in workflow.steps:
        if step.id in seen:
            raise WorkflowError(f"{where}: duplicate step id {step.id!r}")
        seen.add(step.id)
    for step in workflow.steps:
        at = f"{where}: step {step.id!r}"
        if step.role not in roles:
            raise WorkflowError(
                f"{at}: unknown role {step.role!r} (known roles: {', '.join(sorted(roles))})"
            )
        for dependency in step.depends_on:
            if dependency not in seen:
                raise WorkflowError(
                    f"{at}: depends on {dependency!r}, which is not a step of this workflow"
                )
        if step.max_tokens is not None and step.max_tokens < 1:
            raise WorkflowError(f"{at}: max_tokens must be at least 1, got {step.max_tokens}")
    cycle = find_cycle(workflow)
    if cycle:
        raise WorkflowError(
            f"{where}: dependency cycle: {' -> '.join(cycle)} (each step depends on the next)"
        )


def find_cycle(workflow: Workflow) -> list[str]:
    """One cycle as step ids, first repeated at the end (``a -> b -> a``); [] when acyclic."""
    depends = {step.id: step.depends_on for step in workflow.steps}
    state: dict[str, str] = {}  # "open" while on the current path, "done" after
    path: list[str] = []

    def visit(step_id: str) -> list[str]:
        state[step_id] = "open"
        path.append(step_id)
        for dependency in depends[step_id]:
            if state.get(dependency) == "open":
                return [*path[path.index(dependency) :], dependency]
            if dependency not in state:
                found = visit(dependency)
                if found:
                    return found
        path.pop()
        state[step_id] = "done"
        return []

    for step in workflow.steps:
        if step.id not in state:
            found = visit(step.id)
            if found:
                return found
    return []
