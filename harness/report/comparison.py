"""The side-by-side table of a multi-target run, fastest first token first."""

from __future__ import annotations

import math
from typing import Any


def _ttft_p50(row: dict[str, Any]) -> float:
    value = row["ttft_p50"]
    return math.inf if value is None else float(value)


def comparison_rows(
    targets: dict[str, dict[str, Any]], described: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per target, ordered by TTFT p50; empty for runs with fewer than two targets.

    ``targets`` are the summary's per-target metrics blocks and ``described``
    the run's ``Target.describe()`` dicts (for provider and model).
    """
    if len(targets) < 2:
        return []
    about = {target["name"]: target for target in described}
    rows = []
    for name, block in targets.items():
        latency = block["latency"]
        rows.append(
            {
                "target": name,
                "provider": about.get(name, {}).get("provider"),
                "model": about.get(name, {}).get("model"),
                "requests": block["requests"],
                "error_rate": block["error_rate"],
                "errors_by_kind": block["errors_by_kind"],
                "ttft_p50": latency["ttft"]["p50"],
                "ttft_p95": latency["ttft"]["p95"],
                "itl_p50": latency["itl"]["p50"],
                "tpot_p50": latency["tpot"]["p50"],
                "e2e_p50": latency["e2e"]["p50"],
                "e2e_p95": latency["e2e"]["p95"],
                "output_tokens_per_s": block["throughput"]["output_tokens_per_s"],
                "requests_per_s": block["throughput"]["requests_per_s"],
                **_cost_columns(block["cost"]),
            }
        )
    rows.sort(key=lambda row: (_ttft_p50(row), row["target"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def _cost_columns(cost: dict[str, Any]) -> dict[str, Any]:
    """The target's cost and its projection; ``None`` where unknown, never 0."""
    return {
        "currency": cost["currency"],
        "cost_total": cost["total"],
        "cost_per_1k_requests": cost["per_1k_requests"],
        "cost_per_day": cost["per_day"],
        "cost_per_month": cost["per_month"],
        "cost_unpriced_records": cost["unpriced_records"],
    }
