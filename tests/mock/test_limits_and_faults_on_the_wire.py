"""Server-side limits, load-driven overload and the newer faults, as a client sees them."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from harness.mock import SimulatorProcess
from harness.rate_limits import parse_rate_limit_headers

from .conftest import Answer, Post, post

StartSimulator = Callable[..., SimulatorProcess]

OPENAI = "/v1/chat/completions"
ANTHROPIC = "/v1/messages"
GEMINI = "/v1beta/models/gemini-sim:generateContent"
GEMINI_STREAM = "/v1beta/models/gemini-sim:streamGenerateContent?alt=sse"
ECHO = "/echo/v1/generate"
MESSAGES = [{"role": "user", "content": "count to five please"}]
GEMINI_BODY = {"contents": [{"role": "user", "parts": [{"text": "count to five please"}]}]}


def openai(stream: bool = False, **fields: Any) -> dict[str, Any]:
    return {"model": "m", "messages": MESSAGES, "max_tokens": 4, "stream": stream, **fields}


def anthropic(stream: bool = False) -> dict[str, Any]:
    return {"model": "c", "messages": MESSAGES, "max_tokens": 4, "stream": stream}


# -- faults ------------------------------------------------------------------------------


def test_reset_closes_before_any_response_byte(sim: SimulatorProcess, send: Post) -> None:
    sim.add_fault("reset@next")
    with pytest.raises(http.client.RemoteDisconnected):
        send(OPENAI, openai())
    assert send(OPENAI, openai()).status == 200
    assert sim.stats()["faults"] == {"reset": 1}


@pytest.mark.parametrize("stream", [False, True])
def test_slow_headers_delay_the_whole_answer(
    sim: SimulatorProcess, send: Post, stream: bool
) -> None:
    sim.add_fault("slow_headers:0.3@next")
    started = time.monotonic()
    answer = send(OPENAI, openai(stream))
    assert time.monotonic() - started >= 0.3
    assert answer.status == 200 and answer.complete
    assert sim.stats()["completed"] == 1


def usage_of(path: str, answer: Answer) -> list[Any]:
    """Every usage field the answer carries, whatever the dialect."""
    if answer.headers["content-type"].startswith("text/"):
        objects = [json.loads(data) for _, data in answer.events() if data != b"[DONE]"]
    else:
        objects = [answer.json()]
    found = []
    for item in objects:
        if path == ANTHROPIC:
            item = item.get("message", item)
        for name in ("usage", "usageMetadata", "tokens_in", "tokens_out"):
            if item.get(name) is not None:
                found.append(item[name])
    return found


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        (OPENAI, openai()),
        (OPENAI, openai(True, stream_options={"include_usage": True})),
        (ANTHROPIC, anthropic()),
        (ANTHROPIC, anthropic(True)),
        (GEMINI, GEMINI_BODY),
        (GEMINI_STREAM, GEMINI_BODY),
        (ECHO, {"prompt": "count to five please"}),
        (ECHO, {"prompt": "count to five please", "stream": True}),
    ],
)
def test_no_usage_leaves_usage_out_in_every_dialect(
    sim: SimulatorProcess, send: Post, path: str, payload: dict[str, Any]
) -> None:
    assert usage_of(path, send(path, payload)), "the dialect reports usage normally"
    sim.add_fault("no_usage@next")
    answer = send(path, payload)
    assert answer.status == 200 and answer.complete
    assert usage_of(path, answer) == []
    assert sim.stats()["completed"] == 2


def test_http_502_is_a_server_error(sim: SimulatorProcess, send: Post) -> None:
    sim.add_fault("http:502@next")
    answer = send(OPENAI, openai())
    assert answer.status == 502
    assert answer.json()["error"]["type"] == "server_error"


def test_a_window_added_at_run_time_uses_the_simulators_clock(
    sim: SimulatorProcess, send: Post
) -> None:
    now = sim.clock_s()
    sim.add_fault(f"http:503@t={now + 0.4:.3f}-{now + 0.8:.3f}")
    assert send(OPENAI, openai()).status == 200
    time.sleep(max(0.0, now + 0.5 - sim.clock_s()))
    assert send(OPENAI, openai()).status == 503
    time.sleep(max(0.0, now + 0.9 - sim.clock_s()))
    assert send(OPENAI, openai()).status == 200
    assert sim.faults() == []  # dropped once its window passed


# -- server-side limits ------------------------------------------------------------------


def test_rpm_limit_answers_429_with_the_refill_time(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0, rpm_limit=60)  # one a second, burst 1
    first = post(simulator.url, OPENAI, openai())
    refused = post(simulator.url, OPENAI, openai(True))
    assert first.status == 200
    assert refused.status == 429
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert refused.headers["retry-after"] == "1"
    assert 800 <= int(refused.headers["retry-after-ms"]) <= 1000
    for answer in (first, refused):
        state = parse_rate_limit_headers(answer.headers)
        assert state is not None
        assert (state.limit_requests, state.remaining_requests) == (60, 0)
        assert state.reset_requests_s is not None and 0.8 <= state.reset_requests_s <= 1.0
    time.sleep(int(refused.headers["retry-after-ms"]) / 1000)
    streamed = post(simulator.url, OPENAI, openai(True))
    assert streamed.status == 200 and streamed.complete
    assert streamed.headers["x-ratelimit-limit-requests"] == "60"
    stats = simulator.stats()
    assert (stats["rate_limited"], stats["error_responses"], stats["completed"]) == (1, 1, 2)


def test_tpm_limit_counts_input_and_max_tokens(start_simulator: StartSimulator) -> None:
    # 600 tokens a second; a request costs 4 prompt words + 196 max tokens.
    simulator = start_simulator(ttft_ms=0, itl_ms=0, tpm_limit=36000)
    answers = [post(simulator.url, OPENAI, openai(max_tokens=196)) for _ in range(4)]
    assert [a.status for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["x-ratelimit-remaining-tokens"] == "400"
    assert "x-ratelimit-limit-requests" not in answers[0].headers
    assert simulator.stats()["rate_limited"] == 1


# -- overload with concurrency -----------------------------------------------------------


def test_overload_grows_with_requests_in_flight(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=600, itl_ms=0, overload_above=1, overload_slope=1.0)
    with ThreadPoolExecutor(2) as pool:
        slow = [pool.submit(post, simulator.url, OPENAI, openai()) for _ in range(2)]
        time.sleep(0.3)  # both are in flight: one above the line, so p = 1
        refused = post(simulator.url, OPENAI, openai())
        anthropic_refused = post(simulator.url, ANTHROPIC, anthropic())
        assert [future.result().status for future in slow] == [200, 200]
    assert refused.status == 503
    assert anthropic_refused.status == 529
    assert anthropic_refused.json()["error"]["type"] == "overloaded_error"
    assert post(simulator.url, OPENAI, openai()).status == 200  # nothing in flight now
    assert simulator.stats()["overloaded"] == 2
