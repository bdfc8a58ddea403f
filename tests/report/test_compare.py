from __future__ import annotations

import copy
from typing import Any

import pytest

from harness.errors import HarnessConfigError
from harness.metrics.histogram import LogHistogram, bucket_value
from harness.report.compare import compare_runs, metric_value, parse_tolerances
from harness.report.compare_inputs import LoadedRun
from harness.report.compare_render import compare_markdown


def slower(summary: dict[str, Any], factor: float) -> dict[str, Any]:
    """The summary with every TTFT sample ``factor`` times larger."""
    changed = copy.deepcopy(summary)
    original = LogHistogram.from_dict(summary["histograms"]["ttft"])
    scaled = LogHistogram()
    for index, count in original.buckets.items():
        scaled.add(bucket_value(index) * factor, count)
    changed["histograms"]["ttft"] = scaled.to_dict()
    return changed


def test_tolerances_parse_relative_points_and_time():
    tolerances = {t.metric: t for t in parse_tolerances(["ttft.p95=20ms", "error_rate=0.5pp"])}

    assert (tolerances["ttft.p95"].value, tolerances["ttft.p95"].relative) == (0.02, False)
    assert tolerances["error_rate"].value == pytest.approx(0.005)
    assert tolerances["ttft.p50"].relative  # a default kept
    for bad in ("ttft.p95", "ttft.p95=fast", "=10%"):
        with pytest.raises(HarnessConfigError, match="--tolerance"):
            parse_tolerances([bad])


def test_quantiles_come_from_the_raw_histograms(summary):
    raw = LogHistogram.from_dict(summary["histograms"]["ttft"])
    assert metric_value(summary, "ttft.p75") == raw.quantile(0.75)
    assert metric_value(summary, "ttfa.p50") == summary["overall"]["latency"]["ttfa"]["p50"]
    assert metric_value(summary, "error_rate") == summary["overall"]["error_rate"]
    with pytest.raises(HarnessConfigError, match="unknown metric"):
        metric_value(summary, "latency")


def test_a_slower_ttft_regresses_and_the_same_run_does_not(summary):
    base = LoadedRun("base", summary)
    runs = [base, LoadedRun("same", summary), LoadedRun("slow", slower(summary, 1.3))]

    same, slow = compare_runs(runs, parse_tolerances([]))

    assert not same.regressed
    regressed = {delta.metric for delta in slow.deltas if delta.regressed}
    assert regressed == {"ttft.p50", "ttft.p95"}
    markdown = compare_markdown([same, slow])
    assert "REGRESSION in slow against base" in markdown
    assert (
        compare_runs(runs, parse_tolerances(["ttft.p50=40%", "ttft.p95=40%"]))[1].regressed is False
    )


def test_higher_is_better_metrics_regress_when_they_fall(summary):
    fewer = copy.deepcopy(summary)
    fewer["overall"]["throughput"]["output_tokens_per_s"] *= 0.5
    fewer["overall"]["error_rate"] += 0.02

    (comparison,) = compare_runs(
        [LoadedRun("a", summary), LoadedRun("b", fewer)], parse_tolerances([])
    )

    assert {d.metric for d in comparison.deltas if d.regressed} == {
        "output_tokens_per_s",
        "error_rate",
    }
    (better,) = compare_runs([LoadedRun("b", fewer), LoadedRun("a", summary)], parse_tolerances([]))
    assert not better.regressed
