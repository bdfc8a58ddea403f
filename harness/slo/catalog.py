"""The metrics an SLO rule may name, where each lives in a summary metrics block, and its unit.

A metric is read from one metrics block (``summary["overall"]`` or a group
such as ``summary["targets"]["openai"]``; see docs/report-schema.md). Values
come back in the metric's unit: seconds for latencies, percent (0..100) for
rates, tokens/s, req/s, or the report currency for cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.metrics.metric_set import LATENCY_HISTOGRAMS

#: Statistics of a latency summary (and of ``output_tps``) a rule may name.
STATS: tuple[str, ...] = ("p50", "p90", "p95", "p99", "p99.9", "min", "max", "mean")
COST_FIGURES: tuple[str, ...] = (
    "total",
    "per_1k_requests",
    "per_million_tokens",
    "per_workflow",
    "per_day",
    "per_month",
)
#: Other spellings of a metric: task-level names read as they are said.
ALIASES: dict[str, str] = {"workflow.e2e": "workflow_e2e", "throughput": "rps"}

Block = dict[str, Any]
Reader = Callable[[Block, "str | None"], "float | None"]


@dataclass(frozen=True)
class MetricSpec:
    """One SLO metric: its unit, the statistics it takes (empty: none) and its reader."""

    name: str
    unit: str
    stats: tuple[str, ...]
    read: Reader
    #: Units a threshold may be written in, besides a plain number when ``plain`` is set.
    units: tuple[str, ...]
    plain: bool
    stat_required: bool = False


def _latency(name: str) -> Reader:
    return lambda block, stat: block["latency"][name][stat or ""]


def _percent(key: str) -> Reader:
    def read(block: Block, _: str | None) -> float | None:
        value = block[key]
        return None if value is None else value * 100.0

    return read


def _output_tps(block: Block, stat: str | None) -> float | None:
    # With a statistic: per-request decode speed; without: the block's output throughput.
    if stat is None:
        value: float | None = block["throughput"]["output_tokens_per_s"]
        return value
    stat_value: float | None = block["output_tps"][stat]
    return stat_value


def _goodput(key: str, scale: float) -> Reader:
    def read(block: Block, _: str | None) -> float | None:
        goodput = block.get("goodput")
        value = None if goodput is None else goodput[key]
        return None if value is None else value * scale

    return read


def _cost(block: Block, stat: str | None) -> float | None:
    value = block["cost"][stat or ""]
    return None if value is None else float(value)


def _catalog() -> dict[str, MetricSpec]:
    time_units = ("ms", "s")
    specs = [
        MetricSpec(name, "s", STATS, _latency(name), time_units, False, stat_required=True)
        for name in LATENCY_HISTOGRAMS
    ]
    specs += [
        MetricSpec("error_rate", "%", (), _percent("error_rate"), ("%",), False),
        MetricSpec("success_rate", "%", (), _percent("success_rate"), ("%",), False),
        MetricSpec("output_tps", "tokens/s", STATS, _output_tps, ("tokens/s",), True),
        MetricSpec(
            "rps",
            "req/s",
            (),
            lambda block, _: block["throughput"]["requests_per_s"],
            ("req/s",),
            True,
        ),
        MetricSpec("goodput", "req/s", (), _goodput("requests_per_s", 1.0), ("req/s",), True),
        MetricSpec("goodput_share", "%", (), _goodput("share", 100.0), ("%",), False),
        MetricSpec(
            "session_goodput",
            "sessions/s",
            (),
            _goodput("sessions_per_s", 1.0),
            ("sessions/s",),
            True,
        ),
        MetricSpec("cost", "", COST_FIGURES, _cost, (), True, stat_required=True),
    ]
    return {spec.name: spec for spec in specs}


METRICS: dict[str, MetricSpec] = _catalog()
#: Metrics a single request can meet or miss on its own: goodput counts requests meeting them.
PER_REQUEST_METRICS: tuple[str, ...] = ("ttft", "itl", "tpot", "e2e")
