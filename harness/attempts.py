"""One logical request: wait for the rate limiter, attempt, back off, attempt again.

Every attempt becomes its own record, emitted as it completes and linked to
the others by ``request_id``; the last one carries ``final=True`` and the
logical request's latency (first send to last byte, backoff included). A retry
the policy wants but the target's budget refuses is recorded with
``throttled_by="budget"``. Time spent waiting for the client-side rate limiter
is recorded apart from latency.

A request may have fallbacks: when the retries on one target end in a kind
listed in that leg's ``fallback_on``, the next attempt goes to the next target
in the chain (its records say ``fallback_from``), as production routers do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from harness.client import ChatClient, new_request_id
from harness.contracts import ChatRequest, RequestRecord, RetryPolicy
from harness.rate_limiter import TargetRateLimiter
from harness.retry_budget import RetryBudget
from harness.token_estimate import estimate_input_tokens

Sleep = Callable[[float], None]
Emit = Callable[[RequestRecord], None]


@dataclass
class RetryControls:
    """What governs the attempts sent to one target; shared by all its users."""

    policy: RetryPolicy
    budget: RetryBudget | None = None
    limiter: TargetRateLimiter | None = None


@dataclass(frozen=True)
class Leg:
    """One target of a request's chain, and the failure kinds that move on from it."""

    client: ChatClient
    controls: RetryControls
    fallback_on: frozenset[str] = frozenset()


def _tokens_to_reserve(request: ChatRequest) -> int:
    return estimate_input_tokens(request.messages) + (request.max_tokens or 0)


def _used_tokens(record: RequestRecord) -> int:
    usage = record.usage
    return usage.input_tokens + usage.output_tokens if usage else 0


class _LogicalRequest:
    def __init__(self, request: ChatRequest, emit: Emit, sleep: Sleep, clock: Callable[[], float]):
        self.request = request
        self.request_id = new_request_id()
        self.emit = emit
        self.sleep = sleep
        self.clock = clock
        self.started = time.perf_counter()
        self.attempt = 0

    def attempt_once(self, leg: Leg, reserve: int, delay_before: float | None) -> RequestRecord:
        limiter = leg.controls.limiter
        waited, limited_by = 0.0, None
        if limiter is not None:
            waited, limited_by = limiter.reserve(reserve, self.clock())
            if waited > 0:
                self.sleep(waited)
        self.attempt += 1
        # Each target is asked for its own model: a fallback or routed leg is another model.
        model = leg.client.target.model
        request = (
            self.request if self.request.model == model else replace(self.request, model=model)
        )
        record = leg.client.call(request, request_id=self.request_id, attempt=self.attempt)
        record.retry_delay_s = delay_before or 0.0
        record.limiter_wait_s = waited
        record.limited_by = limited_by
        if limiter is not None:
            limiter.settle(reserve, _used_tokens(record), self.clock())
        return record

    def next_delay(
        self, leg: Leg, record: RequestRecord, attempt_on_leg: int, before: float | None
    ) -> float | None:
        if record.ok or record.error is None:
            return None
        delay = leg.controls.policy.delay(attempt_on_leg, record.error, before)
        budget = leg.controls.budget
        if delay is not None and budget is not None and not budget.try_spend(self.clock()):
            record.throttled_by = "budget"
            return None
        return delay

    def finish(self, record: RequestRecord, final: bool) -> None:
        record.final = final
        if final:
            record.logical_e2e_s = time.perf_counter() - self.started
        self.emit(record)


def run_logical_request(
    chain: Sequence[Leg],
    request: ChatRequest,
    emit: Emit,
    sleep: Sleep,
    clock: Callable[[], float] = time.monotonic,
) -> RequestRecord:
    """Send ``request`` along ``chain`` until it succeeds or every leg gives up.

    Returns the last attempt's record.
    """
    if not chain:
        raise ValueError("a request needs at least one target")
    logical = _LogicalRequest(request, emit, sleep, clock)
    # Only a rate limiter needs the estimate; counting the prompt costs every request.
    limited = any(leg.controls.limiter is not None for leg in chain)
    reserve = _tokens_to_reserve(request) if limited else 0
    previous_target: str | None = None
    for position, leg in enumerate(chain):
        if leg.controls.budget is not None:
            leg.controls.budget.record_request(clock())
        attempt_on_leg, delay_before = 1, None
        while True:
            record = logical.attempt_once(leg, reserve, delay_before)
            record.fallback_from = previous_target
            delay = logical.next_delay(leg, record, attempt_on_leg, delay_before)
            if delay is None:
                break
            logical.finish(record, final=False)
            sleep(delay)
            attempt_on_leg, delay_before = attempt_on_leg + 1, delay
        kind = record.error.kind if record.error is not None else None
        moves_on = kind in leg.fallback_on and position + 1 < len(chain)
        logical.finish(record, final=not moves_on)
        if not moves_on:
            return record
        previous_target = leg.client.target.name
    raise AssertionError("unreachable: the last leg always finishes the request")
