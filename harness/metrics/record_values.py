"""Per-record values derived from a RequestRecord, by the fixed metric definitions.

Kept apart from the aggregates so the time series and the metric sets agree
on what "ended", "output tokens" and "output tokens/s" mean for one record.
"""

from __future__ import annotations

from harness.contracts import RequestRecord


def ended_at(record: RequestRecord) -> float:
    """Wall-clock end of the attempt; a failure without a duration ends as it starts."""
    return record.started_at + (record.e2e_s or 0.0)


def headers_at(record: RequestRecord) -> float:
    """Wall-clock time the response headers arrived; the start when unknown."""
    return record.started_at + (record.headers_s or 0.0)


def output_tokens(record: RequestRecord) -> int:
    return record.usage.output_tokens if record.usage is not None else 0


def decode_time(record: RequestRecord) -> float | None:
    """e2e - TTFT for records with at least two output tokens, else None."""
    if record.e2e_s is None or record.ttft_s is None or output_tokens(record) < 2:
        return None
    elapsed = record.e2e_s - record.ttft_s
    return elapsed if elapsed > 0 else None


def tpot(record: RequestRecord) -> float | None:
    """The record's own TPOT, or (e2e - TTFT) / (output_tokens - 1) when it has none."""
    if record.tpot_s is not None:
        return record.tpot_s
    return decode_figures(record)[0]


def output_tokens_per_s(record: RequestRecord) -> float | None:
    """Output tokens / (e2e - TTFT): one request's decode speed."""
    return decode_figures(record)[1]


def decode_figures(record: RequestRecord) -> tuple[float | None, float | None]:
    """``tpot`` and ``output_tokens_per_s`` of one record, its decode time worked out once.

    Aggregation needs both for every record it reads.
    """
    elapsed = decode_time(record)
    if elapsed is None:
        return record.tpot_s, None
    tokens = output_tokens(record)
    own = record.tpot_s
    return (own if own is not None else elapsed / (tokens - 1)), tokens / elapsed


def is_retry(record: RequestRecord) -> bool:
    """True for every attempt after the first of its logical request (retries and fallbacks)."""
    return record.attempt > 1


def logical_e2e(record: RequestRecord) -> float | None:
    """A final attempt's logical latency: first send to last byte, backoff included.

    A request sent once by code that never set ``logical_e2e_s`` (older record
    files, a bare ``ChatClient.call``) took exactly its one attempt's time.
    """
    if record.logical_e2e_s is not None:
        return record.logical_e2e_s
    return record.e2e_s if not is_retry(record) else None


def since_scheduled(record: RequestRecord, duration: float | None) -> float | None:
    """``duration`` of the final attempt, counted from when its request was due.

    Open-loop and replayed requests carry ``queue_s`` (actual minus scheduled
    start); an earlier attempt's time and backoff come in through the logical
    latency, so a retried request counts from its first send's due time.
    """
    if record.queue_s is None or duration is None or not record.final:
        return None
    logical = logical_e2e(record)
    earlier = logical - record.e2e_s if logical is not None and record.e2e_s is not None else 0.0
    return record.queue_s + max(earlier, 0.0) + duration


def error_kind(record: RequestRecord) -> str:
    # A failure recorded without ErrorInfo still has to be counted somewhere.
    return record.error.kind if record.error is not None else "unknown"
