"""Inline SVG distribution charts from a raw LogHistogram: bars per log bin, and the CDF.

The histogram's own buckets are 2 % wide, far finer than a chart can show,
so they are gathered into ``bins`` bars of equal width on a log axis from
the smallest value to the largest. Bar heights are shares of all samples
(left axis); the line is the cumulative share (right axis, 0 to 100 %),
and dashed markers show p50, p95 and p99.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from harness.metrics.histogram import MIN_VALUE, LogHistogram, bucket_value
from harness.report.svg_chart import PALETTE, nice_ceiling, svg_text

_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 44, 30, 24
MARKERS: tuple[tuple[str, float], ...] = (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))


def distribution_chart(
    data: dict[str, Any],
    *,
    title: str,
    scale: float = 1000.0,
    unit: str = " ms",
    bins: int = 40,
    width: int = 720,
    height: int = 220,
) -> str:
    """An SVG of ``LogHistogram.to_dict()`` data; values shown times ``scale`` in ``unit``."""
    label = escape(title)
    parts = [
        f'<svg class="chart distribution" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{label}">',
        f"<title>{label}</title>",
    ]
    parts.append(f'<text x="{_LEFT}" y="18" font-size="12" font-weight="600">{label}</text>')
    hist = LogHistogram.from_dict(data)
    if not hist.count:
        parts.append(svg_text(width / 2, height / 2, "no data", "middle"))
        return "".join([*parts, "</svg>"])
    # Zero gaps (chunks that arrived together) would stretch a log axis over
    # orders of magnitude: the axis starts at the smallest non-zero value and
    # zeros count in the first bar.
    positive = [bucket_value(index) for index in hist.buckets if bucket_value(index) > 0]
    low = max(hist.min, min(positive)) if positive else MIN_VALUE
    high = max(hist.max, low)
    # One bin's worth of room when every value is the same.
    log_low, log_high = math.log(low), math.log(high)
    if log_high - log_low < 1e-9:
        log_low, log_high = log_low - 0.05, log_high + 0.05
    span = log_high - log_low
    counts = [0] * bins
    for index, count in hist.buckets.items():
        value = min(max(bucket_value(index), low), high)
        position = int((math.log(max(value, low)) - log_low) / span * bins)
        counts[min(max(position, 0), bins - 1)] += count
    plot_w, plot_h = width - _LEFT - _RIGHT, height - _TOP - _BOTTOM
    y_high = nice_ceiling(max(counts) / hist.count * 100.0)

    def x_of(value: float) -> float:
        return _LEFT + (math.log(max(value, low)) - log_low) / span * plot_w

    for tick in (0.0, y_high / 2, y_high):
        y = _TOP + plot_h * (1 - tick / y_high)
        parts.append(
            f'<line class="grid" x1="{_LEFT}" y1="{y:.1f}" x2="{width - _RIGHT}" y2="{y:.1f}" '
            'stroke="#ddd"/>'
        )
        parts.append(svg_text(_LEFT - 6, y + 4, f"{tick:g}%", "end"))
    for tick in (0, 50, 100):
        parts.append(
            svg_text(width - _RIGHT + 4, _TOP + plot_h * (1 - tick / 100) + 4, f"{tick}%", "start")
        )
    bar_w = plot_w / bins
    for position, count in enumerate(counts):
        if not count:
            continue
        share = count / hist.count * 100.0
        bar_h = plot_h * share / y_high
        parts.append(
            f'<rect data-count="{count}" x="{_LEFT + position * bar_w:.1f}" '
            f'y="{_TOP + plot_h - bar_h:.1f}" width="{max(bar_w - 1, 1):.1f}" '
            f'height="{bar_h:.1f}" fill="{PALETTE[0]}" fill-opacity="0.55"/>'
        )
    parts.append(_cdf_line(hist, x_of, plot_h))
    for row, (name, q) in enumerate(MARKERS):
        marked = hist.quantile(q)
        if marked is None:
            continue
        x = x_of(marked)
        # One text row per marker: p95 and p99 often sit a few pixels apart.
        label_y = _TOP + 10 + 12 * row
        parts.append(
            f'<line data-quantile="{name}" x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" '
            f'y2="{_TOP + plot_h}" stroke="#374151" stroke-dasharray="3,3"/>'
        )
        anchor = "end" if x > _LEFT + plot_w * 0.8 else "start"
        label_x = x - 3 if anchor == "end" else x + 3
        parts.append(svg_text(label_x, label_y, f"{name} {_reading(marked * scale)}", anchor))
    parts.append(svg_text(_LEFT, height - 6, f"{_reading(low * scale)}{unit}", "start"))
    parts.append(svg_text(width - _RIGHT, height - 6, f"{_reading(high * scale)}{unit}", "end"))
    parts.append(
        svg_text(_LEFT + plot_w / 2, height - 6, f"log scale, {hist.count:,} samples", "middle")
    )
    return "".join([*parts, "</svg>"])


def _cdf_line(hist: LogHistogram, x_of: Any, plot_h: float) -> str:
    seen = 0
    points = []
    for index in sorted(hist.buckets):
        seen += hist.buckets[index]
        value = min(max(bucket_value(index), hist.min), hist.max)
        points.append(f"{x_of(value):.1f},{_TOP + plot_h * (1 - seen / hist.count):.1f}")
    if len(points) == 1:
        points.insert(0, f"{x_of(hist.min):.1f},{_TOP + plot_h:.1f}")
    return (
        f'<polyline data-series="CDF" points="{" ".join(points)}" fill="none" '
        f'stroke="{PALETTE[1]}" stroke-width="1.5"/>'
    )


def _reading(value: float) -> str:
    """Whole units from 100 up, else three significant digits: 4903, 27.7, 0.512."""
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"
