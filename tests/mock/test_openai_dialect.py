from __future__ import annotations

import json

import pytest

from harness.mock.dialect import Generation, TokenCounts
from harness.mock.openai_dialect import (
    DONE_EVENT,
    ChunkEncoder,
    InvalidRequest,
    completion_body,
    invalid_request_body,
    parse_chat_request,
    rate_limit_body,
    status_error_body,
)


def body(**fields: object) -> bytes:
    payload: dict[str, object] = {"messages": [{"role": "user", "content": "one two three"}]}
    payload.update(fields)
    return json.dumps(payload).encode()


def test_parse_minimal_request() -> None:
    request = parse_chat_request(body(), default_model="sim-gpt")
    assert request.model == "sim-gpt"
    assert request.max_tokens is None
    assert request.stream is False
    assert request.include_usage is False
    assert request.input_tokens == 3


def test_parse_full_request() -> None:
    request = parse_chat_request(
        body(
            model="gpt-x",
            max_tokens=50,
            max_completion_tokens=20,
            stream=True,
            stream_options={"include_usage": True},
            temperature=0.3,
        ),
        default_model="sim-gpt",
    )
    assert (request.model, request.max_tokens, request.stream, request.include_usage) == (
        "gpt-x",
        20,
        True,
        True,
    )


def test_legacy_max_tokens_is_used_when_alone() -> None:
    assert parse_chat_request(body(max_tokens=7), "m").max_tokens == 7


def test_include_usage_only_counts_when_streaming() -> None:
    request = parse_chat_request(body(stream_options={"include_usage": True}), "m")
    assert request.include_usage is False


@pytest.mark.parametrize(
    ("raw", "param"),
    [
        (b"{not json", None),
        (b"[1, 2]", None),
        (b'{"model": "m"}', "messages"),
        (body(messages=[]), "messages"),
        (body(messages="hi"), "messages"),
        (body(model=3), "model"),
        (body(max_tokens=0), "max_tokens"),
        (body(max_completion_tokens="5"), "max_completion_tokens"),
        (body(max_tokens=True), "max_tokens"),
        (body(stream="yes"), "stream"),
    ],
)
def test_invalid_requests(raw: bytes, param: str | None) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_chat_request(raw, "m")
    assert caught.value.param == param
    error = json.loads(invalid_request_body(caught.value))["error"]
    assert error["type"] == "invalid_request_error"
    assert set(error) == {"message", "type", "param", "code"}


def generation(answer: int, reasoning: int = 0, cached: int = 0, created: int = 123) -> Generation:
    usage = TokenCounts(9, cached, answer + reasoning, reasoning)
    return Generation(reasoning, answer, True, usage, number=1, created=created)


def test_completion_body() -> None:
    result = json.loads(completion_body("chatcmpl-1", "m", generation(4)))
    assert result["object"] == "chat.completion"
    assert result["created"] == 123
    assert result["choices"][0]["message"]["role"] == "assistant"
    assert "reasoning_content" not in result["choices"][0]["message"]
    assert len(result["choices"][0]["message"]["content"].split()) == 4
    assert result["choices"][0]["finish_reason"] == "length"
    assert result["usage"] == {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}


def test_reasoner_model_turns_reasoning_on() -> None:
    assert parse_chat_request(body(model="deepseek-reasoner"), "m").reasoning
    assert not parse_chat_request(body(model="deepseek-chat"), "m").reasoning


def test_completion_body_with_reasoning_and_cache() -> None:
    result = json.loads(completion_body("c", "r", generation(2, reasoning=3, cached=4)))
    message = result["choices"][0]["message"]
    assert (message["reasoning_content"], message["content"]) == (" the load test", " the load")
    assert result["usage"] == {
        "prompt_tokens": 9,
        "completion_tokens": 5,
        "total_tokens": 14,
        "prompt_tokens_details": {"cached_tokens": 4},
        "completion_tokens_details": {"reasoning_tokens": 3},
    }


def parse_event(event: bytes) -> dict[str, object]:
    assert event.startswith(b"data: ") and event.endswith(b"\n\n")
    parsed = json.loads(event[6:])
    assert isinstance(parsed, dict)
    return parsed


@pytest.mark.parametrize("include_usage", [False, True])
def test_chunk_encoder_events_are_valid_chunks(include_usage: bool) -> None:
    encoder = ChunkEncoder("chatcmpl-9", 'model "quoted"', include_usage, generation(2, created=77))
    events = [encoder.opening(), encoder.token(0), encoder.token(1), encoder.finish("stop")]
    parsed = [parse_event(e) for e in events]
    for chunk in parsed:
        assert chunk["id"] == "chatcmpl-9"
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["created"] == 77
        assert chunk["model"] == 'model "quoted"'
        assert ("usage" in chunk) is include_usage
        if include_usage:
            assert chunk["usage"] is None
    deltas = [c["choices"][0]["delta"] for c in parsed]  # type: ignore[index]
    assert deltas == [
        {"role": "assistant", "content": ""},
        {"content": " the"},
        {"content": " load"},
        {},
    ]
    assert parsed[-1]["choices"][0]["finish_reason"] == "stop"  # type: ignore[index]
    usage = parse_event(encoder.usage(TokenCounts(5, 0, 2, 0)))
    assert usage["choices"] == []
    assert usage["usage"] == {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    assert DONE_EVENT == b"data: [DONE]\n\n"
    closing = encoder.closing()
    assert closing.endswith(DONE_EVENT)
    assert closing.count(b"data: ") == (3 if include_usage else 2)


def test_reasoning_chunks_come_first() -> None:
    encoder = ChunkEncoder("c", "deepseek-reasoner", True, generation(2, reasoning=2))
    chunks = [parse_event(encoder.token(i)) for i in range(4)]
    deltas = [chunk["choices"][0]["delta"] for chunk in chunks]  # type: ignore[index]
    assert deltas == [
        {"content": None, "reasoning_content": " the"},
        {"content": None, "reasoning_content": " load"},
        {"content": " the"},
        {"content": " load"},
    ]


@pytest.mark.parametrize("status", [500, 502, 503, 529])
def test_server_errors_have_type_server_error(status: int) -> None:
    error = json.loads(status_error_body(status))["error"]
    assert error["type"] == "server_error"
    assert error["message"]


def test_rate_limit_body_matches_openai() -> None:
    error = json.loads(rate_limit_body(2.0))["error"]
    assert (error["type"], error["code"]) == ("requests", "rate_limit_exceeded")
    assert error["message"].startswith("Rate limit reached")
