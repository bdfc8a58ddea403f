"""The Anthropic Messages dialect: its codec alone, then served by the simulator with its faults."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.mock import SimulatorProcess
from harness.mock.anthropic_dialect import (
    MESSAGES_PATH,
    PING_EVERY,
    SIGNATURE,
    AnthropicDialect,
    parse_messages_request,
)
from harness.mock.dialect import Generation, InvalidRequest, TokenCounts
from harness.mock.dialects import DIALECTS, chat_dialect

# Every prompt below is 6 words: half of them read from the cache.
SIMULATOR = {"reasoning_tokens": 3, "cache_hit": 0.5}
DIALECT = AnthropicDialect()
MESSAGES = [{"role": "user", "content": [{"type": "text", "text": "count to five please"}]}]
THINKING = {"type": "enabled", "budget_tokens": 1024}


def request(**fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "model": "claude-sim",
        "max_tokens": 5,
        "system": "be brief",
        "messages": MESSAGES,
    }
    payload.update(fields)
    return {name: value for name, value in payload.items() if value is not None}


def messages(send: Any, **fields: Any) -> Any:
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    return send(MESSAGES_PATH, request(**fields), headers)


# -- the codec -------------------------------------------------------------------------


def test_registered_by_name_and_route() -> None:
    assert DIALECTS["anthropic"].name == "anthropic"
    assert chat_dialect(MESSAGES_PATH) is DIALECTS["anthropic"]


def test_parse_counts_system_and_message_words() -> None:
    parsed = parse_messages_request(json.dumps(request(stream=True)).encode())
    assert (parsed.model, parsed.max_tokens, parsed.stream) == ("claude-sim", 5, True)
    assert parsed.input_tokens == 6
    assert not parsed.reasoning


def test_parse_thinking() -> None:
    enabled = parse_messages_request(
        json.dumps(request(max_tokens=2000, thinking=THINKING)).encode()
    )
    assert (enabled.reasoning, enabled.reasoning_budget) == (True, 1024)
    disabled = parse_messages_request(json.dumps(request(thinking={"type": "disabled"})).encode())
    assert not disabled.reasoning


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"max_tokens": None}, "max_tokens"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": "5"}, "max_tokens"),
        ({"model": None}, "model"),
        ({"messages": []}, "messages"),
        ({"messages": None}, "messages"),
        ({"system": 3}, "system"),
        ({"stream": "yes"}, "stream"),
        ({"thinking": {"type": "enabled", "budget_tokens": 100}, "max_tokens": 2000}, "thinking"),
        ({"thinking": THINKING, "max_tokens": 1024}, "max_tokens"),
        ({"thinking": {"type": "sometimes"}}, "thinking"),
    ],
)
def test_invalid_requests(fields: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_messages_request(json.dumps(request(**fields)).encode())
    assert caught.value.param == param and caught.value.status == 400
    body = json.loads(DIALECT.invalid_request_body(caught.value))
    assert body == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": caught.value.message},
    }


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (413, "request_too_large"),
        (418, "invalid_request_error"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (502, "api_error"),
        (529, "overloaded_error"),
    ],
)
def test_status_error_bodies(status: int, error_type: str) -> None:
    body = json.loads(DIALECT.status_error_body(status))
    assert body["type"] == "error" and body["error"]["type"] == error_type
    assert body["error"]["message"]


# -- served by the simulator --------------------------------------------------------------


def test_stream_events_in_order(sim: SimulatorProcess, send: Any) -> None:
    answer = messages(send, stream=True)
    assert answer.status == 200 and answer.complete
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = answer.events()
    names = [name for name, _ in events]
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * 5,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    objects = answer.objects()
    assert [o["type"] for o in objects] == names, "every data names its event"
    message = objects[0]["message"]
    assert (message["type"], message["role"], message["content"]) == ("message", "assistant", [])
    assert message["usage"] == {
        "input_tokens": 3,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 3,
        "output_tokens": 1,
    }
    assert objects[1]["content_block"] == {"type": "text", "text": ""}
    text = "".join(o["delta"]["text"] for o in objects[3:8])
    assert text == " the load test sends a"
    assert objects[-2]["delta"] == {"stop_reason": "max_tokens", "stop_sequence": None}
    assert objects[-2]["usage"]["output_tokens"] == 5
    stats = sim.stats()
    assert (stats["input_tokens"], stats["cached_input_tokens"]) == (6, 3)
    assert (stats["output_tokens"], stats["reasoning_tokens"], stats["completed"]) == (5, 0, 1)


def test_stream_with_thinking(sim: SimulatorProcess, send: Any) -> None:
    answer = messages(send, stream=True, max_tokens=1030, thinking=THINKING)
    objects = answer.objects()
    deltas = [(o["index"], o["delta"]) for o in objects if o["type"] == "content_block_delta"]
    assert deltas[:4] == [
        (0, {"type": "thinking_delta", "thinking": " the"}),
        (0, {"type": "thinking_delta", "thinking": " load"}),
        (0, {"type": "thinking_delta", "thinking": " test"}),
        (0, {"type": "signature_delta", "signature": SIGNATURE}),
    ]
    assert {index for index, _ in deltas[4:]} == {1}
    assert all(delta["type"] == "text_delta" for _, delta in deltas[4:])
    blocks = [(o["type"], o["index"]) for o in objects if o["type"].startswith("content_block_s")]
    assert blocks == [
        ("content_block_start", 0),
        ("content_block_stop", 0),
        ("content_block_start", 1),
        ("content_block_stop", 1),
    ]
    assert objects[1]["content_block"]["type"] == "thinking"
    final = objects[-2]
    assert final["delta"]["stop_reason"] == "max_tokens"
    assert final["usage"]["output_tokens"] == 1030
    assert final["usage"]["output_tokens_details"] == {"thinking_tokens": 3}
    stats = sim.stats()
    assert (stats["output_tokens"], stats["reasoning_tokens"]) == (1030, 3)


def test_ping_every_so_many_tokens(sim: SimulatorProcess, send: Any) -> None:
    tokens = 2 * PING_EVERY + 1
    names = [name for name, _ in messages(send, stream=True, max_tokens=tokens).events()]
    assert names.count("ping") == 3
    assert names.count("content_block_delta") == tokens


def test_non_streaming_message(sim: SimulatorProcess, send: Any) -> None:
    answer = messages(send, max_tokens=1030, thinking=THINKING)
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert (body["type"], body["role"], body["stop_reason"]) == (
        "message",
        "assistant",
        "max_tokens",
    )
    thinking, text = body["content"]
    assert thinking == {"type": "thinking", "thinking": " the load test", "signature": SIGNATURE}
    assert text["type"] == "text" and len(text["text"].split()) == 1027
    assert body["usage"] == {
        "input_tokens": 3,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 3,
        "output_tokens": 1030,
        "output_tokens_details": {"thinking_tokens": 3},
    }


def test_end_turn_when_the_answer_stops_short() -> None:
    parsed = parse_messages_request(json.dumps(request(stream=True)).encode())
    short = Generation(0, 2, reached_limit=False, usage=TokenCounts(6, 0, 2, 0))
    body = json.loads(DIALECT.completion_body(parsed, short))
    assert (body["stop_reason"], body["content"]) == (
        "end_turn",
        [{"type": "text", "text": " the load"}],
    )
    closing = DIALECT.stream_encoder(parsed, short).closing()
    assert b'"stop_reason":"end_turn"' in closing and closing.endswith(
        b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    )


def test_invalid_request_is_a_400(sim: SimulatorProcess, send: Any) -> None:
    answer = messages(send, max_tokens=None)
    assert answer.status == 400
    assert answer.json()["error"] == {
        "type": "invalid_request_error",
        "message": "max_tokens: Field required",
    }
    assert sim.stats()["error_responses"] == 1


@pytest.mark.parametrize(
    ("fault", "status", "error_type"),
    [
        ("http:401", 401, "authentication_error"),
        ("http:500", 500, "api_error"),
        ("http:529", 529, "overloaded_error"),
        ("blocked", 400, "invalid_request_error"),
    ],
)
def test_status_faults(
    sim: SimulatorProcess, send: Any, fault: str, status: int, error_type: str
) -> None:
    sim.add_fault(f"{fault}@next")
    answer = messages(send, stream=True)
    assert answer.status == status
    assert answer.json()["error"]["type"] == error_type


def test_rate_limit_fault(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("429:2@next")
    answer = messages(send, stream=True)
    assert (answer.status, answer.headers["retry-after"]) == (429, "2")
    assert answer.json()["error"]["type"] == "rate_limit_error"


def test_overload_fault_in_a_stream_is_an_error_event(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("overload@next")
    answer = messages(send, stream=True)
    assert answer.status == 200 and answer.complete
    names = [name for name, _ in answer.events()]
    assert names[-2:] == ["content_block_delta", "error"]
    assert "message_stop" not in names
    assert answer.objects()[-1] == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }
    stats = sim.stats()
    assert (stats["completed"], stats["output_tokens_sent"], stats["faults"]) == (
        0,
        1,
        {"overload": 1},
    )


def test_overload_fault_unstreamed_is_a_529(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("overload@next")
    answer = messages(send)
    assert answer.status == 529 and answer.json()["error"]["type"] == "overloaded_error"


def test_wrong_usage_fault_scales_the_reported_usage(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("wrong_usage:2@next")
    usage = messages(send, stream=True).objects()[-2]["usage"]
    assert (usage["input_tokens"], usage["cache_read_input_tokens"]) == (6, 6)
    assert usage["output_tokens"] == 10
    stats = sim.stats()
    assert (stats["input_tokens"], stats["output_tokens"]) == (6, 5)


def test_malformed_and_cut_faults(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("malformed@next")
    events = messages(send, stream=True).events()
    assert events[4] == ("content_block_delta", b"{not json")
    assert events[-1][0] == "message_stop"
    sim.add_fault("cut:2@next")
    cut = messages(send, stream=True)
    assert not cut.complete
    assert [name for name, _ in cut.events()][-1] == "content_block_delta"
