from __future__ import annotations

import pytest

from harness.metrics.histogram import LogHistogram
from harness.timing import StreamTiming, time_per_output_token


def test_ttft_ttfa_and_gaps_per_chunk() -> None:
    timing = StreamTiming(sent_at=10.0)
    timing.on_chunks(10.2, 1)  # reasoning first
    timing.on_chunks(10.3, 1)
    timing.on_answer(10.3)
    timing.on_chunks(10.5, 1)
    timing.on_answer(10.5)  # not the first answer: TTFA stays
    assert timing.ttft == pytest.approx(0.2)
    assert timing.ttfa == pytest.approx(0.3)
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


def test_chunks_that_arrive_together_are_zero_gaps() -> None:
    timing = StreamTiming(sent_at=0.0)
    timing.on_chunks(0.1, 3)
    timing.on_chunks(0.4, 1)
    assert timing.ttft == pytest.approx(0.1)
    assert timing.itl_min == 0.0 and timing.itl_max == pytest.approx(0.3)
    assert timing.itl_sum == pytest.approx(0.3)
    hist = LogHistogram()
    hist.add_buckets(timing.itl_buckets, timing.itl_sum, timing.itl_min, timing.itl_max)
    assert hist.count == 3 and hist.quantile(0.5) == 0.0  # two zero gaps and 0.3 s
