"""``--budget``: stop sending once actual plus in-flight spend would pass a limit.

Each logical request reserves its worst case before it is sent (the input
estimate plus ``max_tokens`` of output, at the target's price); attempts add
their real cost as they complete; the reservation is released when the
request ends. A request is admitted only if the spend so far, the reservations
of requests in flight and its own worst case all fit, so a run stops within
one request's cost of the limit. Retries add their real cost as they happen:
a retried request can pass its own reservation.
"""

from __future__ import annotations

from decimal import Decimal


class SpendGuard:
    """Shared by every user of a run; call from one event loop (no locking)."""

    def __init__(self, limit: Decimal) -> None:
        if limit <= 0:
            raise ValueError("the budget must be positive")
        self.limit = limit
        self.spent = Decimal(0)
        self.reserved = Decimal(0)

    def reserve(self, worst_case: Decimal) -> bool:
        if self.spent + self.reserved + worst_case > self.limit:
            return False
        self.reserved += worst_case
        return True

    def release(self, worst_case: Decimal) -> None:
        self.reserved -= worst_case

    def add(self, cost: Decimal) -> None:
        self.spent += cost
