"""render_html: summary.json as one self-contained HTML page (Jinja2, autoescaped)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib.resources import files
from typing import Any

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from harness.contracts import ReportSection
from harness.metrics.cost_sums import COST_PARTS
from harness.report import formatting
from harness.report.chart_windows import chart_rows
from harness.report.costs import has_cost_data, pricing_line, unpriced_models
from harness.report.summary import has_fallback_activity, has_retry_activity
from harness.report.svg_distribution import distribution_chart
from harness.report.time_charts import errors_by_kind_chart, headroom_charts, timeseries_charts
from harness.slo.junit import format_value

TEMPLATE = "report.html.j2"
LATENCY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ttft", "TTFT"),
    ("itl", "ITL"),
    ("tpot", "TPOT"),
    ("e2e", "E2E"),
)
LATENCY_QUANTILES: tuple[str, ...] = ("p50", "p90", "p95", "p99", "max")
#: Latency summaries of the Retries table: with retries against without, then the waits.
RETRY_LATENCIES: tuple[tuple[str, str], ...] = (
    ("logical_e2e", "logical E2E"),
    ("first_attempt_e2e", "first-attempt E2E"),
    ("retry_delay", "retry delay"),
    ("limiter_wait", "limiter wait"),
)
RETRY_QUANTILES: tuple[str, ...] = ("p50", "p95")
#: Latency summaries of the fallbacks table: requests that fell back against all of them.
FALLBACK_LATENCIES: tuple[tuple[str, str], ...] = (
    ("fallback_logical_e2e", "fallen-back logical E2E"),
    ("logical_e2e", "all logical E2E"),
)
#: Raw overall histograms drawn as distributions, with their labels.
DISTRIBUTIONS: tuple[tuple[str, str], ...] = (
    ("ttft", "TTFT"),
    ("itl", "ITL"),
    ("tpot", "TPOT"),
    ("e2e", "E2E"),
)
#: Groupings with a breakdown table of their own (targets have every other table).
BREAKDOWN_GROUPINGS: tuple[tuple[str, str], ...] = (
    ("models", "model"),
    ("roles", "role"),
    ("workflows", "workflow"),
)
#: Groupings with rows in the Cost table (before the overall row), with their row labels.
COST_GROUPINGS: tuple[tuple[str, str], ...] = (
    ("targets", "target"),
    ("models", "model"),
    ("roles", "role"),
    ("workflows", "workflow"),
)


@functools.lru_cache(maxsize=1)
def template_environment() -> Environment:
    """The Jinja2 environment over the ``harness_templates`` package directory."""
    environment = Environment(
        loader=FileSystemLoader(str(files("harness_templates"))),
        autoescape=True,
        # A misspelt key in a template should fail the render, not print nothing.
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.tests["off_estimate"] = formatting.usage_diff_stands_out
    environment.filters.update(
        ms=formatting.format_ms,
        ratio=formatting.format_ratio,
        rate=formatting.format_rate,
        count=formatting.format_count,
        counts=formatting.format_counts,
        percent=formatting.format_percent,
        money=formatting.format_money,
        cost=formatting.format_cost,
        signed_percent=formatting.format_signed_percent,
        epoch=formatting.format_epoch,
        json=lambda value: orjson.dumps(value).decode(),
        # Plugin report sections are trusted markup, like any other plugin code.
        trusted=Markup,
        slo_value=format_value,
    )
    return environment


def render_html(summary: dict[str, Any], sections: Sequence[ReportSection] = ()) -> str:
    template = template_environment().get_template(TEMPLATE)
    drawn_rows, window_s = chart_rows(summary["timeseries"])
    return template.render(
        summary=summary,
        sections=sections,
        run=summary["run"],
        overall=summary["overall"],
        blocks=[
            *(("target", name, block) for name, block in sorted(summary["targets"].items())),
            ("overall", "overall", summary["overall"]),
        ],
        latency_columns=LATENCY_COLUMNS,
        latency_quantiles=LATENCY_QUANTILES,
        retries_shown=has_retry_activity(summary["overall"]),
        retry_latencies=RETRY_LATENCIES,
        retry_quantiles=RETRY_QUANTILES,
        fallbacks_shown=has_fallback_activity(summary["overall"]),
        fallback_latencies=FALLBACK_LATENCIES,
        charts=timeseries_charts(drawn_rows),
        chart_window_s=window_s,
        distributions=distribution_charts(summary["histograms"]),
        breakdowns=[
            (grouping, label, summary[grouping])
            for grouping, label in BREAKDOWN_GROUPINGS
            if summary.get(grouping)
        ],
        error_samples=error_sample_rows(summary),
        errors_chart=errors_by_kind_chart(drawn_rows),
        headroom_charts=headroom_charts(drawn_rows),
        usage_diff_tolerance_pct=formatting.USAGE_DIFF_TOLERANCE_PCT,
        cost_shown=has_cost_data(summary["overall"]),
        cost_rows=cost_rows(summary),
        cost_parts=COST_PARTS,
        pricing_line=pricing_line(
            summary["run"]["pricing"], summary["overall"]["cost"]["currency"]
        ),
        report_currency=report_currency(summary),
        unpriced_models=unpriced_models(summary),
    )


def cost_rows(summary: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(scope, name, metrics block) of the Cost table rows: by target, model, role, workflow.

    Targets always have rows, like in every other table. Another grouping
    has rows only when they say something the overall row does not: never
    when it is empty (no role tags, say) or one group holds every attempt.
    """
    overall = summary["overall"]
    rows = []
    for grouping, scope in COST_GROUPINGS:
        groups = summary[grouping]
        if grouping != "targets" and _repeats_overall(groups, overall):
            continue
        rows += [(scope, name, block) for name, block in sorted(groups.items())]
    rows.append(("overall", "overall", overall))
    return rows


def _repeats_overall(groups: dict[str, dict[str, Any]], overall: dict[str, Any]) -> bool:
    return not groups or (
        len(groups) == 1 and next(iter(groups.values()))["requests"] == overall["requests"]
    )


def report_currency(summary: dict[str, Any]) -> str:
    """The currency to label cost columns with: the run's report currency, else the records'."""
    pricing = summary["run"]["pricing"]
    if pricing is not None:
        return str(pricing["currency"])
    return summary["overall"]["cost"]["currency"] or ""


def distribution_charts(histograms: dict[str, Any]) -> list[tuple[str, str, Markup]]:
    """(key, label, SVG) of each raw histogram the summary ships."""
    return [
        (key, label, Markup(distribution_chart(histograms[key], title=f"{label} distribution")))
        for key, label in DISTRIBUTIONS
        if key in histograms
    ]


def error_sample_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per kept error message, by target then kind, most frequent first."""
    return [
        {"target": target, "kind": kind, **sample}
        for target, block in sorted(summary["targets"].items())
        for kind, samples in block.get("error_samples", {}).items()
        for sample in samples
    ]
