"""timeseries.csv and targets.csv: the per-second series and the per-target table as CSV.

Units as in summary.json (seconds, counts), named in the column headers, so
a spreadsheet or pandas reads them without a legend. Empty cells are "no
data" (``null`` in summary.json), never zero.
"""

from __future__ import annotations

import csv
import io
from typing import Any

TIMESERIES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("t_s", "t"),
    ("at_epoch_s", "at"),
    ("offered", "offered"),
    ("sent", "sent"),
    ("ok", "ok"),
    ("failed", "failed"),
    ("retries", "retries"),
    ("in_flight", "in_flight"),
    ("output_tokens", "output_tokens"),
    ("ttft_p50_s", "ttft_p50"),
    ("ttft_p95_s", "ttft_p95"),
    ("e2e_p50_s", "e2e_p50"),
    ("e2e_p95_s", "e2e_p95"),
    ("rate_limit_remaining_requests", "rate_limit_remaining_requests"),
    ("rate_limit_remaining_tokens", "rate_limit_remaining_tokens"),
)
TARGET_LATENCIES: tuple[str, ...] = ("ttft", "itl", "tpot", "e2e")
TARGET_QUANTILES: tuple[str, ...] = ("p50", "p95", "p99")


def timeseries_csv(rows: list[dict[str, Any]]) -> str:
    """One line per second; a ``failed_<kind>`` column per error kind the run saw."""
    kinds = sorted({kind for row in rows for kind in row["errors_by_kind"]})
    header = [name for name, _ in TIMESERIES_COLUMNS] + [f"failed_{kind}" for kind in kinds]
    lines = [
        [row[key] for _, key in TIMESERIES_COLUMNS]
        + [row["errors_by_kind"].get(kind, 0) for kind in kinds]
        for row in rows
    ]
    return _csv(header, lines)


def targets_csv(summary: dict[str, Any]) -> str:
    """One line per target, then ``overall``: counts, rates, latency quantiles, cost."""
    latency_columns = [f"{m}_{q}_s" for m in TARGET_LATENCIES for q in TARGET_QUANTILES]
    header = [
        "target", "requests", "ok", "failed", "error_rate", "requests_per_s",
        "output_tokens_per_s", "input_tokens", "output_tokens", *latency_columns,
        "cost_total", "currency",
    ]  # fmt: skip
    blocks = [*sorted(summary["targets"].items()), ("overall", summary["overall"])]
    lines = [
        [
            name,
            block["requests"],
            block["ok"],
            block["failed"],
            block["error_rate"],
            block["throughput"]["requests_per_s"],
            block["throughput"]["output_tokens_per_s"],
            block["tokens"]["input"],
            block["tokens"]["output"],
            *(block["latency"][m][q] for m in TARGET_LATENCIES for q in TARGET_QUANTILES),
            block["cost"]["total"],
            block["cost"]["currency"],
        ]
        for name, block in blocks
    ]
    return _csv(header, lines)


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return out.getvalue()
