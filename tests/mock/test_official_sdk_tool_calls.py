"""The official ``openai`` and ``anthropic`` SDKs accumulate the simulator's tool calls.

Their stream helpers join tool-call fragments into whole calls with parsed
arguments; a fragment out of place in the simulator's streams would break them.
"""

from __future__ import annotations

import json
from typing import Any

import anthropic
import openai
import pytest

SIMULATOR = {
    "tool_call_rate": 1.0,
    "tool_call_tokens": 4,
    "output_tokens": 3,
    "reasoning_tokens": 2,
}
MESSAGES: list[Any] = [{"role": "user", "content": "what failed in checkout"}]
ARGUMENT = " the load test sends"
SCHEMA = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}


def test_openai_stream_helper_joins_the_call(openai_client: openai.OpenAI) -> None:
    tools: Any = [{"type": "function", "function": {"name": "query_logs", "parameters": SCHEMA}}]
    with openai_client.chat.completions.stream(
        model="sim-gpt", messages=MESSAGES, tools=tools, stream_options={"include_usage": True}
    ) as stream:
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls or []
    assert call.type == "function" and call.id
    assert call.function.name == "query_logs"
    assert json.loads(call.function.arguments) == {"query": ARGUMENT}
    assert final.usage is not None and final.usage.completion_tokens > 4


@pytest.mark.parametrize("thinking", [False, True])
def test_anthropic_stream_helper_joins_the_call(
    anthropic_client: anthropic.Anthropic, thinking: bool
) -> None:
    tools: Any = [{"name": "query_logs", "input_schema": SCHEMA}]
    extra: Any = {"thinking": {"type": "enabled", "budget_tokens": 1024}} if thinking else {}
    with anthropic_client.messages.stream(
        model="claude-sim", max_tokens=2048, messages=MESSAGES, tools=tools, **extra
    ) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    *thoughts, block = final.content
    assert [b.type for b in thoughts] == (["thinking"] if thinking else [])
    assert block.type == "tool_use" and block.name == "query_logs" and block.id
    assert block.input == {"query": ARGUMENT}


def test_anthropic_answers_tool_results_with_text(anthropic_client: anthropic.Anthropic) -> None:
    tools: Any = [{"name": "query_logs", "input_schema": SCHEMA}]
    first = anthropic_client.messages.create(
        model="claude-sim", max_tokens=64, messages=MESSAGES, tools=tools
    )
    [block] = first.content
    assert block.type == "tool_use"
    follow_up: Any = [
        *MESSAGES,
        {"role": "assistant", "content": [block.model_dump()]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": block.id, "content": "two words"}],
        },
    ]
    second = anthropic_client.messages.create(
        model="claude-sim", max_tokens=64, messages=follow_up, tools=tools
    )
    assert second.stop_reason == "end_turn"
    assert [b.type for b in second.content] == ["text"]
    assert second.usage.input_tokens == len(MESSAGES[0]["content"].split()) + 2
