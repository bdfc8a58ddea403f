"""Joining streamed tool-call pieces, per provider, and the neutral messages of a tool round."""

from __future__ import annotations

from typing import Any

import orjson

from harness.contracts import ChatRequest, SSEEvent, StreamEvent, Target, ToolCall
from harness.tool_calls import (
    ToolCallAssembler,
    arguments_object,
    assistant_message,
    tool_calls_text,
    tool_result_message,
)
from harness_plugins.anthropic_messages import AnthropicMessagesAdapter
from harness_plugins.gemini_generate import GeminiAdapter
from harness_plugins.openai_chat import OpenAIChatAdapter


def assembled(events: list[StreamEvent]) -> list[ToolCall]:
    assembler = ToolCallAssembler()
    for event in events:
        if event.kind == "tool_call":
            assembler.add(event.tool_index, event.tool_id, event.tool_name, event.text)
    return assembler.calls()


def sse(data: dict[str, Any], event: str = "message") -> SSEEvent:
    return SSEEvent(orjson.dumps(data).decode(), event)


def openai_delta(*entries: dict[str, Any]) -> SSEEvent:
    return sse({"choices": [{"index": 0, "delta": {"tool_calls": list(entries)}}]})


def test_openai_calls_interleaved_by_index_are_joined_per_index() -> None:
    def head(index: int, call_id: str, name: str) -> dict[str, Any]:
        function = {"name": name, "arguments": ""}
        return {"index": index, "id": call_id, "type": "function", "function": function}

    def piece(index: int, text: str) -> dict[str, Any]:
        return {"index": index, "function": {"arguments": text}}

    stream = [
        openai_delta(head(0, "call_a", "query_logs")),
        openai_delta(head(1, "call_b", "get_metrics")),
        openai_delta(piece(0, '{"query"'), piece(1, '{"name": ')),
        openai_delta(piece(1, '"p99"}')),
        openai_delta(piece(0, ': "timeout"}')),
        sse({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
        SSEEvent("[DONE]"),
    ]
    events = list(OpenAIChatAdapter().parse_stream(stream))
    assert assembled(events) == [
        ToolCall("call_a", "query_logs", '{"query": "timeout"}'),
        ToolCall("call_b", "get_metrics", '{"name": "p99"}'),
    ]
    assert [e.finish_reason for e in events if e.kind == "finish"] == ["tool_calls"]


def test_anthropic_tool_use_blocks_join_their_partial_json() -> None:
    def block_start(index: int, block: dict[str, Any]) -> SSEEvent:
        data = {"type": "content_block_start", "index": index, "content_block": block}
        return sse(data, "content_block_start")

    def delta(index: int, delta: dict[str, Any]) -> SSEEvent:
        data = {"type": "content_block_delta", "index": index, "delta": delta}
        return sse(data, "content_block_delta")

    def partial(index: int, text: str) -> SSEEvent:
        return delta(index, {"type": "input_json_delta", "partial_json": text})

    tool_use = {"type": "tool_use", "input": {}}
    stream = [
        sse({"type": "message_start", "message": {"usage": {}}}, "message_start"),
        block_start(0, {"type": "text", "text": ""}),
        delta(0, {"type": "text_delta", "text": "Let me look."}),
        block_start(1, {**tool_use, "id": "toolu_1", "name": "run_sql"}),
        partial(1, ""),
        partial(1, '{"sql": "select'),
        partial(1, ' 1"}'),
        block_start(2, {**tool_use, "id": "toolu_2", "name": "run_tests"}),
        sse({"type": "message_delta", "delta": {"stop_reason": "tool_use"}}, "message_delta"),
        sse({"type": "message_stop"}, "message_stop"),
    ]
    events = list(AnthropicMessagesAdapter().parse_stream(stream))
    assert assembled(events) == [
        ToolCall("toolu_1", "run_sql", '{"sql": "select 1"}'),
        ToolCall("toolu_2", "run_tests", "{}"),  # no input streamed: an empty object
    ]
    assert [e.finish_reason for e in events if e.kind == "finish"] == ["tool_calls"]


def test_gemini_whole_calls_across_chunks_are_numbered_in_order() -> None:
    def chunk(*parts: dict[str, Any], finish: str | None = None) -> SSEEvent:
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": list(parts)}}
        if finish:
            candidate["finishReason"] = finish
        return sse({"candidates": [candidate]})

    stream = [
        chunk({"text": "Checking."}),
        chunk({"functionCall": {"name": "get_metrics", "args": {"name": "p99"}}}),
        chunk(
            {"functionCall": {"name": "query_logs", "args": {"query": "lock"}, "id": "fc-7"}},
            finish="STOP",
        ),
    ]
    events = list(GeminiAdapter().parse_stream(stream))
    assert assembled(events) == [
        ToolCall("call_0", "get_metrics", '{"name":"p99"}'),
        ToolCall("fc-7", "query_logs", '{"query":"lock"}'),
    ]
    assert [e.finish_reason for e in events if e.kind == "finish"] == ["tool_calls"]


def test_a_gemini_answer_without_calls_keeps_its_finish_reason() -> None:
    candidate = {"content": {"parts": [{"text": "done"}]}, "finishReason": "STOP"}
    events = list(GeminiAdapter().parse_stream([sse({"candidates": [candidate]})]))
    assert [e.finish_reason for e in events if e.kind == "finish"] == ["STOP"]


def test_the_neutral_messages_of_a_tool_round() -> None:
    call = ToolCall("call_1", "run_sql", '{"sql": "select 1"}')
    assert assistant_message("", [call]) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "run_sql", "arguments": '{"sql": "select 1"}'},
            }
        ],
    }
    assert tool_result_message(call, "1 row") == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "1 row",
    }
    assert tool_calls_text([call, ToolCall("c2", "run_tests", "{}")]) == (
        'run_sql {"sql": "select 1"} run_tests {}'
    )


