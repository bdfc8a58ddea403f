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

    Per output event the client only counts it and, for a new chunk, appends
    the chunk's arrival time (one call per event is all the hot path pays);
    ``itl_buckets`` and the other ITL figures are computed on first use.
    """

    __slots__ = (
        "_itl",
        "arrivals",
        "last_chunk",
        "output_events",
        "sent_at",
        "ttfa_at",
    )

    def __init__(self, sent_at: float) -> None:
        self.sent_at = sent_at
        self.ttfa_at: float | None = None
        #: Arrival time of each output-bearing chunk, in order.
        self.arrivals: list[float] = []
        self.last_chunk = -1
        self.output_events = 0
        self._itl: tuple[dict[int, int], float, float | None, float | None] | None = None

    def on_output(self, received_at: float, chunk: int, is_answer: bool) -> None:
        """An output event parsed from chunk number ``chunk`` (arrived at ``received_at``)."""
        self.output_events += 1
        if is_answer and self.ttfa_at is None:
            self.ttfa_at = received_at
        if chunk != self.last_chunk:
            self.last_chunk = chunk
            self.arrivals.append(received_at)
            self._itl = None

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
            gaps = list(map(sub, arrivals[1:], arrivals))
            if gaps:
                self._itl = (bucket_counts(gaps), sum(gaps), min(gaps), max(gaps))
            else:
                self._itl = ({}, 0.0, None, None)
        return self._itl


def time_per_output_token(e2e: float, ttft: float | None, output_tokens: int) -> float | None:
    """TPOT = (E2E - TTFT) / (output_tokens - 1), defined for two tokens or more."""
    if ttft is None or output_tokens < 2:
        return None
    return (e2e - ttft) / (output_tokens - 1)
