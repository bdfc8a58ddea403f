"""Simulated tool calls: when the simulator makes them, and how it counts them."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from harness.mock import SimulatorProcess
from harness.mock.tokens import rule_tokens
from harness.mock.tool_calls import ToolSpec, plan_tool_call, tool_spec
from harness.token_estimate import estimate_text_tokens

from .conftest import Post

SIMULATOR = {"tool_call_rate": 1.0, "tool_call_tokens": 3, "output_tokens": 4}
CHAT = "/v1/chat/completions"
TOOLS = [
    {
        "type": "function",
        "function": {"name": "run_sql", "parameters": {"properties": {"sql": {}}}},
    },
    {"type": "function", "function": {"name": "run_tests"}},
]


@pytest.mark.parametrize(
    "text",
    [
        "run_sql",
        "query-logs-v2",
        "a_very_long_identifier_name_beyond_twelve",
        '{"query": " the load test"}',
        "1234567 x9 ünïcode 数据 tab\there",
        "",
    ],
)
def test_the_simulator_counts_tool_text_as_the_harness_estimates_it(text: str) -> None:
    assert rule_tokens(text) == estimate_text_tokens(text)


def test_a_planned_call_is_valid_json_of_the_configured_size() -> None:
    call = plan_tool_call(ToolSpec("run_sql", "sql"), 5, "call_1")
    assert call.input == {"sql": " the load test sends a"}
    assert call.arguments == "".join(call.fragments) and len(call.fragments) == 5 + 2
    assert call.tokens == rule_tokens("run_sql") + rule_tokens(call.arguments)


def test_a_tool_fills_its_first_declared_parameter() -> None:
    assert tool_spec("f", {"properties": {"path": {}, "mode": {}}}) == ToolSpec("f", "path")
    assert tool_spec("f", {"type": "object"}) == ToolSpec("f", "input")
    assert tool_spec("", {}) is None and tool_spec(None, {}) is None


def chat(messages: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"model": "m", "messages": messages, **fields}


def test_only_requests_offering_tools_get_calls(sim: SimulatorProcess, send: Post) -> None:
    user = [{"role": "user", "content": "hi"}]
    plain = send(CHAT, chat(user)).json()
    assert plain["choices"][0]["finish_reason"] == "stop"

    called = send(CHAT, chat(user, tools=TOOLS)).json()
    choice = called["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    [entry] = choice["message"]["tool_calls"]
    assert entry["function"]["name"] in {"run_sql", "run_tests"}
    assert len(next(iter(orjson.loads(entry["function"]["arguments"]).values())).split()) == 3
    assert sim.stats()["tool_calls"] == 1


def test_a_request_ending_in_tool_results_gets_text(sim: SimulatorProcess, send: Post) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "run_sql", "arguments": "{}"}}
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "three result words"},
    ]
    answer = send(CHAT, chat(messages, tools=TOOLS)).json()
    assert answer["choices"][0]["finish_reason"] == "stop"
    assert answer["usage"]["prompt_tokens"] == 1 + 3
    assert sim.stats()["tool_calls"] == 0


def test_a_streamed_call_sends_and_counts_every_fragment(sim: SimulatorProcess, send: Post) -> None:
    answer = send(
        CHAT,
        chat(
            [{"role": "user", "content": "hi"}],
            tools=TOOLS[:1],
            stream=True,
            stream_options={"include_usage": True},
        ),
    )
    objects = [orjson.loads(data) for _, data in answer.events() if data != b"[DONE]"]
    pieces = [
        entry
        for chunk in objects
        for choice in chunk["choices"]
        for entry in choice["delta"].get("tool_calls", ())
    ]
    assert pieces[0]["id"] and pieces[0]["function"]["name"] == "run_sql"
    arguments = "".join(piece["function"]["arguments"] for piece in pieces)
    assert orjson.loads(arguments) == {"sql": " the load test"}
    assert len(pieces) == 1 + 3 + 2  # header, words, the opening and closing of the JSON
    usage = objects[-1]["usage"]
    assert usage["completion_tokens"] == rule_tokens("run_sql") + rule_tokens(arguments)
    stats = sim.stats()
    assert stats["output_tokens"] == stats["output_tokens_sent"] == usage["completion_tokens"]
