from __future__ import annotations

import pytest

from harness.report.chart_windows import chart_rows


def row(t: int, **values) -> dict:
    base = {
        "t": t, "at": 1_000 + t, "ok": 0, "failed": 0, "errors_by_kind": {}, "in_flight": 0.0,
        "ttft_p95": None, "rate_limit_remaining_requests": None,
    }  # fmt: skip
    return base | values


def test_short_series_are_drawn_as_they_are():
    rows = [row(t, ok=t) for t in range(10)]
    assert chart_rows(rows, limit=10) == (rows, 1)


def test_long_series_average_counts_and_known_latency_and_keep_the_lowest_headroom():
    rows = [
        row(0, ok=4, in_flight=2.0, ttft_p95=0.2, rate_limit_remaining_requests=50),
        row(1, ok=0, failed=2, errors_by_kind={"server": 2}, rate_limit_remaining_requests=40),
        row(2, ok=2, in_flight=1.0, ttft_p95=0.4),
        row(3, ok=6),
        row(4, ok=1),
    ]

    drawn, window_s = chart_rows(rows, limit=3)

    assert window_s == 2 and [r["t"] for r in drawn] == [0, 2, 4]
    first, second, last = drawn
    assert (first["ok"], first["failed"], first["in_flight"]) == (2.0, 1.0, 1.0)
    assert first["errors_by_kind"] == {"server": 1.0}
    # The second without a completion has no TTFT: it does not pull the mean to zero.
    assert first["ttft_p95"] == pytest.approx(0.2) and second["ttft_p95"] == pytest.approx(0.4)
    assert first["rate_limit_remaining_requests"] == 40
    assert second["rate_limit_remaining_requests"] is None
    assert (second["ok"], last["ok"]) == (4.0, 1.0)
