from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import orjson
import pytest
from gevent.pywsgi import WSGIServer

from harness.client import ChatClient, new_request_id
from harness.contracts import ChatRequest, RequestRecord, Target, Usage
from harness.mock.process import SimulatorProcess
from harness.transport import HttpTransport, Timeouts
from harness_plugins.openai_chat import OpenAIChatAdapter

StartSimulator = Callable[..., SimulatorProcess]


class HasUrl(Protocol):
    url: str


def client_for(simulator: HasUrl, **timeouts: float) -> ChatClient:
    target = Target("sim", "openai", simulator.url, "sim-gpt")
    return ChatClient(target, OpenAIChatAdapter(), HttpTransport(Timeouts(**timeouts)))


def request(max_tokens: int = 8, stream: bool = True) -> ChatRequest:
    messages = [{"role": "user", "content": "alpha beta gamma delta"}]
    return ChatRequest(messages=messages, model="sim-gpt", max_tokens=max_tokens, stream=stream)


def test_streamed_call_is_timed_and_uses_reported_usage(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=150, itl_ms=20)
    record = client_for(simulator).call(request(max_tokens=8))
    assert record.ok and record.error is None and record.http_status == 200
    assert record.ttft_s == pytest.approx(0.150, abs=0.02)
    assert record.usage is not None and record.usage.source == "reported"
    assert record.usage.output_tokens == 8 and record.usage.input_tokens == 4
    assert record.output_events == 8
    assert record.tpot_s == pytest.approx(0.020, abs=0.01)
    assert sum(record.itl_buckets.values()) == 7
    assert record.e2e_s is not None and record.e2e_s > record.ttft_s
    assert record.finish_reason == "length"
    assert simulator.stats()["output_tokens"] == 8


def test_non_streamed_call(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=50, itl_ms=5)
    record = client_for(simulator).call(request(max_tokens=6, stream=False))
    assert record.ok and not record.stream
    assert record.usage is not None and record.usage.output_tokens == 6
    assert record.ttft_s == pytest.approx(record.e2e_s, abs=0.005)


@pytest.mark.parametrize(
    ("fault", "kind", "status"),
    [
        ("cut:3", "stream_broken", 200),
        ("stall:3", "timeout", 200),
        ("malformed", "protocol", 200),
        ("http:500", "server", 500),
        ("429:2", "rate_limited", 429),
    ],
)
def test_each_fault_is_one_failed_record_of_its_kind(
    start_simulator: StartSimulator, fault: str, kind: str, status: int
) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=5)
    client = client_for(simulator, stall=0.5)
    simulator.add_fault(f"{fault}@next")
    records = [client.call(request()) for _ in range(3)]
    failed = [r for r in records if not r.ok]
    assert len(failed) == 1
    (record,) = failed
    assert record.error is not None and record.error.kind == kind
    assert record.http_status == status
    assert records[1].ok and records[2].ok, "the client recovers on the next call"
    assert orjson.loads(orjson.dumps(record.to_dict()))["error"]["kind"] == kind


def test_rate_limit_carries_the_server_hint(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0, faults=("429:7",))
    record = client_for(simulator).call(request())
    assert record.error is not None and record.error.retry_after_s == 7.0
    assert record.error.retryable


def test_unreachable_target_is_a_record_not_an_exception() -> None:
    target = Target("gone", "openai", "http://127.0.0.1:9", "m")
    client = ChatClient(target, OpenAIChatAdapter(), HttpTransport(Timeouts(connect=1.0)))
    record = client.call(request())
    assert not record.ok and record.error is not None and record.error.kind == "connection"


def prompt_request(words: int, max_tokens: int, **fields: Any) -> ChatRequest:
    """A prompt of ``words`` plain words: ``words`` input tokens to the simulator."""
    vocabulary = ("latency", "throughput", "queue")
    messages = [{"role": "user", "content": " ".join(vocabulary[i % 3] for i in range(words))}]
    return ChatRequest(messages=messages, model="sim-gpt", max_tokens=max_tokens, **fields)


