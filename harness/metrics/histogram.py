"""A mergeable log-bucket histogram with bounded relative error.

Values fall into geometric buckets of ratio ``gamma = (1 + a) / (1 - a)``;
reporting a bucket's midpoint ``2 * gamma**i / (gamma + 1)`` is within ``a``
of every value in it (the DDSketch construction). Buckets are sparse integer
keys, so two histograms merge by adding counts, exactly, whatever machine
built them, and memory depends on the spread of values, not their number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

RELATIVE_ACCURACY = 0.01
_GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(_GAMMA)
#: Values below this (1 ns) share one bucket; latency never resolves finer.
MIN_VALUE = 1e-9
_ZERO_INDEX = math.floor(math.log(MIN_VALUE) / _LOG_GAMMA)
_floor, _log = math.floor, math.log

QUANTILES: tuple[tuple[str, float], ...] = (
    ("p50", 0.50),
    ("p90", 0.90),
    ("p95", 0.95),
    ("p99", 0.99),
    ("p99.9", 0.999),
)


def bucket_index(value: float) -> int:
    if value <= MIN_VALUE:
        return _ZERO_INDEX
    return math.floor(math.log(value) / _LOG_GAMMA)


def bucket_counts(values: Sequence[float]) -> dict[int, int]:
    """How many of ``values`` fall into each bucket: ``bucket_index`` of each, counted.

    Exact zeros are counted at once, in C: the gaps between stream chunks that
    came in one ``recv`` are all 0.0, and a saturated generator reads many at once.
    """
    counts: dict[int, int] = {}
    nonzero = list(filter(None, values))
    if len(nonzero) < len(values):
        counts[_ZERO_INDEX] = len(values) - len(nonzero)
    for value in nonzero:
        index = _floor(_log(value) / _LOG_GAMMA) if value > MIN_VALUE else _ZERO_INDEX
        counts[index] = counts.get(index, 0) + 1
    return counts


def bucket_value(index: int) -> float:
    if index <= _ZERO_INDEX:
        return 0.0
    # Bucket i holds [gamma**i, gamma**(i+1)); this point is within the accuracy of both ends.
    return 2.0 * _GAMMA ** (index + 1) / (_GAMMA + 1.0)


class LogHistogram:
    """Counts of non-negative values (seconds, tokens/s, ...) in log buckets."""

    __slots__ = ("buckets", "count", "max", "min", "sum")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.sum = 0.0
        self.min = math.inf
        self.max = -math.inf

    def add(self, value: float, count: int = 1) -> None:
        # bucket_index() inlined: this runs several times per record.
        index = _floor(_log(value) / _LOG_GAMMA) if value > MIN_VALUE else _ZERO_INDEX
        self.buckets[index] = self.buckets.get(index, 0) + count
        self.count += count
        self.sum += value * count
        if value < self.min:
            self.min = value
        if value > self.max:
            self.max = value

    def add_all(self, values: Iterable[float]) -> None:
        for value in values:
            self.add(value)

    def add_buckets(self, buckets: dict[int, int], total: float, low: float, high: float) -> None:
        """Fold in counts already bucketed elsewhere (a record's ITL gaps)."""
        # Runs once per streamed record: the dict and the count stay in locals.
        mine = self.buckets
        get = mine.get
        added = 0
        for index, count in buckets.items():
            mine[index] = get(index, 0) + count
            added += count
        self.count += added
        self.sum += total
        if low < self.min:
            self.min = low
        if high > self.max:
            self.max = high

    def merge(self, other: LogHistogram) -> None:
        if other.count:
            self.add_buckets(other.buckets, other.sum, other.min, other.max)

    def quantile(self, q: float) -> float | None:
        """The value at quantile ``q`` in [0, 1], within the relative accuracy."""
        if not self.count:
            return None
        if q <= 0:
            return self.min
        if q >= 1:
            return self.max
        rank = q * (self.count - 1)
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen > rank:
                # Clamping keeps a lone extreme value exact at the edges.
                return min(max(bucket_value(index), self.min), self.max)
        return self.max

    @property
    def mean(self) -> float | None:
        return self.sum / self.count if self.count else None

    def summary(self) -> dict[str, float | int | None]:
        """count, mean, p50 .. p99.9 and max: the shape every report shows."""
        out: dict[str, float | int | None] = {"count": self.count, "mean": self.mean}
        for name, q in QUANTILES:
            out[name] = self.quantile(q)
        out["min"] = self.min if self.count else None
        out["max"] = self.max if self.count else None
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "buckets": {str(k): v for k, v in sorted(self.buckets.items())},
            "count": self.count,
            "sum": self.sum,
            "min": self.min if self.count else None,
            "max": self.max if self.count else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogHistogram:
        hist = cls()
        if data["count"]:
            hist.add_buckets(
                {int(k): int(v) for k, v in data["buckets"].items()},
                float(data["sum"]),
                float(data["min"]),
                float(data["max"]),
            )
        return hist
