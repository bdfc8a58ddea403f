"""Per-second load, completions, errors by kind, retries, latency and rate-limit headroom.

Bins are absolute epoch seconds rather than offsets from a run start, so
workers that never agreed on a start time still merge bin by bin.

Completions (failures by error kind, retries among them, TTFT and E2E) land
in the second an attempt ended. Offered load lands in the second a logical
request was due (its first attempt's start, less any open-loop queueing),
attempts sent in the second they started, and time in flight in every
second an attempt spanned (:meth:`SecondSeries.in_flight`: the average
number of attempts in flight during each second). Rate-limit headroom lands in the second its
response headers arrived: that is when the server said it, and a long
stream would otherwise report it late.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from harness.contracts import RequestRecord
from harness.metrics import record_values
from harness.metrics.histogram import LogHistogram


@dataclass(eq=False)
class SecondBin:
    """What completed during one wall-clock second, and the least headroom seen in it.

    ``errors_by_kind`` holds only the kinds that failed in this second, so a
    bin stays small; ``retries`` counts attempts after the first of their
    logical request. ``offered`` counts logical requests due in the second,
    ``sent`` attempts started in it. Time in flight is kept in two parts, so
    a long attempt touches two or three bins rather than one per second it
    lasted: ``busy_s`` holds the attempt-seconds of attempts that started or
    ended within the second, and ``covering`` the change, from this second
    on, in the number of attempts that cover whole seconds.
    ``rate_limit_remaining_*`` are the minimum the servers reported in their
    rate-limit headers during the second (None: no such header).
    """

    ok: int = 0
    failed: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    output_tokens: int = 0
    ttft: LogHistogram = field(default_factory=LogHistogram)
    e2e: LogHistogram = field(default_factory=LogHistogram)
    offered: int = 0
    sent: int = 0
    busy_s: float = 0.0
    covering: int = 0
    rate_limit_remaining_requests: int | None = None
    rate_limit_remaining_tokens: int | None = None

    def observe_headroom(self, remaining_requests: Any, remaining_tokens: Any) -> None:
        self.rate_limit_remaining_requests = _lowest(
            self.rate_limit_remaining_requests, remaining_requests
        )
        self.rate_limit_remaining_tokens = _lowest(
            self.rate_limit_remaining_tokens, remaining_tokens
        )

    def count_error(self, kind: str, count: int = 1) -> None:
        self.errors_by_kind[kind] = self.errors_by_kind.get(kind, 0) + count

    def merge(self, other: SecondBin) -> None:
        self.ok += other.ok
        self.failed += other.failed
        for kind, count in other.errors_by_kind.items():
            self.count_error(kind, count)
        self.retries += other.retries
        self.output_tokens += other.output_tokens
        self.ttft.merge(other.ttft)
        self.e2e.merge(other.e2e)
        self.offered += other.offered
        self.sent += other.sent
        self.busy_s += other.busy_s
        self.covering += other.covering
        self.observe_headroom(
            other.rate_limit_remaining_requests, other.rate_limit_remaining_tokens
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "failed": self.failed,
            "errors_by_kind": dict(sorted(self.errors_by_kind.items())),
            "retries": self.retries,
            "output_tokens": self.output_tokens,
            "ttft": self.ttft.to_dict(),
            "e2e": self.e2e.to_dict(),
            "offered": self.offered,
            "sent": self.sent,
            "busy_s": self.busy_s,
            "covering": self.covering,
            "rate_limit_remaining_requests": self.rate_limit_remaining_requests,
            "rate_limit_remaining_tokens": self.rate_limit_remaining_tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SecondBin:
        slot = cls(
            ok=int(data["ok"]),
            failed=int(data["failed"]),
            errors_by_kind={str(k): int(v) for k, v in data["errors_by_kind"].items()},
            retries=int(data["retries"]),
            output_tokens=int(data["output_tokens"]),
            ttft=LogHistogram.from_dict(data["ttft"]),
            e2e=LogHistogram.from_dict(data["e2e"]),
            offered=int(data["offered"]),
            sent=int(data["sent"]),
            busy_s=float(data["busy_s"]),
            covering=int(data["covering"]),
        )
        slot.observe_headroom(
            data.get("rate_limit_remaining_requests"), data.get("rate_limit_remaining_tokens")
        )
        return slot


def _lowest(current: int | None, seen: Any) -> int | None:
    """The smaller of two counts; a value that is not a count is ignored."""
    # Records are JSON from disk: a hand-edited or foreign file may hold anything.
    if not isinstance(seen, int) or isinstance(seen, bool):
        return current
    return seen if current is None or seen < current else current


class SecondSeries:
    """Completions per wall-clock second (the second in which an attempt ended)."""

    def __init__(self) -> None:
        self.bins: dict[int, SecondBin] = {}

    def _bin(self, at: float) -> SecondBin:
        second = math.floor(at)
        slot = self.bins.get(second)
        if slot is None:
            slot = self.bins[second] = SecondBin()
        return slot

    def add(self, record: RequestRecord) -> None:
        started, ended = record.started_at, record_values.ended_at(record)
        first_second = math.floor(started)
        # The bins of the start and the end are looked up once each: this runs per record.
        first = self._bin(first_second)
        if record.rate_limit:
            at = record_values.headers_at(record)
            (first if math.floor(at) == first_second else self._bin(at)).observe_headroom(
                record.rate_limit.get("remaining_requests"),
                record.rate_limit.get("remaining_tokens"),
            )
        retry = record_values.is_retry(record)
        slot = self._add_load(record, retry, first, started, ended)
        slot.output_tokens += record_values.output_tokens(record)
        if retry:
            slot.retries += 1
        if record.ok:
            slot.ok += 1
            if record.ttft_s is not None:
                slot.ttft.add(record.ttft_s)
            if record.e2e_s is not None:
                slot.e2e.add(record.e2e_s)
        else:
            slot.failed += 1
            slot.count_error(record_values.error_kind(record))

    def _add_load(
        self, record: RequestRecord, retry: bool, first: SecondBin, started: float, ended: float
    ) -> SecondBin:
        """Offered and sent load and time in flight; returns the bin of the attempt's end."""
        first_second, last_second = math.floor(started), math.floor(ended)
        first.sent += 1
        if not retry:
            due = started - (record.queue_s or 0.0)
            (first if due >= first_second else self._bin(due)).offered += 1
        if first_second == last_second:
            first.busy_s += ended - started
            return first
        first.busy_s += first_second + 1 - started
        last = self._bin(last_second)
        last.busy_s += ended - last_second
        if last_second > first_second + 1:
            # Whole seconds first_second + 1 .. last_second - 1.
            self._bin(first_second + 1).covering += 1
            last.covering -= 1
        return last

    def in_flight(self) -> dict[int, float]:
        """The average number of attempts in flight during each second of the span."""
        span = self.span()
        if span is None:
            return {}
        covering = 0
        averages: dict[int, float] = {}
        for second in range(span[0], span[1] + 1):
            slot = self.bins.get(second)
            if slot is None:
                averages[second] = float(covering)
                continue
            covering += slot.covering
            averages[second] = covering + slot.busy_s
        return averages

    def merge(self, other: SecondSeries) -> None:
        for second, theirs in other.bins.items():
            self.bins.setdefault(second, SecondBin()).merge(theirs)

    def span(self) -> tuple[int, int] | None:
        """First and last second with a completion or headroom, or None when empty."""
        if not self.bins:
            return None
        return min(self.bins), max(self.bins)

    def to_dict(self) -> dict[str, Any]:
        return {str(second): self.bins[second].to_dict() for second in sorted(self.bins)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SecondSeries:
        series = cls()
        series.bins = {int(second): SecondBin.from_dict(row) for second, row in data.items()}
        return series
