"""The Gemini dialect: its codec alone, then served by the simulator with its faults."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.mock import SimulatorProcess
from harness.mock.dialect import InvalidRequest
from harness.mock.dialects import DIALECTS, chat_dialect
from harness.mock.gemini_dialect import GeminiDialect, parse_generate_request

# Every prompt below is 6 words: half of them read from the cache.
SIMULATOR = {"reasoning_tokens": 3, "cache_hit": 0.5}
DIALECT = GeminiDialect()
GENERATE = "/v1beta/models/gemini-sim:generateContent"
STREAM = "/v1beta/models/gemini-sim:streamGenerateContent?alt=sse"


def request(max_tokens: int | None = 5, thinking: Any = None, **fields: Any) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if max_tokens is not None:
        config["maxOutputTokens"] = max_tokens
    if thinking is not None:
        config["thinkingConfig"] = thinking
    payload: dict[str, Any] = {
        "contents": [{"role": "user", "parts": [{"text": "count to five please"}]}],
        "systemInstruction": {"parts": [{"text": "be brief"}]},
        "generationConfig": config,
    }
    payload.update(fields)
    return payload


def parse(path: str, **fields: Any) -> Any:
    route, _, query = path.partition("?")
    return parse_generate_request(route, query, json.dumps(request(**fields)).encode())


def generate(send: Any, stream: bool, **fields: Any) -> Any:
    return send(STREAM if stream else GENERATE, request(**fields), {"x-goog-api-key": "k"})


def parts(response: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = response["candidates"][0]["content"]["parts"]
    return found


# -- the codec -------------------------------------------------------------------------


def test_registered_by_name_and_path_prefix() -> None:
    assert DIALECTS["gemini"].name == "gemini"
    assert chat_dialect(GENERATE) is DIALECTS["gemini"]
    assert chat_dialect("/v1/models/g:streamGenerateContent") is DIALECTS["gemini"]
    assert chat_dialect("/v1/models") is None


def test_parse_reads_the_path_and_counts_every_text_part() -> None:
    unstreamed = parse(GENERATE)
    assert (unstreamed.model, unstreamed.stream, unstreamed.max_tokens) == ("gemini-sim", False, 5)
    assert unstreamed.input_tokens == 6
    streamed = parse(STREAM, max_tokens=None)
    assert (streamed.stream, streamed.max_tokens) == (True, None)


@pytest.mark.parametrize(
    ("thinking", "expected"),
    [
        (None, (False, None, False)),
        ({"thinkingBudget": 0, "includeThoughts": True}, (False, None, True)),
        ({"includeThoughts": True}, (True, None, True)),
        ({"thinkingBudget": -1}, (True, None, False)),
        ({"thinkingBudget": 2, "includeThoughts": True}, (True, 2, True)),
    ],
)
def test_parse_thinking_config(thinking: Any, expected: tuple[Any, ...]) -> None:
    parsed = parse(GENERATE, thinking=thinking)
    assert (parsed.reasoning, parsed.reasoning_budget, parsed.show_reasoning) == expected


@pytest.mark.parametrize(
    ("path", "fields", "status"),
    [
        ("/v1beta/models/g:countTokens", {}, 404),
        ("/v1beta/models/:generateContent", {}, 404),
        ("/v1beta/models/g:streamGenerateContent", {}, 400),
        (GENERATE, {"contents": []}, 400),
        (GENERATE, {"max_tokens": 0}, 400),
        (GENERATE, {"max_tokens": "5"}, 400),
        (GENERATE, {"thinking": {"thinkingBudget": -2}}, 400),
        (GENERATE, {"generationConfig": []}, 400),
    ],
)
def test_invalid_requests(path: str, fields: dict[str, Any], status: int) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse(path, **fields)
    assert caught.value.status == status
    error = json.loads(DIALECT.invalid_request_body(caught.value))["error"]
    assert error["code"] == status
    assert error["status"] == ("NOT_FOUND" if status == 404 else "INVALID_ARGUMENT")
    assert error["message"] == caught.value.message


@pytest.mark.parametrize(
    ("status", "rpc"),
    [
        (400, "INVALID_ARGUMENT"),
        (401, "UNAUTHENTICATED"),
        (403, "PERMISSION_DENIED"),
        (404, "NOT_FOUND"),
        (418, "INVALID_ARGUMENT"),
        (500, "INTERNAL"),
        (502, "INTERNAL"),
        (503, "UNAVAILABLE"),
        (504, "DEADLINE_EXCEEDED"),
        (529, "UNAVAILABLE"),
    ],
)
def test_status_error_bodies(status: int, rpc: str) -> None:
    error = json.loads(DIALECT.status_error_body(status))["error"]
    assert (error["code"], error["status"], error["details"]) == (status, rpc, [])
    assert error["message"]


@pytest.mark.parametrize(("seconds", "delay"), [(2.0, "2s"), (1.5, "1.5s"), (0.25, "0.25s")])
def test_rate_limit_body_has_retry_info(seconds: float, delay: str) -> None:
    error = json.loads(DIALECT.rate_limit_body(seconds))["error"]
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert error["details"] == [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}
    ]


# -- served by the simulator --------------------------------------------------------------


def test_stream_is_whole_responses_with_usage_last(sim: SimulatorProcess, send: Any) -> None:
    answer = generate(send, stream=True)
    assert answer.status == 200 and answer.complete
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert {name for name, _ in answer.events()} == {"message"}
    chunks = answer.objects()
    assert len(chunks) == 6, "one chunk per token and a final one; no end sentinel"
    assert "".join(parts(c)[0]["text"] for c in chunks) == " the load test sends a"
    for chunk in chunks[:-1]:
        assert "usageMetadata" not in chunk and "finishReason" not in chunk["candidates"][0]
        assert (chunk["modelVersion"], chunk["candidates"][0]["content"]["role"]) == (
            "gemini-sim",
            "model",
        )
    last = chunks[-1]
    assert last["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert last["usageMetadata"] == {
        "promptTokenCount": 6,
        "candidatesTokenCount": 5,
        "totalTokenCount": 11,
        "cachedContentTokenCount": 3,
    }
    stats = sim.stats()
    assert (stats["input_tokens"], stats["cached_input_tokens"], stats["output_tokens"]) == (
        6,
        3,
        5,
    )


def test_stream_with_thoughts_shown(sim: SimulatorProcess, send: Any) -> None:
    chunks = generate(send, True, max_tokens=8, thinking={"includeThoughts": True}).objects()
    flags = [parts(c)[0].get("thought", False) for c in chunks[:-1]]
    assert flags == [True] * 3 + [False] * 5
    assert "".join(parts(c)[0]["text"] for c in chunks[:3]) == " the load test"
    usage = chunks[-1]["usageMetadata"]
    assert (usage["thoughtsTokenCount"], usage["candidatesTokenCount"]) == (3, 5)
    assert usage["totalTokenCount"] == 6 + 8
    stats = sim.stats()
    assert (stats["output_tokens"], stats["reasoning_tokens"]) == (8, 3)


def test_hidden_thoughts_take_no_chunk_but_are_counted(sim: SimulatorProcess, send: Any) -> None:
    chunks = generate(send, True, max_tokens=8, thinking={"thinkingBudget": 2}).objects()
    assert len(chunks) == 6 + 1
    assert not any(parts(c)[0].get("thought") for c in chunks)
    assert chunks[-1]["usageMetadata"]["thoughtsTokenCount"] == 2
    assert sim.stats()["reasoning_tokens"] == 2


def test_non_streaming_response(sim: SimulatorProcess, send: Any) -> None:
    answer = generate(send, False, thinking={"includeThoughts": True})
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert parts(body) == [{"text": " the load test", "thought": True}, {"text": " the load"}]
    assert body["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert body["usageMetadata"] == {
        "promptTokenCount": 6,
        "candidatesTokenCount": 2,
        "totalTokenCount": 11,
        "cachedContentTokenCount": 3,
        "thoughtsTokenCount": 3,
    }


def test_served_errors(sim: SimulatorProcess, send: Any) -> None:
    unknown = send("/v1beta/models/g:embedContent", request())
    assert (unknown.status, unknown.json()["error"]["status"]) == (404, "NOT_FOUND")
    no_sse = send("/v1beta/models/g:streamGenerateContent", request())
    assert (no_sse.status, no_sse.json()["error"]["status"]) == (400, "INVALID_ARGUMENT")
    assert sim.stats()["error_responses"] == 2


@pytest.mark.parametrize(
    ("fault", "status", "rpc"),
    [
        ("http:403", 403, "PERMISSION_DENIED"),
        ("http:500", 500, "INTERNAL"),
        ("http:503", 503, "UNAVAILABLE"),
        ("overload", 503, "UNAVAILABLE"),
    ],
)
def test_status_faults(sim: SimulatorProcess, send: Any, fault: str, status: int, rpc: str) -> None:
    sim.add_fault(f"{fault}@next")
    answer = generate(send, stream=False)
    assert answer.status == status
    assert answer.json()["error"]["status"] == rpc


def test_rate_limit_fault(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("429:3@next")
    answer = generate(send, stream=True)
    assert (answer.status, answer.headers["retry-after"]) == (429, "3")
    assert answer.json()["error"]["details"][0]["retryDelay"] == "3s"


def test_overload_fault_ends_the_stream_without_a_finish_reason(
    sim: SimulatorProcess, send: Any
) -> None:
    sim.add_fault("overload@next")
    answer = generate(send, stream=True)
    assert answer.status == 200 and answer.complete
    (chunk,) = answer.objects()
    assert "finishReason" not in chunk["candidates"][0]
    assert sim.stats()["completed"] == 0


@pytest.mark.parametrize("stream", [True, False])
def test_blocked_fault_is_a_200_with_prompt_feedback(
    sim: SimulatorProcess, send: Any, stream: bool
) -> None:
    sim.add_fault("blocked@next")
    answer = generate(send, stream=stream)
    assert answer.status == 200 and answer.complete
    (body,) = answer.objects() if stream else [answer.json()]
    assert body["promptFeedback"] == {"blockReason": "SAFETY"}
    assert "candidates" not in body
    assert body["usageMetadata"]["promptTokenCount"] == 6
    assert sim.stats()["completed"] == 0


def test_wrong_usage_fault_scales_the_reported_usage(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("wrong_usage:0.5@next")
    usage = generate(send, True, max_tokens=8, thinking={"includeThoughts": True}).objects()[-1]
    assert usage["usageMetadata"] == {
        "promptTokenCount": 3,
        "candidatesTokenCount": 2,
        "totalTokenCount": 7,
        "cachedContentTokenCount": 2,
        "thoughtsTokenCount": 2,
    }
    stats = sim.stats()
    assert (stats["input_tokens"], stats["output_tokens"], stats["reasoning_tokens"]) == (6, 8, 3)


def test_malformed_fault(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("malformed@next")
    events = generate(send, stream=True).events()
    assert events[1] == ("message", b"{not json")
    assert json.loads(events[-1][1])["candidates"][0]["finishReason"] == "MAX_TOKENS"
