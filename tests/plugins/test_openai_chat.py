from __future__ import annotations

import orjson
import pytest

from harness.contracts import ChatRequest, SSEEvent, StreamEvent, Target
from harness_plugins.openai_chat import OpenAIChatAdapter, chat_completions_url

ADAPTER = OpenAIChatAdapter()
TARGET = Target("t", "openai", "https://api.example.test/v1", "m")


def events(*datas: str) -> list[SSEEvent]:
    return [SSEEvent(data=d) for d in datas]


def chunk(content: str | None = None, finish: str | None = None, **extra: object) -> str:
    delta = {} if content is None else {"content": content}
    body = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return orjson.dumps(body).decode()


def parse(*datas: str) -> list[StreamEvent]:
    return list(ADAPTER.parse_stream(events(*datas)))


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://api.openai.com/v1", "https://api.openai.com/v1/chat/completions"),
        ("https://api.openai.com/v1/", "https://api.openai.com/v1/chat/completions"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1/chat/completions"),
        ("https://relay.test/openai/v1", "https://relay.test/openai/v1/chat/completions"),
    ],
)
def test_chat_completions_url(base: str, url: str) -> None:
    assert chat_completions_url(base) == url


def test_build_streaming_request_asks_for_usage_and_sends_key_only_in_header() -> None:
    request = ChatRequest(messages=[{"role": "user", "content": "hi"}], model="m", max_tokens=5)
    call = ADAPTER.build_request(request, TARGET, "sk-test-key-1234567890")
    body = orjson.loads(call.body)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == 5 and body["model"] == "m"
    assert call.headers["Authorization"] == "Bearer sk-test-key-1234567890"
    assert b"sk-test" not in call.body


def test_stream_with_usage_chunk() -> None:
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 2,
        "prompt_tokens_details": {"cached_tokens": 4},
        "completion_tokens_details": {"reasoning_tokens": 1},
    }
    out = parse(
        chunk(""),
        chunk("Hel"),
        chunk("lo", finish="stop"),
        orjson.dumps({"choices": [], "usage": usage}).decode(),
        "[DONE]",
    )
    kinds = [e.kind for e in out]
    assert kinds == ["content", "content", "finish", "usage"]
    assert out[2].finish_reason == "stop"
    got = out[3].usage
    assert got is not None
    assert (got.input_tokens, got.output_tokens, got.cached_input_tokens) == (10, 2, 4)
    assert got.reasoning_tokens == 1 and got.source == "reported"


def test_reasoning_content_is_reasoning_not_answer() -> None:
    reasoning = orjson.dumps({"choices": [{"delta": {"reasoning_content": "hmm"}}]}).decode()
    out = parse(reasoning, chunk("answer", finish="stop"), "[DONE]")
    assert [e.kind for e in out] == ["reasoning", "content", "finish"]


def test_keepalive_comment() -> None:
    out = list(ADAPTER.parse_stream([SSEEvent(data="keep-alive", event="comment")]))
    assert out[0].kind == "keepalive"


def test_malformed_chunk_is_a_protocol_error_and_stops() -> None:
    out = parse(chunk("a"), "{not json", chunk("b"))
    assert [e.kind for e in out] == ["content", "error"]
    assert out[1].error is not None and out[1].error.kind == "protocol"


def test_error_object_in_stream() -> None:
    error = {"error": {"message": "overloaded", "type": "server_error", "code": None}}
    out = parse(chunk("a"), orjson.dumps(error).decode())
    assert out[-1].kind == "error" and out[-1].error is not None
    assert out[-1].error.message == "overloaded"


def test_stream_without_end_is_broken() -> None:
    out = parse(chunk("a"), chunk("b"))
    assert out[-1].kind == "error" and out[-1].error is not None
    assert out[-1].error.kind == "stream_broken"


def test_stream_with_finish_but_no_done_is_accepted() -> None:
    assert [e.kind for e in parse(chunk("a", finish="length"))] == ["content", "finish"]


def test_parse_non_streaming_response() -> None:
    body = {
        "choices": [{"message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1},
    }
    completion = ADAPTER.parse_response(200, {}, orjson.dumps(body))
    assert completion.text == "hi" and completion.finish_reason == "stop"
    assert completion.usage is not None and completion.usage.output_tokens == 1


def test_200_with_error_body_is_an_error() -> None:
    body = orjson.dumps({"error": {"message": "nope", "type": "invalid_request_error"}})
    completion = ADAPTER.parse_response(200, {}, body)
    assert completion.error is not None and completion.error.message == "nope"


@pytest.mark.parametrize(
    ("status", "code", "kind", "retryable"),
    [
        (429, "rate_limit_exceeded", "rate_limited", True),
        (429, "insufficient_quota", "quota", False),
        (400, "context_length_exceeded", "context_length", False),
        (401, "invalid_api_key", "auth", False),
        (404, "model_not_found", "not_found", False),
        (500, None, "server", True),
        (503, None, "overloaded", True),
        (402, None, "quota", False),
    ],
)
def test_classify_error(status: int, code: str | None, kind: str, retryable: bool) -> None:
    body = orjson.dumps({"error": {"message": "m", "type": "t", "code": code}})
    info = ADAPTER.classify_error(status, {"retry-after": "3"}, body)
    assert (info.kind, info.retryable, info.http_status) == (kind, retryable, status)
    assert info.retry_after_s == 3.0


def test_classify_non_json_error_body() -> None:
    info = ADAPTER.classify_error(502, {}, b"<html>Bad Gateway</html>")
    assert info.kind == "server" and "Bad Gateway" in info.message
