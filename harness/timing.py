"""Per-request stream timing, with the metric definitions of docs/ARCHITECTURE.md.

TTFT runs from just before the request is written to the arrival of the first
chunk carrying output (content, reasoning or a tool-call delta); TTFA to the
first answer (content) chunk; ITL are the gaps between consecutive
output-bearing chunks. A chunk is one SSE event: several output events parsed
from one chunk are one arrival, so they add no zero-length gaps.
"""

from __future__ import annotations

from harness.metrics.histogram import bucket_index


class StreamTiming:
    __slots__ = (
        "first_output_at",
        "itl_buckets",
        "itl_max",
        "itl_min",
        "itl_sum",
        "last_chunk",
        "last_output_at",
        "output_events",
        "sent_at",
        "ttfa_at",
    )

    def __init__(self, sent_at: float) -> None:
        self.sent_at = sent_at
        self.first_output_at: float | None = None
        self.ttfa_at: float | None = None
        self.last_output_at: float | None = None
        self.last_chunk = -1
        self.output_events = 0
        self.itl_buckets: dict[int, int] = {}
        self.itl_sum = 0.0
        self.itl_min: float | None = None
        self.itl_max: float | None = None

    def on_output(self, received_at: float, chunk: int, is_answer: bool) -> None:
        """An output event parsed from chunk number ``chunk`` (arrived at ``received_at``)."""
        self.output_events += 1
        if is_answer and self.ttfa_at is None:
            self.ttfa_at = received_at
        if chunk == self.last_chunk:
            return
        self.last_chunk = chunk
        previous = self.last_output_at
        self.last_output_at = received_at
        if previous is None:
            self.first_output_at = received_at
            return
        gap = received_at - previous
        index = bucket_index(gap)
        self.itl_buckets[index] = self.itl_buckets.get(index, 0) + 1
        self.itl_sum += gap
        if self.itl_min is None or gap < self.itl_min:
            self.itl_min = gap
        if self.itl_max is None or gap > self.itl_max:
            self.itl_max = gap

    @property
    def ttft(self) -> float | None:
        return None if self.first_output_at is None else self.first_output_at - self.sent_at

    @property
    def ttfa(self) -> float | None:
        return None if self.ttfa_at is None else self.ttfa_at - self.sent_at


def time_per_output_token(e2e: float, ttft: float | None, output_tokens: int) -> float | None:
    """TPOT = (E2E - TTFT) / (output_tokens - 1), defined for two tokens or more."""
    if ttft is None or output_tokens < 2:
        return None
    return (e2e - ttft) / (output_tokens - 1)
