from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import orjson
import pytest

from harness.client import ChatClient
from harness.contracts import (
    ChatRequest,
    Completion,
    ErrorInfo,
    HttpCall,
    SSEEvent,
    StreamEvent,
    Target,
    Usage,
)
from harness.mock.process import SimulatorProcess
from harness.stream_output import ChunkParser, StreamOutput, events_from_chunks
from harness.transport import HttpTransport, Timeouts
from harness_plugins.openai_chat import OpenAIChatAdapter

StartSimulator = Callable[..., SimulatorProcess]

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_metrics",
            "description": "Read a service's metrics.",
            "parameters": {"type": "object", "properties": {"service": {"type": "string"}}},
        },
    }
]


class EventsOnlyAdapter:
    """The OpenAI adapter seen through ``parse_stream`` alone, as a plain plugin is."""

    def __init__(self) -> None:
        self._adapter = OpenAIChatAdapter()
        self.name = self._adapter.name

    def build_request(self, request: ChatRequest, target: Target, api_key: str | None) -> HttpCall:
        return self._adapter.build_request(request, target, api_key)

    def parse_response(self, status: int, headers: dict[str, str], body: bytes) -> Completion:
        return self._adapter.parse_response(status, headers, body)

    def parse_stream(self, events: Iterable[SSEEvent]) -> Iterator[StreamEvent]:
        return self._adapter.parse_stream(events)

    def classify_error(self, status: int, headers: dict[str, str], body: bytes) -> ErrorInfo:
        return self._adapter.classify_error(status, headers, body)


def test_output_counts_output_events_and_keeps_the_first_error() -> None:
    out = StreamOutput()
    out.add_reasoning("think")
    out.add_content("Hel")
    out.add_content("lo")
    out.add_tool_call(0, "call_1", "get_metrics", '{"service":')
    out.add_tool_call(0, None, None, '"api"}')
    out.fail(ErrorInfo("protocol", "first"))
    out.fail(ErrorInfo("server", "second"))
    assert out.output_events == 5
    assert "".join(out.answer) == "Hello" and out.reasoning == ["think"]
    (call,) = out.calls()
    assert (call.id, call.name, call.arguments) == ("call_1", "get_metrics", '{"service":"api"}')
    assert out.error is not None and out.error.message == "first"


def test_apply_takes_every_kind_of_stream_event() -> None:
    out = StreamOutput()
    usage = Usage(3, 2)
    for event in [
        StreamEvent("keepalive", "", 0),
        StreamEvent("content", "a"),
        StreamEvent("reasoning", "r"),
        StreamEvent("tool_call", "{}", tool_index=1, tool_id="c", tool_name="n"),
        StreamEvent("usage", "", 0, usage),
        StreamEvent("finish", "", 0, finish_reason="stop"),
        StreamEvent("error", "", 0),
    ]:
        out.apply(event)
    assert (out.answer, out.reasoning, out.output_events) == (["a"], ["r"], 3)
    assert out.usage is usage and out.finish_reason == "stop"
    assert out.error is not None and out.error.kind == "protocol"
    assert [(c.id, c.name) for c in out.calls()] == [("c", "n")]


def openai_chunk(delta: dict[str, object], finish: str | None = None, **extra: object) -> str:
    body = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return orjson.dumps(body).decode()


def test_events_from_chunks_says_what_the_chunk_parser_wrote() -> None:
    adapter = OpenAIChatAdapter()
    assert isinstance(adapter, ChunkParser)
    usage = {"prompt_tokens": 5, "completion_tokens": 3}
    sse = [
        SSEEvent("keep-alive", "comment"),
        SSEEvent(openai_chunk({"role": "assistant", "content": ""})),
        SSEEvent(openai_chunk({"reasoning_content": "hmm", "content": "Hi"})),
        SSEEvent(openai_chunk({"tool_calls": [{"index": 0, "id": "c1", "function": {}}]})),
        SSEEvent(openai_chunk({}, "tool_calls")),
        SSEEvent(orjson.dumps({"choices": [], "usage": usage}).decode()),
        SSEEvent("[DONE]"),
    ]
    events = list(events_from_chunks(adapter, sse))
    assert [e.kind for e in events] == [
        "keepalive",
        "reasoning",
        "content",
        "tool_call",
        "finish",
        "usage",
    ]
    out = StreamOutput()
    output_chunks = adapter.parse_chunks([(e.event, e.data) for e in sse], out)
    adapter.end_of_stream(out)
    assert output_chunks == 2  # the reasoning-and-content chunk and the tool-call chunk
    assert (out.answer, out.reasoning, out.output_events) == (["Hi"], ["hmm"], 3)
    assert out.usage == events[-1].usage and out.finish_reason == "tool_calls"
    assert out.error is None and out.ended


def test_events_from_chunks_stops_at_the_first_error() -> None:
    sse = [SSEEvent(openai_chunk({"content": "a"})), SSEEvent("{oops"), SSEEvent("[DONE]")]
    events = list(events_from_chunks(OpenAIChatAdapter(), sse))
    assert [e.kind for e in events] == ["content", "error"]
    assert events[-1].error is not None and events[-1].error.kind == "protocol"


def test_a_stream_that_just_ends_fails_at_its_end() -> None:
    events = list(
        events_from_chunks(OpenAIChatAdapter(), [SSEEvent(openai_chunk({"content": "a"}))])
    )
    assert events[-1].kind == "error"
    assert events[-1].error is not None and events[-1].error.kind == "stream_broken"


def call_both_ways(
    simulator: SimulatorProcess, request: ChatRequest, fault: str | None = None
) -> list[tuple[object, ...]]:
    """The same call through the chunk parser and through ``parse_stream``: what each recorded."""
    target = Target("sim", "openai", simulator.url, "sim-gpt")
    seen = []
    for adapter in (OpenAIChatAdapter(), EventsOnlyAdapter()):
        if fault:
            simulator.add_fault(f"{fault}@next")
        client = ChatClient(target, adapter, HttpTransport(Timeouts(stall=0.5)))  # type: ignore[arg-type]
        record = client.call(request)
        client.transport.close()
        seen.append(
            (
                record.ok,
                record.error.kind if record.error else None,
                record.output_events,
                sum(record.itl_buckets.values()),
                record.ttft_s is None,
                record.ttfa_s is None,
                record.usage,
                record.finish_reason,
                client.last_answer,
                [(call.name, call.arguments) for call in client.last_tool_calls],
            )
        )
    return seen


@pytest.mark.parametrize("fault", [None, "cut:3", "malformed", "stall:3"])
def test_both_ways_of_parsing_record_the_same(
    start_simulator: StartSimulator, fault: str | None
) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=3, reasoning_tokens=4)
    messages = [{"role": "user", "content": "alpha beta gamma delta"}]
    request = ChatRequest(messages, "sim-gpt", max_tokens=12, extra={"reasoning_effort": "low"})
    chunked, evented = call_both_ways(simulator, request, fault)
    assert chunked == evented
    assert chunked[0] is (fault is None)


def test_both_ways_of_parsing_assemble_the_same_tool_calls(
    start_simulator: StartSimulator,
) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=1, tool_call_rate=1.0)
    messages = [{"role": "user", "content": "how is the api service doing"}]
    request = ChatRequest(messages, "sim-gpt", max_tokens=32, tools=TOOLS)
    chunked, evented = call_both_ways(simulator, request)
    assert chunked == evented
    calls = chunked[-1]
    assert isinstance(calls, list) and [name for name, _ in calls] == ["get_metrics"]
