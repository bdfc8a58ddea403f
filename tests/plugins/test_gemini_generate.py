from __future__ import annotations

import orjson
import pytest

from harness.contracts import ChatRequest, SSEEvent, StreamEvent, Target
from harness_plugins.gemini_generate import GeminiAdapter, generate_url

ADAPTER = GeminiAdapter()


def chunk(*parts: dict[str, object], finish: str | None = None, **extra: object) -> SSEEvent:
    candidate: dict[str, object] = {"content": {"role": "model", "parts": list(parts)}}
    if finish:
        candidate["finishReason"] = finish
    return SSEEvent(data=orjson.dumps({"candidates": [candidate], **extra}).decode())


def parse(*events: SSEEvent) -> list[StreamEvent]:
    return list(ADAPTER.parse_stream(events))


def test_urls() -> None:
    base = "https://generativelanguage.googleapis.com"
    assert generate_url(base, "g", stream=True) == (
        f"{base}/v1beta/models/g:streamGenerateContent?alt=sse"
    )
    assert generate_url(base + "/v1beta/", "g", stream=False) == (
        f"{base}/v1beta/models/g:generateContent"
    )


def test_request_maps_roles_system_and_max_tokens() -> None:
    request = ChatRequest(
        messages=[
            {"role": "system", "content": "sys"},
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": "a"},
        ],
        model="gemini-x",
        max_tokens=50,
    )
    call = ADAPTER.build_request(
        request, Target("g", "gemini", "https://h", "m"), "AIza" + "k" * 30
    )
    body = orjson.loads(call.body)
    assert body["systemInstruction"] == {"parts": [{"text": "sys"}]}
    assert [c["role"] for c in body["contents"]] == ["user", "model"]
    assert body["generationConfig"] == {"maxOutputTokens": 50}
    assert call.headers["x-goog-api-key"].startswith("AIza") and b"AIza" not in call.body


def test_stream_thoughts_are_outside_candidates_and_last_usage_wins() -> None:
    usage = {
        "promptTokenCount": 20,
        "cachedContentTokenCount": 8,
        "candidatesTokenCount": 5,
        "thoughtsTokenCount": 12,
    }
    out = parse(
        chunk({"text": "thinking...", "thought": True}, usageMetadata={"promptTokenCount": 20}),
        chunk({"text": "Hello"}),
        chunk({"text": " world"}, finish="STOP", usageMetadata=usage),
    )
    assert [e.kind for e in out] == ["reasoning", "content", "content", "finish", "usage"]
    got = out[-1].usage
    assert got is not None
    assert (got.input_tokens, got.cached_input_tokens) == (20, 8)
    assert (got.output_tokens, got.reasoning_tokens) == (17, 12)


def test_blocked_prompt_is_a_bad_request_failure() -> None:
    blocked = SSEEvent(data=orjson.dumps({"promptFeedback": {"blockReason": "SAFETY"}}).decode())
    out = parse(blocked)
    assert out[-1].error is not None and out[-1].error.kind == "bad_request"
    assert "SAFETY" in out[-1].error.message
    completion = ADAPTER.parse_response(200, {}, blocked.data.encode())
    assert completion.error is not None and completion.error.kind == "bad_request"


def test_stream_without_finish_reason_is_broken() -> None:
    out = parse(chunk({"text": "a"}))
    assert out[-1].error is not None and out[-1].error.kind == "stream_broken"


def test_function_call_part_is_a_tool_call() -> None:
    out = parse(chunk({"functionCall": {"name": "f", "args": {}}}, finish="STOP"))
    assert out[0].kind == "tool_call"


@pytest.mark.parametrize(
    ("status", "grpc", "details", "kind", "retry_after"),
    [
        (
            429,
            "RESOURCE_EXHAUSTED",
            [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "47s"}],
            "rate_limited",
            47.0,
        ),
        (400, "INVALID_ARGUMENT", [{"reason": "API_KEY_INVALID"}], "auth", None),
        (400, "INVALID_ARGUMENT", [], "bad_request", None),
        (403, "PERMISSION_DENIED", [], "permission", None),
        (404, "NOT_FOUND", [], "not_found", None),
        (500, "INTERNAL", [], "server", None),
        (503, "UNAVAILABLE", [], "overloaded", None),
        (504, "DEADLINE_EXCEEDED", [], "timeout", None),
    ],
)
def test_classify_error(
    status: int, grpc: str, details: list[object], kind: str, retry_after: float | None
) -> None:
    body = orjson.dumps(
        {"error": {"code": status, "message": "m", "status": grpc, "details": details}}
    )
    info = ADAPTER.classify_error(status, {}, body)
    assert (info.kind, info.retry_after_s) == (kind, retry_after)
