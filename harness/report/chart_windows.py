"""chart_rows: the per-second series thinned to at most a few thousand points for drawing.

A soak test of a day has 86,400 rows; drawn as they are, every line chart
would carry 86,400 points, megabytes that no screen can show. Longer series
are cut into windows of whole seconds: counts and latencies become the mean
of the window's seconds (still per second), rate-limit headroom its lowest
value, as the per-second rows already are. summary.json and timeseries.csv
keep every second.
"""

from __future__ import annotations

import math
from typing import Any

#: Most points a chart draws; each is at least a pixel on a laptop screen.
MAX_POINTS = 1_200
#: Row keys that keep the lowest value of a window rather than the mean.
LOWEST_KEYS = frozenset({"rate_limit_remaining_requests", "rate_limit_remaining_tokens"})
#: Row keys that are labels, not measurements.
LABEL_KEYS = frozenset({"t", "at"})


def chart_rows(
    rows: list[dict[str, Any]], limit: int = MAX_POINTS
) -> tuple[list[dict[str, Any]], int]:
    """``rows`` in windows of ``window_s`` seconds, and ``window_s`` (1: as they were)."""
    if len(rows) <= limit:
        return rows, 1
    window_s = math.ceil(len(rows) / limit)
    return [_window(rows[i : i + window_s]) for i in range(0, len(rows), window_s)], window_s


def _window(rows: list[dict[str, Any]]) -> dict[str, Any]:
    first = rows[0]
    merged: dict[str, Any] = {key: first[key] for key in LABEL_KEYS}
    kinds = {kind for row in rows for kind in row["errors_by_kind"]}
    merged["errors_by_kind"] = {
        kind: sum(row["errors_by_kind"].get(kind, 0) for row in rows) / len(rows) for kind in kinds
    }
    for key in first:
        if key in LABEL_KEYS or key == "errors_by_kind":
            continue
        known = [row[key] for row in rows if row[key] is not None]
        if not known:
            merged[key] = None
        elif key in LOWEST_KEYS:
            merged[key] = min(known)
        elif _is_latency(key):
            # Seconds without a completion have no latency: they do not count as zero.
            merged[key] = sum(known) / len(known)
        else:
            merged[key] = sum(known) / len(rows)
    return merged


def _is_latency(key: str) -> bool:
    return key.endswith(("_p50", "_p95", "_p99"))
