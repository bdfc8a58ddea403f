"""Warm-up and cool-down: attempts recorded but kept out of the metrics and SLOs.

An attempt's phase follows its start: before ``started_at + warmup_s`` it is
``warmup``; with a cool-down, from ``planned_end - cooldown_s`` on (past the
planned end too) it is ``cooldown``; else ``measured``. Records keep their
phase in records.jsonl and RunAggregate leaves out all but measured ones, so
``harness report`` rebuilds the same numbers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from harness.metrics.aggregate import MEASURED, RunAggregate
from harness.report.run_info import RunInfo
from harness.slo.parse import parse_rules
from harness.slo.per_request import RequestCheck, request_check

_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(ms|s|m|h)?\s*$")
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str) -> float:
    """``10s``, ``500ms``, ``2m``, ``1h`` or plain seconds; ValueError otherwise."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"expected a duration like 10s, 500ms or 2m, got {text!r}")
    return float(match[1]) * _SECONDS[match[2]]


@dataclass(frozen=True)
class PhaseClock:
    started_at: float
    warmup_s: float = 0.0
    cooldown_s: float = 0.0
    #: Epoch time the run is due to end; the cool-down needs it.
    planned_end: float | None = None

    def phase_of(self, started_at: float) -> str:
        if started_at < self.started_at + self.warmup_s:
            return "warmup"
        if (
            self.cooldown_s > 0
            and self.planned_end is not None
            and started_at >= self.planned_end - self.cooldown_s
        ):
            return "cooldown"
        return MEASURED


def judge_for(rules: Sequence[str]) -> RequestCheck | None:
    """The per-request check of ``rules`` (already validated); None without rules."""
    return request_check(parse_rules(rules, "slo")) if rules else None


def with_measurement(run: RunInfo, aggregate: RunAggregate, slo: Sequence[str]) -> RunInfo:
    """``run`` with its SLO rules, the attempts left out by phase and the measured window.

    When attempts were left out, the window is the measured attempts' own span
    (first start to last end), which the records alone reproduce.
    """
    window = run.measured_window
    overall = aggregate.overall
    if aggregate.excluded and window is None and overall.first_started_at is not None:
        assert overall.last_ended_at is not None
        window = (overall.first_started_at, overall.last_ended_at)
    excluded = dict(sorted(aggregate.excluded.items()))
    return dataclasses.replace(run, slo=list(slo), excluded=excluded, measured_window=window)
