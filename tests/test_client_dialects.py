"""The OpenAI, Anthropic and Gemini adapters, through ChatClient, against the simulator's dialects.

One simulator serves all three: three reasoning tokens when a request turns
reasoning on, half of every prompt read from the cache, answers of five
tokens. Each record's normalized usage must equal what the simulator counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.client import ChatClient
from harness.contracts import ChatRequest, RequestRecord, Target, Usage
from harness.mock import SimulatorConfig, SimulatorProcess
from harness.plugins import PluginHost
from harness.transport import HttpTransport, Timeouts

PROVIDERS = ("openai", "anthropic", "gemini")
REASONING_TOKENS = 3
ANSWER_TOKENS = 5
MESSAGES = [
    {"role": "system", "content": "be brief"},
    {"role": "user", "content": "name three primary colours please"},
]


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorProcess]:
    config = SimulatorConfig(
        ttft_ms=0,
        itl_ms=1,
        seed=0,
        output_tokens=ANSWER_TOKENS,
        reasoning_tokens=REASONING_TOKENS,
        cache_hit=0.5,
    )
    with SimulatorProcess(config) as running:
        yield running


@pytest.fixture(scope="module")
def plugin_host() -> PluginHost:
    return PluginHost()


def chat_request(provider: str, stream: bool, reasoning: bool = False) -> ChatRequest:
    """A request of 7 input tokens; with ``reasoning``, in the provider's own way of asking."""
    model = {"openai": "sim-gpt", "anthropic": "claude-sim", "gemini": "gemini-sim"}[provider]
    max_tokens = 64
    extra: dict[str, Any] = {}
    if reasoning and provider == "openai":
        model = "sim-reasoner"
    elif reasoning and provider == "anthropic":
        max_tokens = 2048
        extra = {"thinking": {"type": "enabled", "budget_tokens": 1024}}
    elif reasoning:
        thinking = {"includeThoughts": True}
        extra = {"generationConfig": {"maxOutputTokens": max_tokens, "thinkingConfig": thinking}}
    return ChatRequest(MESSAGES, model, max_tokens=max_tokens, stream=stream, extra=extra)


def call(
    simulator: SimulatorProcess, host: PluginHost, provider: str, request: ChatRequest
) -> RequestRecord:
    adapter = host.provider(provider)
    target = Target("sim", provider, simulator.url, request.model)
    transport = HttpTransport(Timeouts(connect=5.0, read=10.0, stall=5.0, total=30.0))
    try:
        return ChatClient(target, adapter, transport, "sim-key").call(request)
    finally:
        transport.close()


def served_usage(simulator: SimulatorProcess) -> Usage:
    stats = simulator.stats()
    return Usage(
        input_tokens=stats["input_tokens"],
        output_tokens=stats["output_tokens"],
        cached_input_tokens=stats["cached_input_tokens"],
        reasoning_tokens=stats["reasoning_tokens"],
    )


@pytest.mark.parametrize("reasoning", [False, True], ids=["plain", "reasoning"])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_usage_is_normalized_to_what_the_simulator_counted(
    simulator: SimulatorProcess,
    plugin_host: PluginHost,
    provider: str,
    stream: bool,
    reasoning: bool,
) -> None:
    simulator.clear_faults()
    simulator.reset()
    record = call(simulator, plugin_host, provider, chat_request(provider, stream, reasoning))
    assert record.ok, record.error
    served = served_usage(simulator)
    expected_reasoning = REASONING_TOKENS if reasoning else 0
    assert served == Usage(7, ANSWER_TOKENS + expected_reasoning, 3, 0, expected_reasoning)
    assert record.usage == served
    # The harness's own count of the text it received agrees with the provider's.
    assert record.usage_estimate is not None
    assert record.usage_estimate.input_tokens == served.input_tokens
    assert record.usage_estimate.output_tokens == served.output_tokens
    assert record.finish_reason in ("stop", "end_turn", "STOP")
    if stream:
        assert record.output_events == served.output_tokens
        assert record.ttft_s is not None and record.ttfa_s is not None
        if reasoning:
            assert record.ttfa_s > record.ttft_s, "the answer comes after the reasoning"


FAULTS = [
    ("http:500", True, "server", 500),
    ("429:1", True, "rate_limited", 429),
    ("http:529", True, "overloaded", 529),
    ("cut:2", True, "stream_broken", 200),
    ("malformed", True, "protocol", 200),
    ("overload", False, "overloaded", None),
    ("blocked", True, "bad_request", None),
]
STREAM_OVERLOAD_KIND = {
    "openai": "overloaded",
    "anthropic": "overloaded",
    "gemini": "stream_broken",
}


@pytest.mark.parametrize(("fault", "stream", "kind", "status"), FAULTS)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_fault_is_classified(
    simulator: SimulatorProcess,
    plugin_host: PluginHost,
    provider: str,
    fault: str,
    stream: bool,
    kind: str,
    status: int | None,
) -> None:
    simulator.clear_faults()
    simulator.add_fault(f"{fault}@next")
    record = call(simulator, plugin_host, provider, chat_request(provider, stream))
    assert not record.ok and record.error is not None
    assert record.error.kind == kind, record.error
    if status is not None:
        assert record.http_status == status
    if fault.startswith("429"):
        assert record.error.retry_after_s == 1.0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_overload_inside_a_stream(
    simulator: SimulatorProcess, plugin_host: PluginHost, provider: str
) -> None:
    simulator.clear_faults()
    simulator.add_fault("overload@next")
    record = call(simulator, plugin_host, provider, chat_request(provider, stream=True))
    assert not record.ok and record.error is not None
    assert (record.http_status, record.error.kind) == (200, STREAM_OVERLOAD_KIND[provider])
    assert record.output_events == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_wrong_usage_shows_against_the_estimate(
    simulator: SimulatorProcess, plugin_host: PluginHost, provider: str
) -> None:
    simulator.clear_faults()
    simulator.reset()
    simulator.add_fault("wrong_usage:2@next")
    record = call(simulator, plugin_host, provider, chat_request(provider, stream=True))
    assert record.ok and record.usage is not None and record.usage_estimate is not None
    served = served_usage(simulator)
    assert (record.usage.input_tokens, record.usage.output_tokens) == (
        2 * served.input_tokens,
        2 * served.output_tokens,
    )
    assert (record.usage_estimate.input_tokens, record.usage_estimate.output_tokens) == (
        served.input_tokens,
        served.output_tokens,
    )
