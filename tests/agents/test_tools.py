"""Tools of agent roles: the built-ins, and tools declared in a workflow file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.agents.loader import builtin_catalog, load_catalog, parse_catalog
from harness.agents.roles import BUILTIN_ROLES
from harness.agents.tools import BUILTIN_TOOLS, simulated_result
from harness.agents.workflow import WorkflowError
from harness.token_estimate import estimate_text_tokens


def test_built_in_roles_carry_json_schema_tools() -> None:
    tools = {name: [t.name for t in role.tools] for name, role in BUILTIN_ROLES.items()}
    assert tools["incident-response"] == ["query_logs", "get_metrics"]
    assert tools["code-generation"] == ["run_tests"]
    assert tools["data-analysis"] == ["run_sql"]
    definition = BUILTIN_TOOLS["run_sql"].definition()
    assert definition["type"] == "function"
    assert definition["function"]["name"] == "run_sql"
    assert definition["function"]["parameters"]["type"] == "object"
    assert definition["function"]["parameters"]["required"] == ["sql"]


def test_a_simulated_result_counts_alike_for_simulator_and_estimate() -> None:
    text = simulated_result("run_sql", 40)
    assert len(text.split()) == 41 == estimate_text_tokens(text)


def test_a_workflow_file_declares_tools_and_overrides_built_in_ones(tmp_path: Path) -> None:
    path = tmp_path / "flows.toml"
    path.write_text(
        """
[tools.check_ci]
description = "Read the CI status of a commit."
parameters = { type = "object", properties = { sha = { type = "string" } }, required = ["sha"] }
result_tokens = 12

[tools.query_logs]
latency_ms = 1500

[roles.release-manager]
system_prompt = "You coordinate releases."
tools = ["check_ci", "query_logs"]

[workflows.release]
[[workflows.release.steps]]
id = "plan"
role = "release-manager"
prompt = "Plan the release."
"""
    )
    catalog = load_catalog(path)
    check_ci, query_logs = catalog.roles["release-manager"].tools
    assert (check_ci.name, check_ci.result_tokens, check_ci.latency_ms) == ("check_ci", 12, None)
    assert check_ci.parameters["properties"] == {"sha": {"type": "string"}}
    assert query_logs.latency_ms == 1500
    # Only the keys given change: the built-in description and schema stay.
    assert query_logs.description == BUILTIN_TOOLS["query_logs"].description
    assert query_logs.parameters == BUILTIN_TOOLS["query_logs"].parameters
    # The built-in roles keep the built-in tool.
    assert builtin_catalog().tools["query_logs"].latency_ms is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"tools": {"t": {"descripton": "typo"}}},
            "flows.toml: tool 't': unknown key 'descripton'; expected one of description, "
            "latency_ms, parameters, result_tokens",
        ),
        (
            {"tools": {"t": {"parameters": {"type": "array"}}}},
            "flows.toml: tool 't': parameters.type must be \"object\", got 'array'",
        ),
        (
            {"tools": {"t": {"parameters": {"type": "object", "properties": {"a": "text"}}}}},
            "flows.toml: tool 't': parameters.properties.a: expected a table (a JSON schema)",
        ),
        (
            {
                "tools": {
                    "t": {"parameters": {"type": "object", "properties": {"a": {"type": "str"}}}}
                }
            },
            "flows.toml: tool 't': parameters.properties.a: unknown type 'str'",
        ),
        (
            {"tools": {"t": {"parameters": {"type": "object", "required": ["b"]}}}},
            "flows.toml: tool 't': parameters.required must list names of parameters.properties",
        ),
        (
            {"tools": {"t": {"latency_ms": -5}}},
            "flows.toml: tool 't': latency_ms must be >= 0, got -5",
        ),
        (
            {"tools": {"t": {"result_tokens": 2.5}}},
            "flows.toml: tool 't': result_tokens must be an integer >= 0, got 2.5",
        ),
        (
            {"roles": {"r": {"system_prompt": "x", "tools": ["nope"]}}},
            "flows.toml: role 'r': unknown tool 'nope' (known tools: get_metrics, query_logs,",
        ),
        (
            {"roles": {"r": {"system_prompt": "x", "tools": "run_sql"}}},
            "flows.toml: role 'r': tools must be a list of tool names",
        ),
    ],
)
def test_bad_tools_are_rejected_naming_file_tool_and_key(
    data: dict[str, Any], message: str
) -> None:
    with pytest.raises(WorkflowError) as caught:
        parse_catalog(data, "flows.toml", BUILTIN_ROLES)
    assert str(caught.value).startswith(message)
