"""The process exit code a run's summary calls for (README, "Exit codes").

0 every SLO passed; 1 an SLO broke; 2 a run error (bad configuration stops
before any traffic with 2 already; here: every attempt failed with a
connection error, i.e. the target was unreachable); 3 the load generator was
saturated and ``--saturation-fatal`` was given. A run error outranks a
saturated generator, which outranks the SLO verdict: neither leaves results
worth judging.
"""

from __future__ import annotations

from typing import Any

PASSED = 0
SLO_BROKEN = 1
RUN_ERROR = 2
GENERATOR_SATURATED = 3


def unreachable(summary: dict[str, Any]) -> bool:
    """Every attempt failed with a connection error (at least one attempt)."""
    overall = summary["overall"]
    requests = overall["requests"]
    return bool(requests) and overall["errors_by_kind"].get("connection", 0) == requests


def exit_code_for(summary: dict[str, Any], saturation_fatal: bool = False) -> int | None:
    """The code, or None to leave Locust's own (1 when any request failed) without SLOs."""
    if unreachable(summary):
        return RUN_ERROR
    generator = summary["run"].get("generator") or {}
    if saturation_fatal and generator.get("saturated"):
        return GENERATOR_SATURATED
    slo = summary.get("slo")
    if slo is None:
        return None
    return PASSED if slo["verdict"] == "pass" else SLO_BROKEN
