"""The simulator over real HTTP, in a child process, with standard-library clients.

A raw socket client (below) shows what is on the wire: each HTTP chunk with
its arrival time, whether the zero-length terminating chunk came, and
whether the server closed the connection.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from harness.mock import SimulatorConfig, SimulatorProcess

MESSAGES = [
    {"role": "system", "content": "be brief"},
    {"role": "user", "content": "count to five please"},
]
PROMPT_WORDS = 6


# -- a raw HTTP/1.1 client ------------------------------------------------------


@dataclass
class WireResponse:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    """(arrival time, payload) of each HTTP chunk, in order."""
    terminated: bool = False
    """The body ended properly: zero-length chunk, or Content-Length reached."""
    closed: bool = False
    """The server closed the connection."""

    def json(self) -> Any:
        return json.loads(self.body)

    def events(self) -> list[bytes]:
        return [e[6:] for _, e in self.timed_events()]

    def timed_events(self) -> list[tuple[float, bytes]]:
        """Every ``data: `` line with the arrival time of its chunk."""
        found = []
        for arrival, payload in self.chunks:
            for line in payload.split(b"\n"):
                if line.startswith(b"data: "):
                    found.append((arrival, line))
        return found

    def chunk_objects(self) -> list[dict[str, Any]]:
        """The JSON events, [DONE] and malformed ones left out."""
        objects = []
        for data in self.events():
            try:
                objects.append(json.loads(data))
            except ValueError:
                continue
        return objects

    def content_times(self) -> list[float]:
        """Arrival times of the chunks that carry output text."""
        times = []
        for arrival, line in self.timed_events():
            try:
                chunk = json.loads(line[6:])
            except ValueError:
                continue
            choices = chunk.get("choices") or [{}]
            if choices[0].get("delta", {}).get("content"):
                times.append(arrival)
        return times


class WireClient:
    """One TCP connection; reads responses byte by byte as they arrive."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        assert parts.hostname and parts.port
        self.host = f"{parts.hostname}:{parts.port}"
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.arrival = 0.0
        self.eof = False

    def close(self) -> None:
        self.sock.close()

    def send(
        self,
        method: str,
        path: str,
        payload: Any = None,
        headers: dict[str, str] | None = None,
    ) -> float:
        body = b"" if payload is None else json.dumps(payload).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}"]
        if payload is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        started = time.monotonic()
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return started

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.arrival = time.monotonic()
        if not data:
            self.eof = True
            return False
        self.buffer += data
        return True

    def _until(self, delimiter: bytes) -> bytes | None:
        while delimiter not in self.buffer:
            if not self._fill():
                return None
        line, _, self.buffer = self.buffer.partition(delimiter)
        return line

    def _exact(self, count: int) -> bytes | None:
        while len(self.buffer) < count:
            if not self._fill():
                return None
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read(self) -> WireResponse:
        head = self._until(b"\r\n\r\n")
        assert head is not None, "connection closed before a response"
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        response = WireResponse(int(status_line.split(" ")[1]), headers)
        if headers.get("transfer-encoding") == "chunked":
            payloads = []
            while True:
                size_line = self._until(b"\r\n")
                if size_line is None:
                    break
                size = int(size_line, 16)
                if size == 0:
                    response.terminated = self._until(b"\r\n") is not None
                    break
                payload = self._exact(size + 2)
                if payload is None:
                    break
                payloads.append(payload[:-2])
                response.chunks.append((self.arrival, payload[:-2]))
            response.body = b"".join(payloads)
        else:
            length = int(headers.get("content-length", "0"))
            body = self._exact(length)
            response.terminated = body is not None
            response.body = body if body is not None else self.buffer
        if not response.terminated or headers.get("connection") == "close":
            response.closed = self.eof or not self._fill()
        return response

    def call(
        self,
        method: str,
        path: str,
        payload: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[float, WireResponse]:
        started = self.send(method, path, payload, headers)
        return started, self.read()


def chat(
    url: str,
    *,
    stream: bool = False,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> tuple[float, WireResponse]:
    """One chat request on a fresh connection: (start time, response)."""
    payload = {"model": "test-model", "messages": MESSAGES, "stream": stream, **fields}
    client = WireClient(url)
    try:
        return client.call("POST", "/v1/chat/completions", payload, headers)
    finally:
        client.close()


def check_stream_shape(response: WireResponse, tokens: int, finish: str, usage: bool) -> None:
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.terminated
    events = response.events()
    assert events[-1] == b"[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert len({c["id"] for c in chunks}) == 1
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert all(c["model"] == "test-model" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    content = chunks[1 : 1 + tokens]
    assert all(set(c["choices"][0]["delta"]) == {"content"} for c in content)
    text = "".join(c["choices"][0]["delta"]["content"] for c in content)
    assert len(text.split()) == tokens
    final = chunks[1 + tokens]
    assert final["choices"][0]["delta"] == {}
    assert final["choices"][0]["finish_reason"] == finish
    if usage:
        assert len(chunks) == tokens + 3
        assert chunks[-1]["choices"] == []
        assert chunks[-1]["usage"] == {
            "prompt_tokens": PROMPT_WORDS,
            "completion_tokens": tokens,
            "total_tokens": PROMPT_WORDS + tokens,
        }
        assert all(c["usage"] is None for c in chunks[:-1])
    else:
        assert len(chunks) == tokens + 2
        assert all("usage" not in c for c in chunks)


# -- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def timed_sim() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(SimulatorConfig(ttft_ms=200, itl_ms=20)) as sim:
        yield sim


# -- non-streaming ----------------------------------------------------------------


def test_non_streaming_response_and_usage(sim: SimulatorProcess) -> None:
    _, response = chat(sim.url, max_tokens=5)
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["model"] == "test-model"
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant"
    assert len(choice["message"]["content"].split()) == 5
    assert choice["finish_reason"] == "length"
    assert body["usage"] == {
        "prompt_tokens": PROMPT_WORDS,
        "completion_tokens": 5,
        "total_tokens": PROMPT_WORDS + 5,
    }


def test_without_max_tokens_the_default_length_and_stop(sim: SimulatorProcess) -> None:
    _, response = chat(sim.url)
    body = response.json()
    assert body["usage"]["completion_tokens"] == 128
    assert body["choices"][0]["finish_reason"] == "stop"


def test_max_completion_tokens_wins_and_any_model_is_accepted(sim: SimulatorProcess) -> None:
    _, response = chat(sim.url, max_tokens=50, max_completion_tokens=3, model="whatever-7b")
    body = response.json()
    assert body["usage"]["completion_tokens"] == 3
    assert body["model"] == "whatever-7b"


def test_path_without_v1_is_accepted(sim: SimulatorProcess) -> None:
    client = WireClient(sim.url)
    _, response = client.call("POST", "/chat/completions", {"messages": MESSAGES, "max_tokens": 2})
    client.close()
    assert response.status == 200
    assert response.json()["model"] == "sim-gpt"


# -- streaming --------------------------------------------------------------------


def test_stream_shape_without_usage(sim: SimulatorProcess) -> None:
    _, response = chat(sim.url, stream=True, max_tokens=7)
    check_stream_shape(response, tokens=7, finish="length", usage=False)


def test_stream_shape_with_include_usage(sim: SimulatorProcess) -> None:
    _, response = chat(
        sim.url, stream=True, max_completion_tokens=4, stream_options={"include_usage": True}
    )
    check_stream_shape(response, tokens=4, finish="length", usage=True)


def test_stream_at_zero_latency_is_one_write(sim: SimulatorProcess) -> None:
    _, response = chat(sim.url, stream=True, max_tokens=32)
    check_stream_shape(response, tokens=32, finish="length", usage=False)
    assert len(response.chunks) == 1


def test_fixed_output_tokens_stop_below_max_tokens() -> None:
    config = SimulatorConfig(ttft_ms=0, itl_ms=0, output_tokens=3)
    with SimulatorProcess(config) as sim:
        _, response = chat(sim.url, stream=True, max_tokens=10)
        check_stream_shape(response, tokens=3, finish="stop", usage=False)
        _, response = chat(sim.url, stream=True, max_tokens=2)
        check_stream_shape(response, tokens=2, finish="length", usage=False)


# -- timing -------------------------------------------------------------------------


def test_ttft_and_itl_are_honoured(timed_sim: SimulatorProcess) -> None:
    started, response = chat(timed_sim.url, stream=True, max_tokens=10)
    check_stream_shape(response, tokens=10, finish="length", usage=False)
    times = response.content_times()
    assert len(times) == 10
    ttft = times[0] - started
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert 0.195 <= ttft <= 0.230
    assert 0.018 <= statistics.median(gaps) <= 0.025
    assert 0.195 + 9 * 0.020 <= times[-1] - started <= 0.200 + 9 * 0.020 + 0.030


def test_stream_headers_come_before_the_first_token(timed_sim: SimulatorProcess) -> None:
    client = WireClient(timed_sim.url)
    started = client.send(
        "POST", "/v1/chat/completions", {"messages": MESSAGES, "stream": True, "max_tokens": 1}
    )
    assert client._until(b"\r\n\r\n") is not None
    assert client.arrival - started < 0.1
    client.close()


def test_non_streaming_waits_for_the_whole_generation(timed_sim: SimulatorProcess) -> None:
    started, response = chat(timed_sim.url, max_tokens=6)
    elapsed = time.monotonic() - started
    assert response.json()["usage"]["completion_tokens"] == 6
    assert 0.195 + 5 * 0.020 <= elapsed <= 0.200 + 5 * 0.020 + 0.030


def test_slots_queue_requests_and_ttft_includes_the_wait() -> None:
    config = SimulatorConfig(ttft_ms=100, itl_ms=10, slots=1)
    with SimulatorProcess(config) as sim:
        results: dict[str, tuple[float, WireResponse]] = {}

        def run(name: str) -> None:
            results[name] = chat(sim.url, stream=True, max_tokens=10)

        first = threading.Thread(target=run, args=("first",))
        first.start()
        time.sleep(0.03)  # the first request surely holds the slot
        second = threading.Thread(target=run, args=("second",))
        second.start()
        time.sleep(0.05)
        assert sim.stats()["queued"] == 1
        first.join()
        second.join()

        first_start, first_response = results["first"]
        second_start, second_response = results["second"]
        first_end = first_response.content_times()[-1]
        second_ttft = second_response.content_times()[0] - second_start
        # The second starts generating only when the first is done.
        assert second_response.content_times()[0] >= first_end + 0.095
        assert second_ttft >= (first_end - first_start) - 0.03 + 0.095
        stats = sim.stats()
        assert stats["max_queued"] == 1
        assert stats["queued"] == 0
        assert stats["completed"] == 2


# -- faults on the wire ----------------------------------------------------------------


def test_cut_closes_without_the_terminating_chunk(sim: SimulatorProcess) -> None:
    sim.add_fault("cut:3@next")
    _, response = chat(sim.url, stream=True, max_tokens=10)
    assert response.status == 200
    assert not response.terminated
    assert response.closed
    assert len(response.content_times()) == 3
    assert b"[DONE]" not in response.body
    assert all(c["choices"][0]["finish_reason"] is None for c in response.chunk_objects())
    stats = sim.stats()
    assert stats["faults"] == {"cut": 1}
    assert stats["completed"] == 0
    assert stats["output_tokens"] == 0
    assert stats["output_tokens_sent"] == 3
    # The fault was used up: the next request is whole again.
    _, response = chat(sim.url, stream=True, max_tokens=10)
    check_stream_shape(response, tokens=10, finish="length", usage=False)


def test_cut_non_streaming_sends_half_a_body(sim: SimulatorProcess) -> None:
    sim.add_fault("cut:0@next")
    _, response = chat(sim.url, max_tokens=10)
    assert response.status == 200
    assert not response.terminated
    assert response.closed
    assert 0 < len(response.body) < int(response.headers["content-length"])


def test_stall_pauses_after_the_first_content_chunk(sim: SimulatorProcess) -> None:
    sim.add_fault("stall:0.3@next")
    _, response = chat(sim.url, stream=True, max_tokens=5)
    check_stream_shape(response, tokens=5, finish="length", usage=False)
    times = response.content_times()
    assert times[1] - times[0] >= 0.29
    assert times[-1] - times[1] < 0.05
    assert sim.stats()["completed"] == 1


def test_malformed_event_after_the_first_content_chunk(sim: SimulatorProcess) -> None:
    sim.add_fault("malformed@next")
    _, response = chat(sim.url, stream=True, max_tokens=4)
    assert response.terminated
    events = response.events()
    assert events[2] == b"{not json"
    assert json.loads(events[1])["choices"][0]["delta"] == {"content": " the"}
    assert events[-1] == b"[DONE]"
    assert len(response.content_times()) == 4
    stats = sim.stats()
    assert stats["completed"] == 1
    assert stats["faults"] == {"malformed": 1}


def test_malformed_non_streaming_body(sim: SimulatorProcess) -> None:
    sim.add_fault("malformed@next")
    _, response = chat(sim.url, max_tokens=4)
    assert response.status == 200
    assert response.body == b"{not json"
    assert sim.stats()["completed"] == 0


@pytest.mark.parametrize("status", [500, 503, 529])
def test_http_status_fault(sim: SimulatorProcess, status: int) -> None:
    sim.add_fault(f"http:{status}@next")
    _, response = chat(sim.url, stream=True, max_tokens=4)
    assert response.status == status
    error = response.json()["error"]
    assert error["type"] == "server_error"
    assert set(error) >= {"message", "type", "code"}
    stats = sim.stats()
    assert stats["error_responses"] == 1
    assert stats["faults"] == {"http": 1}
    assert stats["faults_by_spec"] == {f"http:{status}@next": 1}


def test_rate_limit_fault_has_retry_after(sim: SimulatorProcess) -> None:
    sim.add_fault("429:2@next")
    _, response = chat(sim.url, max_tokens=4)
    assert response.status == 429
    assert response.headers["retry-after"] == "2"
    assert response.headers["retry-after-ms"] == "2000"
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("requests", "rate_limit_exceeded")
    assert error["message"].startswith("Rate limit reached")


def test_overload_fault_is_an_error_chunk_without_done(sim: SimulatorProcess) -> None:
    sim.add_fault("overload@next")
    _, response = chat(sim.url, stream=True, max_tokens=4)
    assert response.status == 200 and response.terminated
    events = response.events()
    assert len(events) == 3, "the role chunk, one token, the error"
    error = json.loads(events[-1])["error"]
    assert (error["type"], error["code"]) == ("server_error", "overloaded")
    sim.add_fault("overload@next")
    _, unstreamed = chat(sim.url, max_tokens=4)
    assert unstreamed.status == 503
    stats = sim.stats()
    assert (stats["completed"], stats["output_tokens_sent"], stats["error_responses"]) == (0, 1, 1)


def test_blocked_fault_is_a_400_and_wrong_usage_scales_usage(sim: SimulatorProcess) -> None:
    sim.add_fault("blocked@next")
    _, blocked = chat(sim.url, max_tokens=4)
    assert blocked.status == 400 and blocked.json()["error"]["type"] == "invalid_request_error"
    sim.add_fault("wrong_usage:3@next")
    _, response = chat(sim.url, max_tokens=4)
    assert response.json()["usage"] == {
        "prompt_tokens": 3 * PROMPT_WORDS,
        "completion_tokens": 12,
        "total_tokens": 3 * PROMPT_WORDS + 12,
    }
    assert sim.stats()["output_tokens"] == 4


def test_reasoner_streams_reasoning_first_with_cache_and_details() -> None:
    config = SimulatorConfig(ttft_ms=0, itl_ms=0, reasoning_tokens=2, cache_hit=0.5)
    with SimulatorProcess(config) as sim:
        _, response = chat(
            sim.url,
            stream=True,
            max_tokens=5,
            model="deepseek-reasoner",
            stream_options={"include_usage": True},
        )
        stats = sim.stats()
    deltas = [c["choices"][0]["delta"] for c in response.chunk_objects() if c["choices"]]
    assert [d.get("reasoning_content") for d in deltas[1:3]] == [" the", " load"]
    assert [d.get("content") for d in deltas[3:6]] == [" the", " load", " test"]
    assert response.chunk_objects()[-1]["usage"] == {
        "prompt_tokens": PROMPT_WORDS,
        "completion_tokens": 5,
        "total_tokens": PROMPT_WORDS + 5,
        "prompt_tokens_details": {"cached_tokens": PROMPT_WORDS // 2},
        "completion_tokens_details": {"reasoning_tokens": 2},
    }
    assert (stats["output_tokens"], stats["reasoning_tokens"]) == (5, 2)
    assert stats["cached_input_tokens"] == PROMPT_WORDS // 2


def test_faults_follow_their_selector_on_the_wire(sim: SimulatorProcess) -> None:
    sim.add_fault("http:503@every=2")
    statuses = [chat(sim.url, max_tokens=1)[1].status for _ in range(4)]
    assert statuses == [200, 503, 200, 503]
    assert sim.faults() == ["http:503@every=2"]
    sim.clear_faults()
    assert sim.faults() == []


def test_bad_fault_spec_is_refused_with_the_parse_error(sim: SimulatorProcess) -> None:
    with pytest.raises(ValueError, match=r"bad fault spec 'cut:x@next': cut's chunk count"):
        sim.add_fault("cut:x@next")
    client = WireClient(sim.url)
    _, response = client.call("POST", "/_harness/faults", {"nope": 1})
    client.close()
    assert response.status == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


# -- counters ----------------------------------------------------------------------------


def test_stats_count_what_was_served(sim: SimulatorProcess) -> None:
    chat(sim.url, stream=True, max_tokens=3)
    chat(sim.url, stream=True, max_tokens=4, stream_options={"include_usage": True})
    chat(sim.url, max_tokens=5)
    client = WireClient(sim.url)
    _, bad = client.call("POST", "/v1/chat/completions", {"model": "m"})
    client.close()
    assert bad.status == 400
    stats = sim.stats()
    assert stats["chat_requests"] == 4
    assert stats["completed"] == 3
    assert stats["output_tokens"] == 12
    assert stats["output_tokens_sent"] == 12
    assert stats["input_tokens"] == 3 * PROMPT_WORDS
    assert stats["streams"] == 2
    assert stats["non_streams"] == 1
    assert stats["error_responses"] == 1
    assert stats["faults"] == {}
    assert (stats["in_flight"], stats["queued"], stats["max_queued"]) == (0, 0, 0)
    sim.reset()
    after = sim.stats()
    assert after["chat_requests"] == 0
    assert after["completed"] == 0


def test_client_disconnect_mid_stream_is_counted_quietly(timed_sim: SimulatorProcess) -> None:
    timed_sim.reset()
    client = WireClient(timed_sim.url)
    client.send(
        "POST", "/v1/chat/completions", {"messages": MESSAGES, "stream": True, "max_tokens": 40}
    )
    while b'"content":" ' not in client.buffer:
        assert client._fill()
    client.close()
    deadline = time.monotonic() + 2
    while timed_sim.stats()["client_disconnects"] == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    stats = timed_sim.stats()
    assert stats["client_disconnects"] == 1
    assert stats["in_flight"] == 0
    assert 1 <= stats["output_tokens_sent"] < 40
    assert stats["completed"] == 0
    assert timed_sim.stderr_text() == ""


# -- other routes and HTTP behaviour -------------------------------------------------------


def test_models_lists_the_configured_names(sim: SimulatorProcess) -> None:
    connection = http.client.HTTPConnection(urlsplit(sim.url).netloc, timeout=5)
    connection.request("GET", "/v1/models")
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 200
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["sim-gpt"]


def test_unknown_route_is_a_json_404(sim: SimulatorProcess) -> None:
    client = WireClient(sim.url)
    _, response = client.call("GET", "/v2/nothing?x=1")
    _, wrong_method = client.call("GET", "/v1/chat/completions")
    client.close()
    assert response.status == 404
    assert response.json()["error"]["message"] == "Unknown request URL: GET /v2/nothing."
    assert wrong_method.status == 405
    assert wrong_method.headers["allow"] == "POST"


def test_bad_json_body_is_a_400(sim: SimulatorProcess) -> None:
    connection = http.client.HTTPConnection(urlsplit(sim.url).netloc, timeout=5)
    connection.request("POST", "/v1/chat/completions", body=b"{nope", headers={})
    response = connection.getresponse()
    error = json.loads(response.read())["error"]
    connection.close()
    assert response.status == 400
    assert error["type"] == "invalid_request_error"


def test_keep_alive_serves_several_requests_on_one_connection(sim: SimulatorProcess) -> None:
    client = WireClient(sim.url)
    payload = {"messages": MESSAGES, "max_tokens": 2}
    _, first = client.call("POST", "/v1/chat/completions", payload)
    _, second = client.call("POST", "/v1/chat/completions", {**payload, "stream": True})
    _, third = client.call("GET", "/v1/models")
    client.close()
    assert [first.status, second.status, third.status] == [200, 200, 200]
    assert not (first.closed or second.closed or third.closed)
    assert second.terminated
    assert sim.stats()["connections"] == 2  # this one, and the stats request's own


def test_connection_close_is_honoured(sim: SimulatorProcess) -> None:
    _, response = chat(sim.url, stream=True, max_tokens=2, headers={"Connection": "close"})
    assert response.terminated
    assert response.headers["connection"] == "close"
    assert response.closed


def test_http_client_reads_the_stream(sim: SimulatorProcess) -> None:
    connection = http.client.HTTPConnection(urlsplit(sim.url).netloc, timeout=5)
    payload = {"messages": MESSAGES, "stream": True, "max_tokens": 3}
    for _ in range(2):
        connection.request("POST", "/v1/chat/completions", body=json.dumps(payload))
        response = connection.getresponse()
        lines = [line for line in response.read().split(b"\n") if line]
        assert lines[-1] == b"data: [DONE]"
        assert len(lines) == 1 + 3 + 1 + 1
    connection.close()


def test_expect_100_continue(sim: SimulatorProcess) -> None:
    client = WireClient(sim.url)
    body = json.dumps({"messages": MESSAGES, "max_tokens": 1}).encode()
    client.sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    interim = client._until(b"\r\n\r\n")
    assert interim == b"HTTP/1.1 100 Continue"
    client.sock.sendall(body)
    response = client.read()
    client.close()
    assert response.status == 200


def test_http10_stream_is_unchunked_and_ends_at_close(sim: SimulatorProcess) -> None:
    client = WireClient(sim.url)
    body = json.dumps({"messages": MESSAGES, "stream": True, "max_tokens": 2}).encode()
    client.sock.sendall(
        b"POST /v1/chat/completions HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )
    while client._fill():
        pass
    client.close()
    head, _, payload = client.buffer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"Transfer-Encoding" not in head
    assert payload.endswith(b"data: [DONE]\n\n")
    assert payload.count(b'"content":" ') == 2
