from __future__ import annotations

import orjson
import pytest

from harness.contracts import ChatRequest, SSEEvent, StreamEvent, Target
from harness_plugins.anthropic_messages import AnthropicMessagesAdapter, messages_url

ADAPTER = AnthropicMessagesAdapter()


def sse(kind: str, **data: object) -> SSEEvent:
    return SSEEvent(data=orjson.dumps({"type": kind, **data}).decode(), event=kind)


def parse(*events: SSEEvent) -> list[StreamEvent]:
    return list(ADAPTER.parse_stream(events))


START = sse(
    "message_start",
    message={
        "usage": {
            "input_tokens": 10,
            "cache_read_input_tokens": 100,
            "cache_creation_input_tokens": 5,
            "output_tokens": 1,
        }
    },
)


def delta(kind: str, **fields: object) -> SSEEvent:
    return sse("content_block_delta", index=0, delta={"type": kind, **fields})


def test_messages_url() -> None:
    assert messages_url("https://api.anthropic.com") == "https://api.anthropic.com/v1/messages"
    assert messages_url("https://relay.test/v1/") == "https://relay.test/v1/messages"


def test_request_has_top_level_system_required_max_tokens_and_key_header() -> None:
    request = ChatRequest(
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
        model="claude-x",
    )
    call = ADAPTER.build_request(request, Target("a", "anthropic", "https://h", "m"), "k" * 20)
    body = orjson.loads(call.body)
    assert body["system"] == "be brief" and body["messages"] == [{"role": "user", "content": "hi"}]
    assert body["max_tokens"] == 1024 and body["stream"] is True
    assert call.headers["x-api-key"] == "k" * 20 and call.headers["anthropic-version"]
    assert b"kkkk" not in call.body


def test_stream_with_thinking_text_and_cumulative_usage() -> None:
    out = parse(
        START,
        sse("ping"),
        sse("content_block_start", index=0, content_block={"type": "thinking", "thinking": ""}),
        delta("thinking_delta", thinking="hmm"),
        delta("signature_delta", signature="sig"),
        sse("content_block_stop", index=0),
        delta("text_delta", text="Hi"),
        delta("text_delta", text=" there"),
        sse("message_delta", delta={"stop_reason": "end_turn"}, usage={"output_tokens": 7}),
        sse("message_stop"),
    )
    kinds = [e.kind for e in out]
    assert kinds == ["keepalive", "reasoning", "content", "content", "finish", "usage"]
    usage = out[-1].usage
    assert usage is not None
    assert (usage.input_tokens, usage.cached_input_tokens, usage.cache_write_tokens) == (
        115,
        100,
        5,
    )
    assert usage.output_tokens == 7 and out[4].finish_reason == "end_turn"


def test_tool_use_deltas_are_tool_calls() -> None:
    out = parse(START, delta("input_json_delta", partial_json='{"q":'), sse("message_stop"))
    assert out[0].kind == "tool_call" and out[0].text == '{"q":'


def test_error_event_mid_stream_is_overloaded() -> None:
    out = parse(START, sse("error", error={"type": "overloaded_error", "message": "Overloaded"}))
    assert out[-1].error is not None and out[-1].error.kind == "overloaded"
    assert out[-1].error.retryable


def test_stream_without_message_stop_is_broken() -> None:
    out = parse(START, delta("text_delta", text="a"))
    assert out[-1].error is not None and out[-1].error.kind == "stream_broken"


def test_non_streaming_response() -> None:
    body = {
        "type": "message",
        "content": [{"type": "thinking", "thinking": "t"}, {"type": "text", "text": "answer"}],
        "stop_reason": "max_tokens",
        "usage": {"input_tokens": 3, "output_tokens": 9},
    }
    completion = ADAPTER.parse_response(200, {}, orjson.dumps(body))
    assert (completion.text, completion.reasoning_text) == ("answer", "t")
    assert completion.usage is not None and completion.usage.output_tokens == 9


@pytest.mark.parametrize(
    ("status", "error_type", "message", "kind"),
    [
        (401, "authentication_error", "invalid x-api-key", "auth"),
        (403, "permission_error", "no", "permission"),
        (404, "not_found_error", "model: x", "not_found"),
        (400, "invalid_request_error", "prompt is too long: 300000 tokens", "context_length"),
        (400, "invalid_request_error", "messages: bad", "bad_request"),
        (429, "rate_limit_error", "slow down", "rate_limited"),
        (500, "api_error", "oops", "server"),
        (529, "overloaded_error", "Overloaded", "overloaded"),
    ],
)
def test_classify_error(status: int, error_type: str, message: str, kind: str) -> None:
    body = orjson.dumps({"type": "error", "error": {"type": error_type, "message": message}})
    info = ADAPTER.classify_error(status, {"retry-after": "12"}, body)
    assert (info.kind, info.http_status, info.retry_after_s) == (kind, status, 12.0)
