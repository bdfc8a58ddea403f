"""The simulator's injected faults, through the harness's client and this adapter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from harness.client import ChatClient
from harness.contracts import ChatRequest, Target
from harness.mock import SimulatorConfig, SimulatorProcess
from harness.transport import HttpTransport, Timeouts

from harness_echo_provider import EchoAdapter


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess(SimulatorConfig(ttft_ms=0, itl_ms=1)) as running:
        yield running


@pytest.mark.parametrize(
    ("fault", "kind", "retry_after_s"),
    [
        ("cut:2", "stream_broken", None),
        ("malformed", "protocol", None),
        ("http:503", "overloaded", None),
        ("429:1.5", "rate_limited", 1.5),
    ],
)
def test_fault_becomes_a_failed_record_of_its_kind(
    simulator: SimulatorProcess, fault: str, kind: str, retry_after_s: float | None
) -> None:
    simulator.add_fault(f"{fault}@next")
    target = Target("sim", "echo", simulator.url, "echo-1")
    transport = HttpTransport(Timeouts(stall=5.0))
    client = ChatClient(target, EchoAdapter(), transport)
    request = ChatRequest([{"role": "user", "content": "one two three"}], "echo-1", max_tokens=6)
    try:
        failed = client.call(request)  # the fault is armed for this call only
        recovered = client.call(request)
    finally:
        transport.close()
    assert failed.error is not None and not failed.ok
    assert (failed.error.kind, failed.error.retry_after_s) == (kind, retry_after_s)
    assert recovered.ok and recovered.usage is not None and recovered.usage.input_tokens == 3
