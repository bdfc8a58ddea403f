from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.contracts import ErrorInfo, RequestRecord

RecordFactory = Callable[..., RequestRecord]


@pytest.fixture
def retried_records(make_record: RecordFactory) -> list[RequestRecord]:
    """Five logical requests in eight attempts, ending in the seconds 100 to 104.

    A: rate-limited, then succeeds on a retry. B: held 0.25 s by the limiter,
    succeeds at once. C: fails and the budget denies its retry. D: fails three
    times. E: a record written before logical latency existed.
    """

    def attempt(request_id: str, number: int, at: float, **fields: Any) -> RequestRecord:
        return make_record(request_id=request_id, attempt=number, started_at=at, **fields)

    def failure(kind: str, final: bool = False) -> dict[str, Any]:
        return {"ok": False, "error": ErrorInfo(kind=kind, message=""), "final": final}

    return [
        attempt("A", 1, 100.0, e2e_s=0.25, **failure("rate_limited")),
        attempt("A", 2, 100.75, e2e_s=1.0, retry_delay_s=0.5, logical_e2e_s=2.0),
        attempt("B", 1, 100.5, e2e_s=0.5, limiter_wait_s=0.25, logical_e2e_s=0.75),
        attempt("C", 1, 102.0, e2e_s=0.125, throttled_by="budget", **failure("server", True)),
        attempt("D", 1, 102.0, e2e_s=0.25, **failure("server")),
        attempt("D", 2, 102.5, e2e_s=0.25, retry_delay_s=0.25, **failure("timeout")),
        attempt("D", 3, 103.75, retry_delay_s=1.0, **failure("timeout", True)),
        attempt("E", 1, 104.0, e2e_s=0.375),
    ]
