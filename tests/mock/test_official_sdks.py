"""The official ``openai`` and ``anthropic`` SDKs, pointed at the simulator, read its answers.

If the simulator's streams or bodies strayed from the real protocols, the SDKs'
own parsers (typed models, stream accumulators, error mapping) would fail here.
SDK retries are off, as they must be for a load test.
"""

from __future__ import annotations

from typing import Any

import anthropic
import openai
import pytest

from harness.mock import SimulatorProcess

# Answers of 5 tokens, 3 reasoning tokens when asked, half of every prompt cached.
SIMULATOR = {"output_tokens": 5, "reasoning_tokens": 3, "cache_hit": 0.5}
MESSAGES: list[Any] = [{"role": "user", "content": "count to five please"}]
ANSWER = " the load test sends a"


def served(sim: SimulatorProcess) -> tuple[int, ...]:
    """(input, cached, output, reasoning) tokens the simulator counted."""
    stats = sim.stats()
    keys = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens")
    return tuple(stats[key] for key in keys)


# -- openai ----------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "reasoning"), [("sim-gpt", 0), ("sim-reasoner", 3)])
def test_openai_streaming(
    sim: SimulatorProcess, openai_client: openai.OpenAI, model: str, reasoning: int
) -> None:
    stream = openai_client.chat.completions.create(
        model=model,
        messages=MESSAGES,
        max_completion_tokens=64,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    deltas = [chunk.choices[0].delta for chunk in chunks if chunk.choices]
    assert "".join(delta.content or "" for delta in deltas) == ANSWER
    thought = "".join(getattr(delta, "reasoning_content", None) or "" for delta in deltas)
    assert thought == " the load test"[: 5 * reasoning]
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    usage = chunks[-1].usage
    assert usage is not None
    details = usage.completion_tokens_details
    counted = (
        usage.prompt_tokens,
        usage.prompt_tokens_details.cached_tokens if usage.prompt_tokens_details else 0,
        usage.completion_tokens,
        details.reasoning_tokens if details else 0,
    )
    assert counted == served(sim) == (4, 2, 5 + reasoning, reasoning)


@pytest.mark.parametrize(("model", "reasoning"), [("sim-gpt", 0), ("sim-reasoner", 3)])
def test_openai_non_streaming(
    sim: SimulatorProcess, openai_client: openai.OpenAI, model: str, reasoning: int
) -> None:
    completion = openai_client.chat.completions.create(
        model=model, messages=MESSAGES, max_tokens=64
    )
    message = completion.choices[0].message
    assert (message.role, message.content) == ("assistant", ANSWER)
    assert completion.usage is not None
    assert completion.usage.completion_tokens == 5 + reasoning == served(sim)[2]
    assert completion.usage.prompt_tokens == 4
    if reasoning:
        assert getattr(message, "reasoning_content", None) == " the load test"


def test_openai_errors_are_typed(sim: SimulatorProcess, openai_client: openai.OpenAI) -> None:
    sim.add_fault("429:1@next")
    with pytest.raises(openai.RateLimitError) as limited:
        openai_client.chat.completions.create(model="m", messages=MESSAGES)
    assert limited.value.status_code == 429
    assert limited.value.code == "rate_limit_exceeded"
    sim.add_fault("http:500@next")
    with pytest.raises(openai.InternalServerError):
        openai_client.chat.completions.create(model="m", messages=MESSAGES)
    sim.add_fault("overload@next")
    stream = openai_client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    with pytest.raises(openai.APIError) as overloaded:
        list(stream)
    assert isinstance(overloaded.value.body, dict) and overloaded.value.body["code"] == "overloaded"


# -- anthropic ---------------------------------------------------------------------------


def test_anthropic_non_streaming(
    sim: SimulatorProcess, anthropic_client: anthropic.Anthropic
) -> None:
    message = anthropic_client.messages.create(
        model="claude-sim", max_tokens=64, system="be brief", messages=MESSAGES
    )
    assert (message.type, message.role, message.stop_reason) == ("message", "assistant", "end_turn")
    (block,) = message.content
    assert block.type == "text" and block.text == ANSWER
    usage = message.usage
    # Anthropic's input_tokens leave the cache out: 6 prompt tokens, 3 of them cached.
    assert (usage.input_tokens, usage.cache_read_input_tokens, usage.output_tokens) == (3, 3, 5)
    assert served(sim) == (6, 3, 5, 0)


@pytest.mark.parametrize("thinking", [False, True])
def test_anthropic_stream_helper(
    sim: SimulatorProcess, anthropic_client: anthropic.Anthropic, thinking: bool
) -> None:
    extra: dict[str, Any] = {}
    if thinking:
        extra["thinking"] = {"type": "enabled", "budget_tokens": 1024}
    with anthropic_client.messages.stream(
        model="claude-sim", max_tokens=2048, messages=MESSAGES, **extra
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == ANSWER
    assert final.stop_reason == "end_turn"
    assert [block.type for block in final.content] == ["thinking", "text"] if thinking else ["text"]
    if thinking:
        block = final.content[0]
        assert block.type == "thinking" and block.thinking == " the load test"
        assert block.signature
    usage = final.usage
    thought = usage.output_tokens_details.thinking_tokens if usage.output_tokens_details else 0
    total_input = usage.input_tokens + (usage.cache_read_input_tokens or 0)
    counted = (total_input, usage.cache_read_input_tokens, usage.output_tokens, thought)
    assert counted == served(sim) == (4, 2, 5 + 3 * thinking, 3 * thinking)


def test_anthropic_errors_are_typed(
    sim: SimulatorProcess, anthropic_client: anthropic.Anthropic
) -> None:
    sim.add_fault("429:1@next")
    with pytest.raises(anthropic.RateLimitError):
        anthropic_client.messages.create(model="c", max_tokens=8, messages=MESSAGES)
    sim.add_fault("overload@next")
    with pytest.raises(anthropic.InternalServerError) as overloaded:
        anthropic_client.messages.create(model="c", max_tokens=8, messages=MESSAGES)
    assert overloaded.value.status_code == 529
    sim.add_fault("overload@next")
    with (
        pytest.raises(anthropic.APIStatusError) as in_stream,
        anthropic_client.messages.stream(model="c", max_tokens=8, messages=MESSAGES) as stream,
    ):
        stream.get_final_message()
    body = in_stream.value.body
    assert isinstance(body, dict) and body["error"]["type"] == "overloaded_error"
