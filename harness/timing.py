"""Per-request stream timing, with the metric definitions of docs/ARCHITECTURE.md.

TTFT runs from just before the request is written to the arrival of the first
chunk carrying output (content, reasoning or a tool-call delta); TTFA to the
first answer (content) chunk; ITL are the gaps between consecutive
output-bearing chunks. A chunk is one SSE event: several output events parsed
from one chunk are one arrival, so they add no zero-length gaps.
"""

from __future__ import annotations

from operator import sub

from harness.metrics.histogram import bucket_counts


class StreamTiming:
    """Arrivals noted while the stream is read; the gaps are worked out once it is over.

    While the stream is read the client only notes, per socket read, how many
    output-bearing chunks it completed (they arrived together); ``itl_buckets``
    and the other ITL figures are computed on first use.
    """

    __slots__ = ("_itl", "arrivals", "chunks", "sent_at", "ttfa_at")

    def __init__(self, sent_at: float) -> None:
        self.sent_at = sent_at
        self.ttfa_at: float | None = None
        #: Arrival time of each batch of output-bearing chunks (one socket read), in order.
        self.arrivals: list[float] = []
        #: Output-bearing chunks in all batches.
        self.chunks = 0
        self._itl: tuple[dict[int, int], float, float | None, float | None] | None = None

    def on_chunks(self, received_at: float, count: int) -> None:
        """``count`` output-bearing chunks arrived together at ``received_at``."""
        self.arrivals.append(received_at)
        self.chunks += count
        self._itl = None

    def on_answer(self, received_at: float) -> None:
        """An answer (content) chunk arrived at ``received_at``; the first one is TTFA."""
        if self.ttfa_at is None:
            self.ttfa_at = received_at

    @property
    def ttft(self) -> float | None:
        return self.arrivals[0] - self.sent_at if self.arrivals else None

    @property
    def ttfa(self) -> float | None:
        return None if self.ttfa_at is None else self.ttfa_at - self.sent_at

    @property
    def itl_buckets(self) -> dict[int, int]:
        return self._gaps()[0]

    @property
    def itl_sum(self) -> float:
        return self._gaps()[1]

    @property
    def itl_min(self) -> float | None:
        return self._gaps()[2]

    @property
    def itl_max(self) -> float | None:
        return self._gaps()[3]

    def _gaps(self) -> tuple[dict[int, int], float, float | None, float | None]:
        if self._itl is None:
            arrivals = self.arrivals
            # A gap per batch after the first, and a zero gap per chunk that
            # came with an earlier one in its batch.
            gaps = list(map(sub, arrivals[1:], arrivals))
            sum_of_gaps = sum(gaps)
            gaps += [0.0] * (self.chunks - len(arrivals))
            if gaps:
                self._itl = (bucket_counts(gaps), sum_of_gaps, min(gaps), max(gaps))
            else:
                self._itl = ({}, 0.0, None, None)
        return self._itl


def time_per_output_token(e2e: float, ttft: float | None, output_tokens: int) -> float | None:
    """TPOT = (E2E - TTFT) / (output_tokens - 1), defined for two tokens or more."""
    if ttft is None or output_tokens < 2:
        return None
    return (e2e - ttft) / (output_tokens - 1)