def test_arguments_that_are_not_an_object_are_kept_whole() -> None:
    assert arguments_object('{"a": 1}') == {"a": 1}
    assert arguments_object("") == {}
    assert arguments_object("[1, 2]") == {"arguments": [1, 2]}
    assert arguments_object('{"cut') == {"arguments": '{"cut'}


def test_adapters_write_neutral_tool_rounds_in_their_wire_format() -> None:
    call = ToolCall("call_1", "run_sql", '{"sql": "select 1"}')
    tools = [
        {"type": "function", "function": {"name": "run_sql", "parameters": {"type": "object"}}}
    ]
    messages = [
        {"role": "user", "content": "count rows"},
        assistant_message("Running it.", [call]),
        tool_result_message(call, "1 row"),
    ]
    request = ChatRequest(messages, "m", tools=tools)
    target = Target("t", "x", "http://127.0.0.1:1", "m")

    anthropic = orjson.loads(AnthropicMessagesAdapter().build_request(request, target, None).body)
    assert anthropic["tools"] == [{"name": "run_sql", "input_schema": {"type": "object"}}]
    assert anthropic["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Running it."},
                {
                    "type": "tool_use",
                    "id": "call_1",
                    "name": "run_sql",
                    "input": {"sql": "select 1"},
                },
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": "1 row"}],
        },
    ]

    gemini = orjson.loads(GeminiAdapter().build_request(request, target, None).body)
    assert gemini["tools"] == [
        {"functionDeclarations": [{"name": "run_sql", "parameters": {"type": "object"}}]}
    ]
    assert gemini["contents"][1:] == [
        {
            "role": "model",
            "parts": [
                {"text": "Running it."},
                {"functionCall": {"name": "run_sql", "args": {"sql": "select 1"}}},
            ],
        },
        {
            "role": "user",
            "parts": [{"functionResponse": {"name": "run_sql", "response": {"content": "1 row"}}}],
        },
    ]

    openai = orjson.loads(OpenAIChatAdapter().build_request(request, target, None).body)
    assert openai["messages"] == messages and openai["tools"] == tools
