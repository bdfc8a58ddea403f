"""Inline SVG line charts for the HTML report: plain markup, no scripts, no URLs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE: tuple[str, ...] = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed")
# Room for tick labels (left), the legend (top) and x labels (bottom).
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 12, 30, 24

Point = tuple[float, float]


@dataclass(frozen=True)
class Series:
    """One line: a value per x position; None leaves a gap in the line."""

    name: str
    values: Sequence[float | None]


def line_chart(
    xs: Sequence[float],
    series: Sequence[Series],
    *,
    title: str,
    y_unit: str = "",
    x_unit: str = "s",
    width: int = 720,
    height: int = 220,
) -> str:
    """An SVG chart of ``series`` over ``xs``, y axis from zero to a round maximum."""
    label = escape(title)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">',
        f"<title>{label}</title>",
    ]
    known = [v for line in series for v in line.values if v is not None]
    if not xs or not known:
        parts.append(svg_text(width / 2, height / 2, "no data", "middle"))
        return "".join([*parts, "</svg>"])
    x_low, x_high = min(xs), max(xs)
    x_span = (x_high - x_low) or 1.0
    y_high = nice_ceiling(max(known))
    plot_w, plot_h = width - _LEFT - _RIGHT, height - _TOP - _BOTTOM

    def to_px(point: Point) -> Point:
        x, y = point
        return _LEFT + (x - x_low) / x_span * plot_w, _TOP + plot_h * (1 - y / y_high)

    for tick in (0.0, y_high / 2, y_high):
        _, y = to_px((x_low, tick))
        parts.append(
            f'<line class="grid" x1="{_LEFT}" y1="{y:.1f}" x2="{width - _RIGHT}" '
            f'y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(svg_text(_LEFT - 6, y + 4, f"{tick:g}{y_unit}", "end"))
    parts.append(svg_text(_LEFT, height - 6, f"{x_low:g}{x_unit}", "start"))
    parts.append(svg_text(width - _RIGHT, height - 6, f"{x_high:g}{x_unit}", "end"))
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(_legend_entry(index, line.name, colour))
        for segment in gap_free_segments(xs, line.values):
            parts.append(_draw(escape(line.name), [to_px(p) for p in segment], colour))
    return "".join([*parts, "</svg>"])


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def gap_free_segments(xs: Sequence[float], values: Sequence[float | None]) -> list[list[Point]]:
    """Runs of consecutive known values, so a line never bridges missing data."""
    segments: list[list[Point]] = []
    current: list[Point] = []
    for x, value in zip(xs, values, strict=True):
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((x, value))
    if current:
        segments.append(current)
    return segments


def _draw(name: str, points: list[Point], colour: str) -> str:
    if len(points) == 1:
        (x, y) = points[0]
        return f'<circle data-series="{name}" cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{colour}"/>'
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return (
        f'<polyline data-series="{name}" points="{coords}" fill="none" '
        f'stroke="{colour}" stroke-width="1.5"/>'
    )


def _legend_entry(index: int, name: str, colour: str) -> str:
    x = _LEFT + index * 120
    swatch = f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>'
    return swatch + svg_text(x + 16, 18, name, "start")


def svg_text(x: float, y: float, content: str, anchor: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11">'
        f"{escape(content)}</text>"
    )
