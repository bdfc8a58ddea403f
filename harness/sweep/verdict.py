"""When a sweep stops, and the capacity it found."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.slo.parse import SloRule
from harness.sweep.slo_check import describe


def stop_reason(stages: Sequence[dict[str, Any]], min_gain: float) -> str | None:
    """Why the sweep ends after its last stage so far; None to go on."""
    last = stages[-1]
    if not last["slo_passed"]:
        broken = [r["rule"] for r in last["slo"] if not r["passed"]] or ["no measured requests"]
        return f"SLO broken at {last['stage']}: {', '.join(broken)}"
    if len(stages) >= 2:
        before = stages[-2]["achieved_rps"]
        if before > 0 and last["achieved_rps"] < before * (1 + min_gain):
            return (
                f"throughput stopped growing at {last['stage']}: "
                f"{last['achieved_rps']:.2f} req/s against {before:.2f} "
                f"(< {min_gain * 100:g} % gain)"
            )
    return None


def capacity(stages: Sequence[dict[str, Any]], rules: Sequence[SloRule]) -> dict[str, Any]:
    """The highest achieved throughput of a stage meeting every SLO, and its cost per 1k."""
    passing = [stage for stage in stages if stage["slo_passed"]]
    if not passing:
        return {
            "rps": None,
            "offered_rps": None,
            "users": None,
            "stage": None,
            "statement": "no stage met the SLOs: the capacity is below the first stage's load",
            "cost_per_1k_requests": None,
            "currency": None,
        }
    best = max(passing, key=lambda stage: stage["achieved_rps"])
    conditions = " and ".join(describe(rule) for rule in rules)
    statement = f"max {best['achieved_rps']:.1f} req/s"
    if best["users"] is not None:
        statement += f" (at {best['stage']})"
    statement += f" with {conditions}" if conditions else " (no SLO given: highest throughput)"
    return {
        "rps": best["achieved_rps"],
        "offered_rps": best["offered_rps"],
        "users": best["users"],
        "stage": best["stage"],
        "statement": statement,
        "cost_per_1k_requests": best["cost_per_1k"],
        "currency": best["currency"],
    }
