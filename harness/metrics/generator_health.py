"""Load-generator health: is the harness itself the bottleneck?

Sampled once a second through the run (harness.locust.run_guards): the
event loop's lag (how late a 100 ms sleep wakes up) and the process's CPU
use. A gevent generator is one thread on one core: near 100 % CPU, or a loop
that wakes up late, delays timestamps and sends, so its latencies are not
trustworthy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Saturated when lag p99 passes this ...
LAG_P99_LIMIT_MS = 100.0
#: ... or CPU is at least CPU_LIMIT_PCT in at least CPU_SHARE of the samples.
CPU_LIMIT_PCT = 90.0
CPU_SHARE = 0.5
#: Fewer samples than this say nothing (a run of a second or two).
MIN_SAMPLES = 3


@dataclass
class GeneratorHealth:
    lags_ms: list[float] = field(default_factory=list)
    cpu_percent: list[float] = field(default_factory=list)

    def add(self, lag_ms: float, cpu_percent: float) -> None:
        self.lags_ms.append(lag_ms)
        self.cpu_percent.append(cpu_percent)

    def report(self) -> dict[str, Any]:
        """``summary["run"]["generator"]``: lag and CPU figures and the verdict."""
        lags = sorted(self.lags_ms)
        cpu = self.cpu_percent
        reason = self.saturation_reason()
        return {
            "samples": len(lags),
            "loop_lag_ms": {
                "p50": _rank(lags, 0.50),
                "p99": _rank(lags, 0.99),
                "max": lags[-1] if lags else None,
            },
            "cpu_percent": {
                "mean": sum(cpu) / len(cpu) if cpu else None,
                "max": max(cpu) if cpu else None,
            },
            "saturated": reason is not None,
            "reason": reason,
        }

    def saturation_reason(self) -> str | None:
        if len(self.lags_ms) < MIN_SAMPLES:
            return None
        lag_p99 = _rank(sorted(self.lags_ms), 0.99)
        assert lag_p99 is not None
        if lag_p99 > LAG_P99_LIMIT_MS:
            return f"event-loop lag p99 {lag_p99:.0f} ms > {LAG_P99_LIMIT_MS:g} ms"
        busy = sum(1 for pct in self.cpu_percent if pct >= CPU_LIMIT_PCT)
        if busy >= CPU_SHARE * len(self.cpu_percent):
            return (
                f"CPU at or above {CPU_LIMIT_PCT:g}% in {busy} of "
                f"{len(self.cpu_percent)} one-second samples"
            )
        return None


def _rank(ordered: list[float], q: float) -> float | None:
    """The sample at rank ``q * (n - 1)``, as the summary's percentiles."""
    if not ordered:
        return None
    return ordered[round(q * (len(ordered) - 1))]
