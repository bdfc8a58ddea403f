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
from harness.report import formatting
from harness.report.svg_chart import Series, line_chart

TEMPLATE = "report.html.j2"
LATENCY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ttft", "TTFT"),
    ("itl", "ITL"),
    ("tpot", "TPOT"),
    ("e2e", "E2E"),
)
LATENCY_QUANTILES: tuple[str, ...] = ("p50", "p90", "p95", "p99", "max")


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
    environment.filters.update(
        ms=formatting.format_ms,
        rate=formatting.format_rate,
        count=formatting.format_count,
        percent=formatting.format_percent,
        epoch=formatting.format_epoch,
        json=lambda value: orjson.dumps(value).decode(),
        # Plugin report sections are trusted markup, like any other plugin code.
        trusted=Markup,
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
        charts=timeseries_charts(summary["timeseries"]),
    )


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
    # line_chart escapes every piece of text it embeds.
    return {"requests": Markup(requests), "ttft": Markup(ttft)}


def _to_ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000.0
