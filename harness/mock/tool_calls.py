"""Simulated tool calls: which tools a request offers, and the call the simulator makes.

When a request offers tools and its last message is not a tool result, the
server answers with one tool call at the configured rate
(``SimulatorConfig.tool_call_rate``); a request whose last message carries
tool results always gets a text answer, so an agent's loop ends. The call
names one of the offered tools (drawn at random) and fills its first declared
parameter (``"input"`` when it declares none) with ``tool_call_tokens``
words of the output vocabulary::

    {"query": " the load test sends"}

Streams carry the arguments in fragments: the opening ``{"query": "``, one
word each, and the closing ``"}``; each fragment is one token event of the
latency model. The call counts as many output tokens as the harness's
estimate rule gives its name and arguments (:func:`.tokens.rule_tokens`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from .tokens import output_token, rule_tokens

DEFAULT_ARGUMENT = "input"


@dataclass(frozen=True)
class ToolSpec:
    """A tool a request offers: its name and the parameter a simulated call fills."""

    name: str
    argument: str = DEFAULT_ARGUMENT


@dataclass(frozen=True)
class SimulatedToolCall:
    id: str
    name: str
    fragments: tuple[str, ...]
    """The arguments' JSON text, in the pieces a stream sends."""

    @property
    def arguments(self) -> str:
        return "".join(self.fragments)

    @property
    def input(self) -> dict[str, Any]:
        """The arguments as an object (Anthropic ``input``, Gemini ``args``)."""
        parsed: dict[str, Any] = orjson.loads(self.arguments)
        return parsed

    @property
    def tokens(self) -> int:
        """Output tokens the call counts: its name and arguments under the estimate rule."""
        return rule_tokens(self.name) + rule_tokens(self.arguments)


def plan_tool_call(tool: ToolSpec, words: int, call_id: str) -> SimulatedToolCall:
    """A call of ``tool`` whose argument holds ``words`` words (at least one)."""
    opening = "{" + orjson.dumps(tool.argument).decode() + ': "'
    body = tuple(output_token(index) for index in range(max(1, words)))
    return SimulatedToolCall(call_id, tool.name, (opening, *body, '"}'))


def tool_spec(name: Any, schema: Any) -> ToolSpec | None:
    """A ToolSpec from a declared name and JSON schema; None when the name is unusable."""
    if not isinstance(name, str) or not name:
        return None
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(properties, dict) and properties:
        return ToolSpec(name, str(next(iter(properties))))
    return ToolSpec(name)


def specs(found: Iterable[ToolSpec | None]) -> tuple[ToolSpec, ...]:
    return tuple(spec for spec in found if spec is not None)


def listed(payload: dict[str, Any], key: str) -> list[Any]:
    """``payload[key]`` when it is a list, else nothing (tools are optional everywhere)."""
    value = payload.get(key)
    return value if isinstance(value, list) else []
