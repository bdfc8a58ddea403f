"""The attempt loop against the real simulator: faults, retries, budget, limiter."""

from __future__ import annotations

import time
from collections.abc import Callable

from harness.attempts import Leg, RetryControls, run_logical_request
from harness.backoff import BackoffPolicy, RetrySettings
from harness.client import ChatClient
from harness.contracts import ChatRequest, RequestRecord, Target
from harness.mock.process import SimulatorProcess
from harness.rate_limiter import LimitSettings, TargetRateLimiter
from harness.retry_budget import BudgetSettings, RetryBudget
from harness.transport import HttpTransport
from harness_plugins.openai_chat import OpenAIChatAdapter

StartSimulator = Callable[..., SimulatorProcess]
REQUEST = ChatRequest(messages=[{"role": "user", "content": "a b c"}], model="m", max_tokens=4)


def client(simulator: SimulatorProcess, name: str = "sim") -> ChatClient:
    target = Target(name, "openai", simulator.url, "m")
    return ChatClient(target, OpenAIChatAdapter(), HttpTransport())


def fixed(delay: float, attempts: int = 3) -> BackoffPolicy:
    return BackoffPolicy("fixed").configure(RetrySettings(max_attempts=attempts, base=delay))


def run(sim: SimulatorProcess, controls: RetryControls) -> list[RequestRecord]:
    records: list[RequestRecord] = []
    run_logical_request([Leg(client(sim), controls)], REQUEST, records.append, time.sleep)
    return records


def test_retry_after_a_server_error_links_attempts(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0, faults=("http:500@n=1",))
    records = run(simulator, RetryControls(fixed(0.2)))
    assert [(r.attempt, r.ok, r.final) for r in records] == [(1, False, False), (2, True, True)]
    assert len({r.request_id for r in records}) == 1
    assert records[1].retry_delay_s == 0.2
    assert records[1].logical_e2e_s is not None and records[1].logical_e2e_s >= 0.2
    assert simulator.stats()["chat_requests"] == 2


def test_server_retry_after_is_honoured(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0, faults=("429:1@n=1",))
    started = time.perf_counter()
    records = run(simulator, RetryControls(fixed(0.01)))
    assert [r.ok for r in records] == [False, True]
    assert records[1].retry_delay_s == 1.0
    assert time.perf_counter() - started >= 1.0


def test_unretryable_kind_ends_at_once(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0, faults=("http:401@n=1",))
    records = run(simulator, RetryControls(fixed(0.01)))
    assert [(r.attempt, r.ok, r.final) for r in records] == [(1, False, True)]
    assert records[0].error is not None and records[0].error.kind == "auth"


def test_attempts_run_out(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0, faults=("http:503",))
    records = run(simulator, RetryControls(fixed(0.01, attempts=3)))
    assert [(r.attempt, r.final) for r in records] == [(1, False), (2, False), (3, True)]
    assert all(r.error is not None and r.error.kind == "overloaded" for r in records)


def test_budget_refusal_is_recorded(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0, faults=("http:500@n=1",))
    budget = RetryBudget(BudgetSettings(ratio=0.0, min_per_s=0.0))
    records = run(simulator, RetryControls(fixed(0.01), budget=budget))
    assert [(r.attempt, r.final, r.throttled_by) for r in records] == [(1, True, "budget")]
    assert budget.denied == 1


def test_limiter_wait_is_recorded_apart_from_latency(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0)
    controls = RetryControls(
        BackoffPolicy("none"), limiter=TargetRateLimiter(LimitSettings(120, burst_s=0.5), 0.0)
    )
    first = run(simulator, controls)[0]
    second = run(simulator, controls)[0]
    assert first.limiter_wait_s == 0.0 and first.limited_by is None
    assert second.limiter_wait_s > 0.3 and second.limited_by == "rpm"
    assert second.e2e_s is not None and second.e2e_s < 0.2


def test_fallback_after_the_primary_gives_up(start_simulator: StartSimulator) -> None:
    primary = start_simulator(ttft_ms=0, itl_ms=0, faults=("http:503",))
    backup = start_simulator(ttft_ms=0, itl_ms=0)
    chain = [
        Leg(client(primary, "primary"), RetryControls(fixed(0.01, 2)), frozenset({"overloaded"})),
        Leg(client(backup, "backup"), RetryControls(fixed(0.01, 2))),
    ]
    records: list[RequestRecord] = []
    last = run_logical_request(chain, REQUEST, records.append, time.sleep)
    assert [(r.target, r.attempt, r.final, r.fallback_from) for r in records] == [
        ("primary", 1, False, None),
        ("primary", 2, False, None),
        ("backup", 3, True, "primary"),
    ]
    assert last.ok and len({r.request_id for r in records}) == 1


def test_no_fallback_for_kinds_not_listed(start_simulator: StartSimulator) -> None:
    primary = start_simulator(ttft_ms=0, itl_ms=0, faults=("http:401",))
    backup = start_simulator(ttft_ms=0, itl_ms=0)
    chain = [
        Leg(client(primary, "primary"), RetryControls(fixed(0.01)), frozenset({"overloaded"})),
        Leg(client(backup, "backup"), RetryControls(fixed(0.01))),
    ]
    records: list[RequestRecord] = []
    run_logical_request(chain, REQUEST, records.append, time.sleep)
    assert [(r.target, r.final) for r in records] == [("primary", True)]
    assert backup.stats()["chat_requests"] == 0