@pytest.mark.parametrize("stream", [True, False])
def test_reported_usage_comes_with_an_equal_local_estimate(
    start_simulator: StartSimulator, stream: bool
) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0)
    record = client_for(simulator).call(prompt_request(30, max_tokens=12, stream=stream))
    assert record.ok
    assert record.usage == Usage(input_tokens=30, output_tokens=12, source="reported")
    assert record.usage_estimate == Usage(input_tokens=30, output_tokens=12, source="estimated")
    revived = RequestRecord.from_dict(orjson.loads(orjson.dumps(record.to_dict())))
    assert revived.usage_estimate == record.usage_estimate


def test_a_stream_without_usage_is_estimated_as_the_simulator_counted(
    start_simulator: StartSimulator,
) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0)
    no_usage = {"stream_options": {"include_usage": False}}
    record = client_for(simulator).call(prompt_request(17, max_tokens=9, extra=no_usage))
    assert record.ok and record.usage is not None
    assert record.usage.source == "estimated"
    stats = simulator.stats()
    assert (
        (record.usage.input_tokens, record.usage.output_tokens)
        == (
            stats["input_tokens"],
            stats["output_tokens"],
        )
        == (17, 9)
    )
    assert record.usage_estimate == record.usage
    assert record.tpot_s is not None


def test_a_cut_stream_estimates_what_arrived(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=1, faults=("cut:3",))
    record = client_for(simulator).call(prompt_request(5, max_tokens=10))
    assert not record.ok and record.error is not None
    assert record.error.kind == "stream_broken"
    assert record.usage == Usage(input_tokens=5, output_tokens=3, source="estimated")


def test_an_error_response_has_no_usage(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0, faults=("http:500",))
    record = client_for(simulator).call(prompt_request(5, max_tokens=10))
    assert not record.ok
    assert record.usage is None and record.usage_estimate is None
    assert record.rate_limit is None


class HeaderServer:
    """A loopback WSGI server answering every request with a canned status and headers."""

    def __init__(self, status: str, headers: list[tuple[str, str]], body: dict[str, Any]):
        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            start_response(status, [("Content-Type", "application/json"), *headers])
            return [orjson.dumps(body)]

        self.server = WSGIServer(("127.0.0.1", 0), app, log=None)
        self.server.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def serve_headers() -> Iterator[Callable[..., HeaderServer]]:
    servers: list[HeaderServer] = []

    def serve(status: str, headers: list[tuple[str, str]], body: dict[str, Any]) -> HeaderServer:
        servers.append(HeaderServer(status, headers, body))
        return servers[-1]

    yield serve
    for server in servers:
        server.stop()


def test_rate_limit_headers_are_recorded(serve_headers: Callable[..., HeaderServer]) -> None:
    completion = {
        "choices": [{"message": {"content": " the load"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 2},
    }
    headers = [
        ("x-ratelimit-limit-requests", "500"),
        ("x-ratelimit-remaining-requests", "499"),
        ("x-ratelimit-reset-requests", "120ms"),
        ("x-ratelimit-remaining-tokens", "29000"),
        ("x-ratelimit-reset-tokens", "6m0s"),
    ]
    server = serve_headers("200 OK", headers, completion)
    record = client_for(server).call(request(stream=False))
    assert record.ok
    assert record.rate_limit == {
        "limit_requests": 500,
        "remaining_requests": 499,
        "reset_requests_s": pytest.approx(0.12),
        "limit_tokens": None,
        "remaining_tokens": 29000,
        "reset_tokens_s": 360.0,
    }


def test_an_error_response_keeps_its_rate_limit_headers(
    serve_headers: Callable[..., HeaderServer],
) -> None:
    error = {"error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}}
    headers = [("retry-after-ms", "1500"), ("x-ratelimit-remaining-requests", "0")]
    server = serve_headers("429 Too Many Requests", headers, error)
    record = client_for(server).call(request())
    assert record.error is not None and record.error.kind == "rate_limited"
    assert record.error.retry_after_s == 1.5
    assert record.rate_limit is not None and record.rate_limit["remaining_requests"] == 0


def test_new_request_ids_are_random_version_4_uuids() -> None:
    ids = {new_request_id() for _ in range(200)}
    assert len(ids) == 200
    for request_id in ids:
        parsed = uuid.UUID(hex=request_id)
        assert parsed.hex == request_id and len(request_id) == 32
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_draws_other_request_ids() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child writes its first id and leaves at once
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child_id = os.read(read, 64).decode()
    os.close(read)
    os.close(write)
    assert len(child_id) == 32 and child_id != new_request_id()
