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
from harness.report.costs import has_cost_data, pricing_line, unpriced_models
from harness.report.summary import has_fallback_activity, has_retry_activity
from harness.report.svg_chart import PALETTE, Series, line_chart
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
#: Groupings with rows in the Cost table (before the overall row), with their row labels.
COST_GROUPINGS: tuple[tuple[str, str], ...] = (
    ("targets", "target"),
    ("models", "model"),
    ("roles", "role"),
    ("workflows", "workflow"),
)
#: Timeseries keys of the rate-limit headroom charts, with their labels.
HEADROOM_SERIES: tuple[tuple[str, str], ...] = (
    ("rate_limit_remaining_requests", "remaining requests"),
    ("rate_limit_remaining_tokens", "remaining tokens"),
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
        charts=timeseries_charts(summary["timeseries"]),
        errors_chart=errors_by_kind_chart(summary["timeseries"]),
        headroom_charts=headroom_charts(summary["timeseries"]),
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


def timeseries_charts(rows: list[dict[str, Any]]) -> dict[str, Markup]:
    """Requests per second and TTFT percentiles per second, as inline SVG."""
    xs = [float(row["t"]) for row in rows]
    requests = line_chart(
        xs,
        [
            Series("ok", [float(row["ok"]) for row in rows]),
            Series("failed", [float(row["failed"]) for row in rows]),
        ],
        title="Completed requests per second",
        y_unit="/s",
    )
    ttft = line_chart(
        xs,
        [
            Series("TTFT p50", [_to_ms(row["ttft_p50"]) for row in rows]),
            Series("TTFT p95", [_to_ms(row["ttft_p95"]) for row in rows]),
        ],
        title="TTFT per second of completion",
        y_unit=" ms",
    )
    retries = line_chart(
        xs,
        [Series("retries", [float(row["retries"]) for row in rows])],
        title="Retry attempts per second",
        y_unit="/s",
    )
    # line_chart escapes every piece of text it embeds.
    return {"requests": Markup(requests), "ttft": Markup(ttft), "retries": Markup(retries)}


def errors_by_kind_chart(rows: list[dict[str, Any]]) -> Markup | None:
    """Failed attempts per second, a line per error kind; None when nothing failed.

    The most frequent kinds get a line each and the rest share one, so every
    line keeps its own colour and the legend fits the chart.
    """
    totals: dict[str, int] = {}
    for row in rows:
        for kind, count in row["errors_by_kind"].items():
            totals[kind] = totals.get(kind, 0) + count
    if not totals:
        return None
    ranked = sorted(totals, key=lambda kind: (-totals[kind], kind))
    shown = ranked if len(ranked) <= len(PALETTE) else ranked[: len(PALETTE) - 1]
    rest = ranked[len(shown) :]

    def per_second(kinds: list[str]) -> list[float]:
        return [float(sum(row["errors_by_kind"].get(k, 0) for k in kinds)) for row in rows]

    series = [Series(kind, per_second([kind])) for kind in shown]
    if rest:
        series.append(Series("other kinds", per_second(rest)))
    xs = [float(row["t"]) for row in rows]
    chart = line_chart(xs, series, title="Failed attempts per second, by kind", y_unit="/s")
    return Markup(chart)


def headroom_charts(rows: list[dict[str, Any]]) -> list[Markup]:
    """Remaining requests and tokens over time, one chart each, for what the run saw.

    Separate charts because the two differ by orders of magnitude; none at
    all when no response carried rate-limit headers.
    """
    xs = [float(row["t"]) for row in rows]
    charts = []
    for key, label in HEADROOM_SERIES:
        values = [row[key] for row in rows]
        if any(value is not None for value in values):
            title = f"Rate-limit headroom: {label} (lowest per second)"
            chart = line_chart(xs, [Series(label, values)], title=title)
            charts.append(Markup(chart))
    return charts


def _to_ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000.0
