"""compare_runs: deltas between a base run and newer runs, and a regression verdict.

Each metric has a direction (lower or higher is better) and a tolerance:
relative (``10%`` of the base value) or absolute (``0.5pp`` for rates,
``20ms`` for times). A new run regresses when a metric moved the wrong way
by more than its tolerance. Latency quantiles of TTFT, ITL, TPOT and E2E are
computed from the raw mergeable histograms summary.json ships, so any
quantile can be compared (``ttft.p75``), not only the ones the summary lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessConfigError
from harness.metrics.histogram import LogHistogram
from harness.report.summary import RAW_HISTOGRAMS

if TYPE_CHECKING:
    from harness.report.compare_inputs import LoadedRun

#: metric -> tolerance, the defaults: wide enough for run-to-run noise of a
#: healthy endpoint, tight enough to catch a real slowdown.
DEFAULT_TOLERANCES: dict[str, str] = {
    "ttft.p50": "10%",
    "ttft.p95": "15%",
    "itl.p50": "15%",
    "tpot.p50": "15%",
    "e2e.p50": "10%",
    "e2e.p95": "15%",
    "error_rate": "1pp",
    "output_tokens_per_s": "10%",
    "cost.per_1k_requests": "10%",
}
HIGHER_IS_BETTER = frozenset({"output_tokens_per_s", "requests_per_s", "success_rate"})
_TOLERANCE = re.compile(r"^(?P<value>\d+(\.\d+)?)(?P<unit>%|pp|ms|s)?$")
_QUANTILE = re.compile(r"^p(\d+(\.\d+)?)$")


@dataclass(frozen=True)
class Tolerance:
    metric: str
    text: str
    value: float
    relative: bool

    def exceeded(self, base: float, worse_by: float) -> bool:
        allowed = abs(base) * self.value if self.relative else self.value
        return worse_by > allowed + 1e-12


def parse_tolerances(specs: list[str]) -> list[Tolerance]:
    """The defaults, overridden or extended by ``METRIC=LIMIT`` specs (``ttft.p95=10%``)."""
    merged = dict(DEFAULT_TOLERANCES)
    for spec in specs:
        metric, sep, limit = spec.partition("=")
        if not sep or not metric.strip():
            raise HarnessConfigError(
                f"--tolerance {spec}: expected METRIC=LIMIT, e.g. ttft.p95=10%"
            )
        merged[metric.strip()] = limit.strip()
    return [_tolerance(metric, text) for metric, text in merged.items()]


def _tolerance(metric: str, text: str) -> Tolerance:
    match = _TOLERANCE.match(text)
    if match is None:
        raise HarnessConfigError(
            f"--tolerance {metric}={text}: expected a limit like 10% (relative), "
            "0.5pp (percentage points), 20ms or 0.02s (time) or a plain number"
        )
    value, unit = float(match["value"]), match["unit"]
    scaled = {"%": value / 100, "pp": value / 100, "ms": value / 1000}.get(unit or "", value)
    return Tolerance(metric, text, scaled, relative=unit == "%")


@dataclass(frozen=True)
class Delta:
    metric: str
    base: float | None
    new: float | None
    tolerance: Tolerance
    regressed: bool

    @property
    def change(self) -> float | None:
        """new - base; None when either is missing."""
        return None if self.base is None or self.new is None else self.new - self.base

    @property
    def relative(self) -> float | None:
        change = self.change
        return None if change is None or not self.base else change / abs(self.base)


@dataclass(frozen=True)
class RunComparison:
    base: LoadedRun
    new: LoadedRun
    deltas: list[Delta]

    @property
    def regressed(self) -> bool:
        return any(delta.regressed for delta in self.deltas)


def compare_runs(runs: list[LoadedRun], tolerances: list[Tolerance]) -> list[RunComparison]:
    """Each run after the first against the first."""
    base = runs[0]
    for tolerance in tolerances:
        metric_value(base.summary, tolerance.metric)  # an unknown metric fails here, once
    return [
        RunComparison(base, new, [_delta(base.summary, new.summary, t) for t in tolerances])
        for new in runs[1:]
    ]


def _delta(base: dict[str, Any], new: dict[str, Any], tolerance: Tolerance) -> Delta:
    before, after = metric_value(base, tolerance.metric), metric_value(new, tolerance.metric)
    regressed = False
    if before is not None and after is not None:
        worse_by = before - after if tolerance.metric in HIGHER_IS_BETTER else after - before
        regressed = tolerance.exceeded(before, worse_by)
    return Delta(tolerance.metric, before, after, tolerance, regressed)


def metric_value(summary: dict[str, Any], metric: str) -> float | None:
    """A metric of the overall block by name; None when the run has no data for it."""
    overall = summary["overall"]
    name, _, part = metric.partition(".")
    if name in ("error_rate", "success_rate") and not part:
        return _number(overall[name])
    if name in ("output_tokens_per_s", "requests_per_s") and not part:
        return _number(overall["throughput"][name])
    if name == "cost" and part in overall["cost"] and part != "currency":
        value = overall["cost"][part]
        return None if value is None else float(Decimal(value))
    quantile = _QUANTILE.match(part)
    histograms = summary.get("histograms", {})
    if name in RAW_HISTOGRAMS and name in histograms and quantile is not None:
        return LogHistogram.from_dict(histograms[name]).quantile(float(quantile[1]) / 100)
    latency = overall["latency"].get(name)
    if latency is not None and part in latency:
        return _number(latency[part])
    raise HarnessConfigError(
        f"--tolerance {metric}: unknown metric; use a latency quantile such as ttft.p95 "
        "or e2e.p99, error_rate, success_rate, output_tokens_per_s, requests_per_s "
        "or cost.per_1k_requests"
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
