from __future__ import annotations

import re

from harness.metrics.histogram import LogHistogram
from harness.report.svg_distribution import distribution_chart


def histogram(values: list[float]) -> dict:
    hist = LogHistogram()
    hist.add_all(values)
    return hist.to_dict()


def test_bars_hold_every_sample_and_the_cdf_reaches_the_top():
    values = [0.01 * (1 + i % 50) for i in range(1_000)]
    svg = distribution_chart(histogram(values), title="TTFT <distribution>", bins=20)

    counts = [int(c) for c in re.findall(r'<rect data-count="(\d+)"', svg)]
    assert sum(counts) == 1_000 and 1 < len(counts) <= 20
    points = re.search(r'data-series="CDF" points="([^"]+)"', svg)
    assert points is not None
    ys = [float(pair.split(",")[1]) for pair in points.group(1).split()]
    assert ys == sorted(ys, reverse=True)  # cumulative: the line only rises
    assert ys[-1] == 30.0  # the plot's top edge: 100 %
    assert re.findall(r'data-quantile="(p\d+)"', svg) == ["p50", "p95", "p99"]
    assert "TTFT &lt;distribution&gt;" in svg


def test_one_value_and_no_values():
    single = distribution_chart(histogram([0.25]), title="E2E")
    assert single.count("<rect data-count") == 1
    assert "p50 250" in single

    empty = distribution_chart(LogHistogram().to_dict(), title="ITL")
    assert "no data" in empty and "<rect" not in empty


def test_zero_gaps_fall_in_the_first_bar_not_on_a_stretched_axis():
    svg = distribution_chart(histogram([0.0] * 30 + [0.002, 0.004, 0.008] * 10), title="ITL")

    counts = [int(c) for c in re.findall(r'<rect data-count="(\d+)"', svg)]
    assert counts[0] >= 30 and sum(counts) == 60
    assert ">2.01 ms</text>" in svg  # the axis starts at the smallest non-zero value
