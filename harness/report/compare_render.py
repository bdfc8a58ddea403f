"""compare.md and compare.html: a comparison of runs side by side, with its verdict."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from harness.report.compare import HIGHER_IS_BETTER, Delta, RunComparison
from harness.report.formatting import (
    MISSING,
    format_count,
    format_epoch,
    format_ms,
    format_percent,
    format_rate,
)
from harness.report.html_report import template_environment
from harness.report.markdown import cell, table
from harness.report.svg_distribution import distribution_chart

TEMPLATE = "compare.html.j2"
RATES = frozenset({"error_rate", "success_rate"})
#: Distributions drawn for each run, side by side.
CHARTED: tuple[tuple[str, str], ...] = (("ttft", "TTFT"), ("e2e", "E2E"))


def verdict_line(comparisons: list[RunComparison]) -> str:
    regressed = [c.new.label for c in comparisons if c.regressed]
    if regressed:
        return f"REGRESSION in {', '.join(regressed)} against {comparisons[0].base.label}"
    return f"no regression against {comparisons[0].base.label}"


def format_metric(metric: str, value: float | None) -> str:
    if value is None:
        return MISSING
    if metric in RATES:
        return format_percent(value)
    if metric.endswith("_per_s"):
        return format_rate(value)
    if metric.startswith("cost."):
        return f"{value:.4g}"
    return f"{format_ms(value)} ms"


def format_change(delta: Delta) -> str:
    change = delta.change
    if change is None:
        return MISSING
    if delta.metric in RATES:
        return f"{change * 100:+.2f}pp"
    relative = delta.relative
    return MISSING if relative is None else f"{relative * 100:+.1f}%"


def rows(comparisons: list[RunComparison]) -> list[dict[str, Any]]:
    """One row per metric: the base value, then each new run's value, change and verdict."""
    first = comparisons[0]
    return [
        {
            "metric": delta.metric,
            "better": "higher" if delta.metric in HIGHER_IS_BETTER else "lower",
            "tolerance": delta.tolerance.text,
            "base": format_metric(delta.metric, delta.base),
            "runs": [
                {
                    "value": format_metric(delta.metric, other.deltas[index].new),
                    "change": format_change(other.deltas[index]),
                    "regressed": other.deltas[index].regressed,
                }
                for other in comparisons
            ],
        }
        for index, delta in enumerate(first.deltas)
    ]


def compare_markdown(comparisons: list[RunComparison]) -> str:
    header = ["metric", "tolerance", f"base: {cell(comparisons[0].base.label)}"]
    for comparison in comparisons:
        header += [cell(comparison.new.label), "change"]
    body = [
        [row["metric"], row["tolerance"], row["base"]]
        + [part for run in row["runs"] for part in _marked(run)]
        for row in rows(comparisons)
    ]
    regressed = any(c.regressed for c in comparisons)
    mark = "❌" if regressed else "✅"
    return "\n".join(
        [
            f"## Run comparison: {mark} {verdict_line(comparisons)}",
            "",
            *table(header, body, left=(0, 1)),
            "",
            "Latency in ms from the runs' merged histograms; a change beyond its tolerance, "
            "in the worse direction, is a regression (**bold**).",
            "",
        ]
    )


def _marked(run: dict[str, Any]) -> list[str]:
    if run["regressed"]:
        return [f"**{run['value']}**", f"**{run['change']}**"]
    return [run["value"], run["change"]]


def compare_html(comparisons: list[RunComparison]) -> str:
    runs = [comparisons[0].base, *(c.new for c in comparisons)]
    template = template_environment().get_template(TEMPLATE)
    return template.render(
        verdict=verdict_line(comparisons),
        regressed=any(c.regressed for c in comparisons),
        runs=[_about(run.label, run.summary) for run in runs],
        rows=rows(comparisons),
        charts=[
            (
                label,
                [
                    Markup(
                        distribution_chart(
                            run.summary["histograms"][key], title=f"{label}: {run.label}"
                        )
                    )
                    for run in runs
                ],
            )
            for key, label in CHARTED
            if all(key in run.summary.get("histograms", {}) for run in runs)
        ],
    )


def _about(label: str, summary: dict[str, Any]) -> dict[str, str]:
    run, overall = summary["run"], summary["overall"]
    return {
        "label": label,
        "started": format_epoch(run.get("started_at")),
        "duration": f"{run.get('duration_s', 0.0):.1f} s",
        "requests": format_count(overall["requests"]),
        "targets": ", ".join(sorted(summary.get("targets", {}))) or MISSING,
    }
