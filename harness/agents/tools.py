"""Tools agent roles may call, and what a simulated call of one returns.

A tool is a JSON-schema function definition (sent to the model in the
neutral OpenAI form, converted by each adapter) plus how the load test
simulates running it: how long it takes and how many words its result
holds. Both default to the run's ``--tool-latency-ms`` and
``--tool-result-tokens``; a workflow file may set them per tool.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.errors import HarnessConfigError


class ToolError(HarnessConfigError):
    """A tool definition that cannot be sent; the message names where it is wrong."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    #: The JSON schema of the arguments: an object schema.
    parameters: Mapping[str, Any] = field(default_factory=dict)
    #: Simulated run time; None: the run's --tool-latency-ms.
    latency_ms: float | None = None
    #: Words in the simulated result; None: the run's --tool-result-tokens.
    result_tokens: int | None = None

    def definition(self) -> dict[str, Any]:
        """The neutral (OpenAI) form of the tool that requests carry."""
        function = {"name": self.name, "description": self.description}
        return {"type": "function", "function": {**function, "parameters": dict(self.parameters)}}


def _object(**properties: str) -> dict[str, Any]:
    """An object schema of required string properties, each with its description."""
    return {
        "type": "object",
        "properties": {
            name: {"type": "string", "description": text} for name, text in properties.items()
        },
        "required": list(properties),
    }


BUILTIN_TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            "query_logs",
            "Search the service logs and return the matching lines.",
            _object(query="a log query, e.g. service:checkout level:error"),
        ),
        Tool(
            "get_metrics",
            "Read a metric's recent values from the monitoring system.",
            _object(name="the metric name, e.g. checkout.latency.p99"),
        ),
        Tool(
            "run_tests",
            "Run the test suite, or the tests matching a pattern, and report failures.",
            _object(pattern="a test path or name pattern; empty runs everything"),
        ),
        Tool(
            "run_sql",
            "Run a read-only SQL query against the analytics warehouse.",
            _object(sql="one SELECT statement"),
        ),
    )
}

# Short ASCII words without digits: the simulator's count (words) and the
# harness's estimate agree on them.
_RESULT_WORDS = (
    "status", "ok", "value", "rose", "at", "node", "shard", "error", "count",
    "latency", "ms", "row", "matched", "query", "since", "deploy", "slow", "lock",
)  # fmt: skip


def simulated_result(tool_name: str, words: int) -> str:
    """The result text of a simulated call: ``words`` words, the same for every call."""
    text = " ".join(itertools.islice(itertools.cycle(_RESULT_WORDS), words))
    return f"{tool_name} {text}" if words else tool_name


SCHEMA_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})


def check_parameters(schema: Any, where: str) -> dict[str, Any]:
    """The arguments' schema, checked as far as providers insist: an object schema
    whose properties are schemas with known types, and required names among them."""
    if not isinstance(schema, dict):
        raise ToolError(f"{where}: parameters must be a table (a JSON schema)")
    if schema.get("type") != "object":
        raise ToolError(f'{where}: parameters.type must be "object", got {schema.get("type")!r}')
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        raise ToolError(f"{where}: parameters.properties must be a table of schemas")
    for name, property_schema in properties.items():
        at = f"{where}: parameters.properties.{name}"
        if not isinstance(property_schema, dict):
            raise ToolError(f"{at}: expected a table (a JSON schema)")
        kind = property_schema.get("type")
        if kind is not None and kind not in SCHEMA_TYPES:
            raise ToolError(
                f"{at}: unknown type {kind!r}; expected one of {', '.join(sorted(SCHEMA_TYPES))}"
            )
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(name in properties for name in required):
        raise ToolError(f"{where}: parameters.required must list names of parameters.properties")
    return schema
