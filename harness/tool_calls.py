"""Tool calls across providers: joining streamed pieces, and the messages of a tool round.

Providers stream a tool call in pieces: OpenAI sends argument fragments per
call ``index`` (calls may interleave), Anthropic a ``tool_use`` block start
and then ``partial_json`` fragments, Gemini each call whole. Adapters turn all
of them into ``tool_call`` :class:`~harness.contracts.StreamEvent` pieces;
:class:`ToolCallAssembler` joins them into :class:`~harness.contracts.ToolCall`
objects. The follow-up request of a tool round is written in the neutral
(OpenAI) form of :class:`~harness.contracts.ChatRequest` messages with
:func:`assistant_message` and :func:`tool_result_message`; each adapter
converts it to its own wire format.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from harness.contracts import ToolCall


class ToolCallAssembler:
    """Joins the ``tool_call`` events of one answer, by index, in order of first appearance."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        # index -> [id, name, argument fragments]
        self._parts: dict[int, tuple[list[str], list[str]]] = {}

    def add(self, index: int, tool_id: str | None, name: str | None, arguments: str) -> None:
        """One piece of call ``index``: an argument fragment, with id and name if it has them."""
        found = self._parts.get(index)
        if found is None:
            found = self._parts[index] = (["", ""], [])
        names, fragments = found
        if tool_id and not names[0]:
            names[0] = tool_id
        if name and not names[1]:
            names[1] = name
        if arguments:
            fragments.append(arguments)

    def calls(self) -> list[ToolCall]:
        """The complete calls; a call whose arguments never came has ``{}``."""
        return [
            ToolCall(names[0] or f"call_{index}", names[1], "".join(fragments) or "{}")
            for index, (names, fragments) in self._parts.items()
        ]


def tool_calls_text(calls: Sequence[ToolCall]) -> str:
    """What the calls generated, for the token estimate: each name and its arguments."""
    return " ".join(f"{call.name} {call.arguments}" for call in calls)


def assistant_message(text: str, calls: Sequence[ToolCall]) -> dict[str, Any]:
    """The neutral assistant message of an answer that made ``calls``."""
    return {
        "role": "assistant",
        "content": text or None,
        "tool_calls": [call.to_message_entry() for call in calls],
    }


def tool_result_message(call: ToolCall, content: str) -> dict[str, Any]:
    """The neutral message carrying the result of ``call``."""
    return {"role": "tool", "tool_call_id": call.id, "content": content}


def grouped_tool_results(
    messages: Sequence[dict[str, Any]],
) -> Iterator[dict[str, Any] | list[dict[str, Any]]]:
    """The messages in order, each run of consecutive ``role: "tool"`` messages as one
    list: providers that take results as content parts want an answer's results in one turn."""
    run: list[dict[str, Any]] = []
    for message in messages:
        if message.get("role") == "tool":
            run.append(message)
            continue
        if run:
            yield run
            run = []
        yield message
    if run:
        yield run


def called_functions(message: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(id, name, arguments as an object) of each call of a neutral assistant message."""
    for entry in message.get("tool_calls") or ():
        function = entry.get("function") or {}
        arguments = arguments_object(function.get("arguments") or "")
        yield str(entry.get("id") or ""), str(function.get("name") or ""), arguments


def arguments_object(arguments: str) -> dict[str, Any]:
    """A call's arguments as an object, for providers that send objects back.

    Arguments that are not a JSON object (a model may stream garbage) are
    kept whole under ``"arguments"`` rather than dropped.
    """
    try:
        parsed = orjson.loads(arguments or "{}")
    except orjson.JSONDecodeError:
        return {"arguments": arguments}
    return parsed if isinstance(parsed, dict) else {"arguments": parsed}


def is_neutral_tool(tool: dict[str, Any]) -> bool:
    """An OpenAI-form tool; anything else is passed to the provider as written."""
    return tool.get("type") == "function" and isinstance(tool.get("function"), dict)
