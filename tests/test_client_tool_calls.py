"""A tool-call round trip in each dialect, through ChatClient, against the simulator.

The simulator answers every request that offers tools with a call, unless its
last message carries tool results: then it answers with text. So the first
request of each round trip gets a call, and the second, carrying the result
in the provider's own wire format (built by the adapter from neutral
messages), gets the final answer.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from harness.client import ChatClient
from harness.contracts import ChatRequest, RequestRecord, Target, ToolCall
from harness.mock import SimulatorConfig, SimulatorProcess
from harness.plugins import PluginHost
from harness.token_estimate import estimate_input_tokens
from harness.tool_calls import assistant_message, tool_result_message
from harness.transport import HttpTransport, Timeouts

ARGUMENT_WORDS = 4
ANSWER_TOKENS = 5
MODELS = {"openai": "sim-gpt", "anthropic": "claude-sim", "gemini": "gemini-sim"}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "query_logs",
            "description": "Search the service logs.",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string"}},
                "required": ["query"],
            },
        },
    }
]
MESSAGES = [
    {"role": "system", "content": "you debug services"},
    {"role": "user", "content": "why is checkout slow today"},
]
RESULT = "checkout waited on a lock for four seconds"
FINAL_REASONS = {"openai": "stop", "anthropic": "end_turn", "gemini": "STOP"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorProcess]:
    config = SimulatorConfig(
        ttft_ms=0,
        itl_ms=1,
        seed=0,
        output_tokens=ANSWER_TOKENS,
        tool_call_rate=1.0,
        tool_call_tokens=ARGUMENT_WORDS,
    )
    with SimulatorProcess(config) as running:
        yield running


def call(
    simulator: SimulatorProcess, provider: str, request: ChatRequest
) -> tuple[RequestRecord, ChatClient]:
    adapter = PluginHost().provider(provider)
    target = Target("sim", provider, simulator.url, request.model)
    transport = HttpTransport(Timeouts(connect=5.0, read=10.0, stall=5.0, total=30.0))
    client = ChatClient(target, adapter, transport, "sim-key")
    try:
        return client.call(request), client
    finally:
        transport.close()


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini"])
def test_a_tool_call_round_trip_ends_with_a_final_answer(
    simulator: SimulatorProcess, provider: str, stream: bool
) -> None:
    simulator.reset()
    model = MODELS[provider]
    first_request = ChatRequest(list(MESSAGES), model, max_tokens=64, stream=stream, tools=TOOLS)
    first, client = call(simulator, provider, first_request)

    assert first.ok, first.error
    assert first.finish_reason == "tool_calls"
    assert client.last_answer == ""
    [tool_call] = client.last_tool_calls
    assert tool_call.name == "query_logs" and tool_call.id
    arguments = orjson.loads(tool_call.arguments)
    assert list(arguments) == ["query"] and len(arguments["query"].split()) == ARGUMENT_WORDS
    # The simulator counts the call as the harness estimates it.
    assert first.usage is not None and first.usage_estimate is not None
    assert first.usage.source == "reported"
    assert first.usage.output_tokens == first.usage_estimate.output_tokens > ARGUMENT_WORDS
    if stream:
        assert first.output_events > 1 or provider == "gemini"  # Gemini sends calls whole

    follow_up = [
        *MESSAGES,
        assistant_message(client.last_answer, client.last_tool_calls),
        tool_result_message(tool_call, RESULT),
    ]
    second_request = ChatRequest(follow_up, model, max_tokens=64, stream=stream, tools=TOOLS)
    second, client = call(simulator, provider, second_request)

    assert second.ok, second.error
    assert second.finish_reason == FINAL_REASONS[provider]
    assert client.last_tool_calls == []
    assert len(client.last_answer.split()) == ANSWER_TOKENS
    # The tool result reached the model in the provider's format: its words count as input.
    assert second.usage is not None
    assert second.usage.input_tokens == estimate_input_tokens(follow_up)
    assert second.usage.input_tokens == first.usage.input_tokens + len(RESULT.split())

    stats = simulator.stats()
    assert stats["completed"] == 2 and stats["tool_calls"] == 1
    assert stats["output_tokens"] == first.usage.output_tokens + second.usage.output_tokens


def test_several_results_of_one_answer_go_back_together(simulator: SimulatorProcess) -> None:
    """Two calls answered at once: Anthropic and Gemini need one turn of results."""
    calls = [ToolCall("a1", "query_logs", '{"query": "x"}'), ToolCall("a2", "query_logs", "{}")]
    follow_up = [
        *MESSAGES,
        assistant_message("", calls),
        tool_result_message(calls[0], "one two"),
        tool_result_message(calls[1], "three"),
    ]
    for provider in ("openai", "anthropic", "gemini"):
        request = ChatRequest(follow_up, MODELS[provider], max_tokens=16, stream=True, tools=TOOLS)
        record, client = call(simulator, provider, request)
        assert record.ok, (provider, record.error)
        assert client.last_tool_calls == [], provider
        assert record.usage is not None
        assert record.usage.input_tokens == estimate_input_tokens(follow_up), provider
