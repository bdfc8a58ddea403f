"""Reading workflows (and extra roles) from TOML, and the built-in catalog.

File format (the built-ins in ``workflows.toml`` use it too)::

    [tools.check_ci]                 # optional: tools of your own (JSON-schema functions)
    description = "Read the CI status of a commit."
    parameters = { type = "object", properties = { sha = { type = "string" } } }
    latency_ms = 800                 # optional: overrides --tool-latency-ms for this tool
    result_tokens = 40               # optional: overrides --tool-result-tokens

    [tools.query_logs]               # a built-in tool's name: only the keys given change
    latency_ms = 1500

    [roles.release-manager]          # optional: roles of your own
    system_prompt = "You coordinate releases."
    temperature = 0.2
    max_tokens = 256
    tools = ["check_ci", "run_tests"]  # optional: names of built-in or declared tools

    [workflows.release]
    description = "plan, check, announce"

    [[workflows.release.steps]]
    id = "plan"
    role = "release-manager"
    prompt = "Plan the release of version 2.4."
    depends_on = []                  # optional
    priority = 0                     # optional: higher starts first among ready steps
    max_tokens = 200                 # optional: overrides the role's

YAML files with the same structure load when PyYAML is installed; it is not
a dependency, so TOML is the format to rely on.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.agents.roles import BUILTIN_ROLES, Role
from harness.agents.tools import BUILTIN_TOOLS, Tool, check_parameters
from harness.agents.workflow import Step, Workflow, WorkflowError, validate_workflow
from harness.errors import HarnessConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_STEP_KEYS = {"id", "role", "prompt", "depends_on", "priority", "max_tokens"}
_ROLE_KEYS = {"system_prompt", "temperature", "max_tokens", "tools"}
_TOOL_KEYS = {"description", "parameters", "latency_ms", "result_tokens"}


@dataclass(frozen=True)
class Catalog:
    """The roles and workflows a run can use, all validated."""

    roles: Mapping[str, Role]
    workflows: Mapping[str, Workflow]
    tools: Mapping[str, Tool] = dataclasses.field(default_factory=lambda: dict(BUILTIN_TOOLS))


def builtin_catalog() -> Catalog:
    text = (importlib.resources.files("harness.agents") / "workflows.toml").read_text()
    return parse_catalog(tomllib.loads(text), "built-in workflows.toml", BUILTIN_ROLES)


def load_catalog(path: Path | None) -> Catalog:
    """The built-ins, plus the roles and workflows of ``path`` (its names win)."""
    builtin = builtin_catalog()
    if path is None:
        return builtin
    try:
        data = _read(path)
    except OSError as exc:
        raise WorkflowError(f"{path}: cannot read the workflow file: {exc.strerror}") from None
    user = parse_catalog(data, str(path), builtin.roles, builtin.tools)
    return Catalog(user.roles, {**builtin.workflows, **user.workflows}, user.tools)


def _read(path: Path) -> dict[str, Any]:
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise WorkflowError(
                f"{path}: YAML workflow files need PyYAML (pip install pyyaml); "
                "TOML works without it"
            ) from None
        data = yaml.safe_load(text)
        if not isinstance(data, dict):
            raise WorkflowError(f"{path}: expected a mapping at the top level")
        return data
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowError(f"{path}: invalid TOML: {exc}") from None


def parse_catalog(
    data: Mapping[str, Any],
    source: str,
    known_roles: Mapping[str, Role],
    known_tools: Mapping[str, Tool] = BUILTIN_TOOLS,
) -> Catalog:
    unknown = sorted(set(data) - {"roles", "workflows", "tools"})
    if unknown:
        raise WorkflowError(
            f"{source}: unknown table {unknown[0]!r}; expected roles, tools, workflows"
        )
    tools = dict(known_tools)
    for name, table in _tables(data.get("tools", {}), f"{source}: [tools]").items():
        tools[name] = _tool(name, table, tools.get(name), f"{source}: tool {name!r}")
    roles = dict(known_roles)
    for name, table in _tables(data.get("roles", {}), f"{source}: [roles]").items():
        roles[name] = _role(name, table, tools, f"{source}: role {name!r}")
    workflows: dict[str, Workflow] = {}
    for name, table in _tables(data.get("workflows", {}), f"{source}: [workflows]").items():
        workflow = _workflow(name, table, source)
        validate_workflow(workflow, roles)
        workflows[name] = workflow
    return Catalog(roles, workflows, tools)


def _tables(value: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise WorkflowError(f"{where}: expected a table of tables")
    return value


def _role(name: str, table: dict[str, Any], tools: Mapping[str, Tool], where: str) -> Role:
    _no_unknown_keys(table, _ROLE_KEYS, where)
    prompt = table.get("system_prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise WorkflowError(f"{where}: system_prompt must be a non-empty string")
    names = table.get("tools", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise WorkflowError(f"{where}: tools must be a list of tool names")
    for tool in names:
        if tool not in tools:
            raise WorkflowError(
                f"{where}: unknown tool {tool!r} (known tools: {', '.join(sorted(tools))})"
            )
    return Role(
        name,
        prompt,
        float(_number(table.get("temperature", 0.2), f"{where}: temperature")),
        int(_number(table.get("max_tokens", 512), f"{where}: max_tokens")),
        tuple(tools[tool] for tool in names),
    )


def _tool(name: str, table: dict[str, Any], known: Tool | None, where: str) -> Tool:
    """A declared tool; declaring a known name changes only the keys given."""
    _no_unknown_keys(table, _TOOL_KEYS, where)
    base = known or Tool(name, "", {"type": "object", "properties": {}})
    description = table.get("description", base.description)
    if not isinstance(description, str):
        raise WorkflowError(f"{where}: description must be a string")
    parameters = base.parameters
    if "parameters" in table:
        try:
            parameters = check_parameters(table["parameters"], where)
        except HarnessConfigError as error:
            raise WorkflowError(str(error)) from None
    latency = table.get("latency_ms", base.latency_ms)
    if latency is not None and _number(latency, f"{where}: latency_ms") < 0:
        raise WorkflowError(f"{where}: latency_ms must be >= 0, got {latency}")
    words = table.get("result_tokens", base.result_tokens)
    if words is not None and (not isinstance(words, int) or isinstance(words, bool) or words < 0):
        raise WorkflowError(f"{where}: result_tokens must be an integer >= 0, got {words!r}")
    return Tool(name, description, parameters, latency, words)


def _workflow(name: str, table: dict[str, Any], source: str) -> Workflow:
    where = f"{source}: workflow {name!r}"
    _no_unknown_keys(table, {"description", "steps"}, where)
    steps = table.get("steps", [])
    if not isinstance(steps, list):
        raise WorkflowError(f"{where}: steps must be an array of tables ([[...steps]])")
    return Workflow(
        name,
        tuple(_step(raw, f"{where}: step #{index + 1}") for index, raw in enumerate(steps)),
        str(table.get("description", "")),
        source,
    )


def _step(raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise WorkflowError(f"{where}: expected a table")
    step_id, role, prompt = raw.get("id"), raw.get("role"), raw.get("prompt")
    if not isinstance(step_id, str) or not step_id:
        raise WorkflowError(f"{where}: needs an id (a string)")
    where = where.rsplit(": step #", 1)[0] + f": step {step_id!r}"
    _no_unknown_keys(raw, _STEP_KEYS, where)
    if not isinstance(role, str) or not isinstance(prompt, str):
        raise WorkflowError(f"{where}: role and prompt must be strings")
    depends_on = raw.get("depends_on", [])
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise WorkflowError(f"{where}: depends_on must be a list of step ids")
    max_tokens = raw.get("max_tokens")
    return Step(
        step_id,
        role,
        prompt,
        tuple(depends_on),
        int(_number(raw.get("priority", 0), f"{where}: priority")),
        None if max_tokens is None else int(_number(max_tokens, f"{where}: max_tokens")),
    )


def _no_unknown_keys(table: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise WorkflowError(
            f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(known))}"
        )


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WorkflowError(f"{where}: expected a number, got {value!r}")
    return value
