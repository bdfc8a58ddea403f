"""Throughput of a MetricSet over its measured window."""

from __future__ import annotations

from dataclasses import dataclass

from harness.metrics.metric_set import MetricSet

#: (start, end) in epoch seconds.
Window = tuple[float, float]


@dataclass(frozen=True)
class Throughput:
    """Rates over ``window_s``; every field is None when the window is empty."""

    window_s: float | None
    requests_per_s: float | None
    output_tokens_per_s: float | None


def measured_window(metrics: MetricSet, window: Window | None = None) -> Window | None:
    """``window`` when given, else first start to last end of the set's attempts.

    An explicit window only makes sense when the records outside it (warm-up,
    cool-down) were never added: rates divide the set's totals by its length.
    """
    if window is not None:
        return window
    if metrics.first_started_at is None or metrics.last_ended_at is None:
        return None
    return metrics.first_started_at, metrics.last_ended_at


def throughput(metrics: MetricSet, window: Window | None = None) -> Throughput:
    """Successful requests/s and output tokens/s over the measured window."""
    span = measured_window(metrics, window)
    length = span[1] - span[0] if span is not None else 0.0
    if length <= 0:
        return Throughput(window_s=None, requests_per_s=None, output_tokens_per_s=None)
    return Throughput(
        window_s=length,
        requests_per_s=metrics.ok / length,
        output_tokens_per_s=metrics.output_tokens / length,
    )
