from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest

from harness.client import ChatClient
from harness.contracts import ChatRequest, Target
from harness.mock.process import SimulatorProcess
from harness.transport import HttpTransport, Timeouts
from harness_plugins.openai_chat import OpenAIChatAdapter

StartSimulator = Callable[..., SimulatorProcess]


def client_for(simulator: SimulatorProcess, **timeouts: float) -> ChatClient:
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
