"""The report's charts over time, from summary["timeseries"], as inline SVG markup."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from harness.report.svg_chart import PALETTE, Series, line_chart

#: Timeseries keys of the rate-limit headroom charts, with their labels.
HEADROOM_SERIES: tuple[tuple[str, str], ...] = (
    ("rate_limit_remaining_requests", "remaining requests"),
    ("rate_limit_remaining_tokens", "remaining tokens"),
)


def timeseries_charts(rows: list[dict[str, Any]]) -> dict[str, Markup]:
    """Load, concurrency, latency, tokens and retries per second, by chart name."""
    xs = [float(row["t"]) for row in rows]

    def counts(key: str) -> list[float | None]:
        return [float(row[key]) for row in rows]

    def quantiles(metric: str, label: str) -> list[Series]:
        """p50 and p95 of ``metric`` per second, in ms."""
        return [
            Series(f"{label} {q}", [None if r[key] is None else r[key] * 1000.0 for r in rows])
            for q in ("p50", "p95")
            for key in [f"{metric}_{q}"]
        ]

    def per_second(key: str, label: str, title: str) -> str:
        return line_chart(xs, [Series(label, counts(key))], title=title, y_unit="/s")

    completed = [float(row["ok"] + row["failed"]) for row in rows]
    charts = {
        "load": line_chart(
            xs,
            [
                Series("offered", counts("offered")),
                Series("sent", counts("sent")),
                Series("completed", completed),
                Series("failed", counts("failed")),
            ],
            title="Offered and completed load (requests per second)",
            y_unit="/s",
        ),
        "in_flight": line_chart(
            xs,
            [Series("in flight", counts("in_flight"))],
            title="Requests in flight (average over each second)",
        ),
        "ttft": line_chart(
            xs, quantiles("ttft", "TTFT"), title="TTFT per second of completion", y_unit=" ms"
        ),
        "e2e": line_chart(
            xs, quantiles("e2e", "E2E"), title="E2E latency per second of completion", y_unit=" ms"
        ),
        "tokens": per_second("output_tokens", "output tokens/s", "Output tokens per second"),
        "retries": per_second("retries", "retries", "Retry attempts per second"),
    }
    # line_chart escapes every piece of text it embeds.
    return {name: Markup(chart) for name, chart in charts.items()}


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
