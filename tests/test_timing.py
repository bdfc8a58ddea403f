from __future__ import annotations

import pytest

from harness.metrics.histogram import LogHistogram
from harness.timing import StreamTiming, time_per_output_token


def test_ttft_ttfa_and_gaps_per_chunk() -> None:
    timing = StreamTiming(sent_at=10.0)
    timing.on_output(10.2, chunk=0, is_answer=False)  # reasoning first
    timing.on_output(10.3, chunk=1, is_answer=True)
    timing.on_output(10.3, chunk=1, is_answer=True)  # same chunk: no extra gap
    timing.on_output(10.5, chunk=3, is_answer=True)
    assert timing.ttft == pytest.approx(0.2)
    assert timing.ttfa == pytest.approx(0.3)
    assert timing.output_events == 4
    hist = LogHistogram()
    hist.add_buckets(timing.itl_buckets, timing.itl_sum, timing.itl_min or 0, timing.itl_max or 0)
    assert hist.count == 2
    assert timing.itl_min == pytest.approx(0.1) and timing.itl_max == pytest.approx(0.2)
    assert hist.quantile(0.0) == pytest.approx(0.1)


def test_no_output_means_no_ttft() -> None:
    timing = StreamTiming(sent_at=1.0)
    assert timing.ttft is None and timing.ttfa is None and timing.itl_buckets == {}


def test_tpot_definition() -> None:
    assert time_per_output_token(e2e=2.2, ttft=0.2, output_tokens=11) == pytest.approx(0.2)
    assert time_per_output_token(e2e=2.2, ttft=0.2, output_tokens=1) is None
    assert time_per_output_token(e2e=2.2, ttft=None, output_tokens=5) is None
