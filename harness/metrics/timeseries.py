"""Per-second completion counts and TTFT, keyed by wall-clock second.

Bins are absolute epoch seconds rather than offsets from a run start, so
workers that never agreed on a start time still merge bin by bin.
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
    """What completed during one wall-clock second."""

    ok: int = 0
    failed: int = 0
    output_tokens: int = 0
    ttft: LogHistogram = field(default_factory=LogHistogram)

    def merge(self, other: SecondBin) -> None:
        self.ok += other.ok
        self.failed += other.failed
        self.output_tokens += other.output_tokens
        self.ttft.merge(other.ttft)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "failed": self.failed,
            "output_tokens": self.output_tokens,
            "ttft": self.ttft.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SecondBin:
        return cls(
            ok=int(data["ok"]),
            failed=int(data["failed"]),
            output_tokens=int(data["output_tokens"]),
            ttft=LogHistogram.from_dict(data["ttft"]),
        )


class SecondSeries:
    """Completions per wall-clock second (the second in which an attempt ended)."""

    def __init__(self) -> None:
        self.bins: dict[int, SecondBin] = {}

    def add(self, record: RequestRecord) -> None:
        second = math.floor(record_values.ended_at(record))
        slot = self.bins.get(second)
        if slot is None:
            slot = self.bins[second] = SecondBin()
        slot.output_tokens += record_values.output_tokens(record)
        if record.ok:
            slot.ok += 1
            if record.ttft_s is not None:
                slot.ttft.add(record.ttft_s)
        else:
            slot.failed += 1

    def merge(self, other: SecondSeries) -> None:
        for second, theirs in other.bins.items():
            self.bins.setdefault(second, SecondBin()).merge(theirs)

    def span(self) -> tuple[int, int] | None:
        """First and last second with a completion, or None when empty."""
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
