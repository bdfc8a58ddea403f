"""One logical request: wait for the rate limiter, attempt, back off, attempt again.

Every attempt becomes its own record, emitted as it completes and linked to
the others by ``request_id``; the last one carries ``final=True`` and the
logical request's latency (first send to last byte, backoff included). A retry
the policy wants but the target's budget refuses is recorded with
``throttled_by="budget"``. Time spent waiting for the client-side rate limiter
is recorded apart from latency.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from harness.client import ChatClient
from harness.contracts import ChatRequest, RequestRecord, RetryPolicy
from harness.rate_limiter import TargetRateLimiter
from harness.retry_budget import RetryBudget
from harness.token_estimate import estimate_input_tokens

Sleep = Callable[[float], None]


@dataclass
class RetryControls:
    """What governs the attempts sent to one target; shared by all its users."""

    policy: RetryPolicy
    budget: RetryBudget | None = None
    limiter: TargetRateLimiter | None = None


def _tokens_to_reserve(request: ChatRequest) -> int:
    return estimate_input_tokens(request.messages) + (request.max_tokens or 0)


def _used_tokens(record: RequestRecord) -> int:
    usage = record.usage
    return usage.input_tokens + usage.output_tokens if usage else 0


def run_logical_request(
    client: ChatClient,
    request: ChatRequest,
    controls: RetryControls,
    emit: Callable[[RequestRecord], None],
    sleep: Sleep,
    clock: Callable[[], float] = time.monotonic,
) -> RequestRecord:
    """Send ``request`` until it succeeds or the policy or budget gives up.

    Returns the last attempt's record.
    """
    request_id = uuid.uuid4().hex
    started = time.perf_counter()
    reserve = _tokens_to_reserve(request) if controls.limiter is not None else 0
    if controls.budget is not None:
        controls.budget.record_request(clock())
    attempt = 1
    delay_before: float | None = None
    while True:
        waited, limited_by = 0.0, None
        if controls.limiter is not None:
            waited, limited_by = controls.limiter.reserve(reserve, clock())
            if waited > 0:
                sleep(waited)
        record = client.call(request, request_id=request_id, attempt=attempt)
        record.retry_delay_s = delay_before or 0.0
        record.limiter_wait_s = waited
        record.limited_by = limited_by
        if controls.limiter is not None:
            controls.limiter.settle(reserve, _used_tokens(record), clock())
        delay = None
        if not record.ok and record.error is not None:
            delay = controls.policy.delay(attempt, record.error, delay_before)
            budget = controls.budget
            if delay is not None and budget is not None and not budget.try_spend(clock()):
                record.throttled_by = "budget"
                delay = None
        record.final = delay is None
        if record.final:
            record.logical_e2e_s = time.perf_counter() - started
        emit(record)
        if delay is None:
            return record
        sleep(delay)
        delay_before = delay
        attempt += 1
