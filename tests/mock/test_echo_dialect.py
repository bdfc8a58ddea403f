"""The echo dialect: its codec alone, then served by the simulator with its faults."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from harness.mock import SimulatorProcess
from harness.mock.dialect import Generation, InvalidRequest, TokenCounts
from harness.mock.dialects import CHAT_ROUTES, DIALECTS
from harness.mock.echo_dialect import (
    GENERATE_PATH,
    EchoDialect,
    EchoStreamEncoder,
    parse_generate_request,
)

DIALECT = EchoDialect()
PROMPT = "count to five please"


def body(**fields: Any) -> bytes:
    return json.dumps({"prompt": PROMPT, **fields}).encode()


# -- the codec ---------------------------------------------------------------------


def test_registered_by_name_and_route() -> None:
    assert DIALECTS["echo"].name == "echo"
    assert CHAT_ROUTES[GENERATE_PATH].name == "echo"
    assert CHAT_ROUTES["/v1/chat/completions"].name == "openai"


def test_parse_minimal_and_full_requests() -> None:
    minimal = parse_generate_request(body(), "sim-gpt")
    assert (minimal.model, minimal.max_tokens, minimal.stream) == ("sim-gpt", None, False)
    assert minimal.input_tokens == 4
    full = parse_generate_request(body(model="e-1", max_output=9, stream=True), "sim-gpt")
    assert (full.model, full.max_tokens, full.stream) == ("e-1", 9, True)


@pytest.mark.parametrize(
    ("raw", "param"),
    [
        (b"{nope", None),
        (b"[]", None),
        (b'{"model": "m"}', "prompt"),
        (body(prompt=3), "prompt"),
        (body(max_output=0), "max_output"),
        (body(max_output=True), "max_output"),
        (body(max_output="5"), "max_output"),
        (body(stream=1), "stream"),
        (body(model=7), "model"),
    ],
)
def test_invalid_requests_get_a_failure_body(raw: bytes, param: str | None) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_generate_request(raw, "m")
    assert caught.value.param == param
    failure = json.loads(DIALECT.invalid_request_body(caught.value))["failure"]
    assert failure["code"] == "bad_request" and failure["retry_in_s"] is None
    assert failure["detail"] == caught.value.message


def generation(answer: int, reached_limit: bool, prompt: int = 4) -> Generation:
    return Generation(0, answer, reached_limit, TokenCounts(prompt, 0, answer, 0))


def test_stream_events() -> None:
    encoder = EchoStreamEncoder(generation(2, reached_limit=True))
    assert encoder.opening() == b""
    assert encoder.token(0) == b'event: token\ndata: {"t":" the"}\n\n'
    assert encoder.token(1) == b'event: token\ndata: {"t":" load"}\n\n'
    done = encoder.closing()
    assert done.startswith(b"event: done\ndata: ") and done.endswith(b"\n\n")
    assert json.loads(done.split(b"data: ")[1]) == {
        "stop": "length",
        "tokens_in": 4,
        "tokens_out": 2,
    }
    ended = EchoStreamEncoder(generation(1, reached_limit=False, prompt=1)).closing()
    assert json.loads(ended.split(b"data: ")[1])["stop"] == "end"


def test_completion_body() -> None:
    request = parse_generate_request(body(), "m")
    answer = json.loads(DIALECT.completion_body(request, generation(3, reached_limit=False)))
    assert answer == {"output": " the load test", "stop": "end", "tokens_in": 4, "tokens_out": 3}


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "bad_request"),
        (401, "unauthenticated"),
        (403, "forbidden"),
        (404, "unknown_model"),
        (418, "bad_request"),
        (500, "internal"),
        (502, "internal"),
        (503, "overloaded"),
    ],
)
def test_status_error_bodies(status: int, code: str) -> None:
    assert json.loads(DIALECT.status_error_body(status))["failure"]["code"] == code


def test_rate_limit_body_carries_the_wait() -> None:
    failure = json.loads(DIALECT.rate_limit_body(2.5))["failure"]
    assert (failure["code"], failure["retry_in_s"]) == ("slow_down", 2.5)


# -- served by the simulator ----------------------------------------------------------


def generate(send: Any, **fields: Any) -> Any:
    """One ``/echo/v1/generate`` call through the ``send`` fixture."""
    return send(GENERATE_PATH, body(**fields), {"X-Echo-Key": "anything"})


def test_stream_is_token_events_then_done(sim: SimulatorProcess, send: Any) -> None:
    answer = generate(send, stream=True, max_output=5)
    assert answer.status == 200 and answer.complete
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = answer.events()
    assert [name for name, _ in events] == ["token"] * 5 + ["done"]
    text = "".join(json.loads(data)["t"] for _, data in events[:-1])
    assert text == " the load test sends a"
    assert json.loads(events[-1][1]) == {"stop": "length", "tokens_in": 4, "tokens_out": 5}
    stats = sim.stats()
    assert (stats["completed"], stats["output_tokens"], stats["input_tokens"]) == (1, 5, 4)
    assert stats["streams"] == 1


def test_non_streaming_answer_and_default_length(sim: SimulatorProcess, send: Any) -> None:
    answer = generate(send)
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    result = answer.json()
    assert (result["stop"], result["tokens_in"], result["tokens_out"]) == ("end", 4, 128)
    assert len(result["output"].split()) == 128
    assert sim.stats()["non_streams"] == 1


def test_bad_request_is_a_400_failure(sim: SimulatorProcess, send: Any) -> None:
    answer = generate(send, prompt=None)
    assert answer.status == 400
    assert answer.json()["failure"]["code"] == "bad_request"
    assert sim.stats()["error_responses"] == 1


def test_rate_limit_fault(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("429:1.5@next")
    answer = generate(send, stream=True)
    assert answer.status == 429
    assert answer.headers["retry-after"] == "2"
    assert answer.headers["retry-after-ms"] == "1500"
    assert answer.json()["failure"] == {
        "code": "slow_down",
        "detail": "too many requests",
        "retry_in_s": 1.5,
    }


def test_http_fault(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("http:503@next")
    answer = generate(send, max_output=2)
    assert answer.status == 503 and answer.json()["failure"]["code"] == "overloaded"


def test_cut_fault_ends_the_stream_without_done(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("cut:2@next")
    answer = generate(send, stream=True, max_output=6)
    assert answer.status == 200 and not answer.complete
    assert [name for name, _ in answer.events()] == ["token", "token"]
    stats = sim.stats()
    assert (stats["completed"], stats["output_tokens_sent"]) == (0, 2)


def test_malformed_fault_sends_a_token_event_that_is_not_json(
    sim: SimulatorProcess, send: Any
) -> None:
    sim.add_fault("malformed@next")
    answer = generate(send, stream=True, max_output=3)
    events = answer.events()
    assert events[1] == ("token", b"{not json")
    assert events[-1][0] == "done"
    sim.add_fault("malformed@next")
    assert generate(send, max_output=3).payload == b"{not json"


def test_overload_fault_ends_the_stream_with_a_failure_event(
    sim: SimulatorProcess, send: Any
) -> None:
    sim.add_fault("overload@next")
    answer = generate(send, stream=True, max_output=4)
    assert answer.complete
    events = answer.events()
    assert [name for name, _ in events] == ["token", "failure"]
    assert json.loads(events[-1][1])["failure"]["code"] == "overloaded"
    sim.add_fault("overload@next")
    unstreamed = generate(send, max_output=4)
    assert unstreamed.status == 503 and unstreamed.json()["failure"]["code"] == "overloaded"
    stats = sim.stats()
    assert (stats["completed"], stats["output_tokens_sent"]) == (0, 1)


def test_blocked_fault_is_a_bad_request(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("blocked@next")
    answer = generate(send, stream=True)
    assert answer.status == 400 and answer.json()["failure"]["code"] == "bad_request"


def test_wrong_usage_fault_scales_what_is_reported(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("wrong_usage:1.5@next")
    answer = generate(send, max_output=4)
    assert (answer.json()["tokens_in"], answer.json()["tokens_out"]) == (6, 6)
    assert (sim.stats()["input_tokens"], sim.stats()["output_tokens"]) == (4, 4)


def test_stall_fault_delays_but_completes(sim: SimulatorProcess, send: Any) -> None:
    sim.add_fault("stall:0.2@next")
    answer = generate(send, stream=True, max_output=3)
    assert answer.complete and answer.events()[-1][0] == "done"
    assert sim.stats()["faults"] == {"stall": 1}


def test_get_is_not_allowed(sim: SimulatorProcess) -> None:
    connection = http.client.HTTPConnection(urlsplit(sim.url).netloc, timeout=5)
    connection.request("GET", GENERATE_PATH)
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 405 and response.getheader("Allow") == "POST"
