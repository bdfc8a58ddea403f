"""The SLO verdict table and the generator and phase notes of the console summary."""

from __future__ import annotations

from typing import Any

from harness.slo.exit_codes import unreachable
from harness.slo.junit import format_value


def verdict_lines(summary: dict[str, Any]) -> list[str]:
    """Nothing when there is nothing to say: no SLOs, a healthy generator, no phases."""
    run = summary["run"]
    lines: list[str] = []
    excluded = run.get("excluded") or {}
    if excluded:
        parts = ", ".join(f"{count} {phase}" for phase, count in excluded.items())
        lines += ["", f"excluded from the metrics: {parts} attempts"]
    generator = run.get("generator") or {}
    if generator.get("saturated"):
        lines += [
            "",
            f"WARNING: load generator saturated ({generator['reason']}): "
            "latencies are not trustworthy",
        ]
    if unreachable(summary):
        lines += [
            "",
            "RUN ERROR: every attempt failed with a connection error (target unreachable?)",
        ]
    slo = summary.get("slo")
    if slo is not None:
        lines += ["", *_slo_table(slo)]
    return lines


def _slo_table(slo: dict[str, Any]) -> list[str]:
    header = ["SLO", "scope", "measured", "threshold", "verdict"]
    rows = [
        [
            result["rule"],
            result["scope"],
            format_value(result["measured"], result["unit"]),
            f"{result['op']} {format_value(result['threshold'], result['unit'])}",
            "pass" if result["passed"] else "FAIL",
        ]
        for result in slo["results"]
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    failed = sum(1 for result in slo["results"] if not result["passed"])
    verdict = "PASSED" if slo["verdict"] == "pass" else f"FAILED ({failed} broken)"
    return [*lines, f"SLO verdict: {verdict}"]
