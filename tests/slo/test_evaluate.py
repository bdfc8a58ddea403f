from __future__ import annotations

from typing import Any

import pytest

from harness.metrics.aggregate import RunAggregate
from harness.metrics.metric_set import LATENCY_HISTOGRAMS
from harness.report.run_info import RunInfo
from harness.report.summary import build_summary
from harness.slo.catalog import METRICS
from harness.slo.evaluate import evaluate_slos
from harness.slo.parse import parse_rule


def block(
    ttft_p95: float | None = 0.4, error_rate: float | None = 0.0, **extra: Any
) -> dict[str, Any]:
    stats = {"p50": None, "p90": None, "p95": ttft_p95, "p99": None, "p99.9": None}
    return {
        "error_rate": error_rate,
        "success_rate": None if error_rate is None else 1 - error_rate,
        "latency": {"ttft": {**stats, "min": None, "max": None, "mean": None, "count": 1}},
        "throughput": {"window_s": 10.0, "requests_per_s": 4.0, "output_tokens_per_s": 120.0},
        "cost": {"total": "1.25", "per_1k_requests": None},
        **extra,
    }


def summary(**targets: dict[str, Any]) -> dict[str, Any]:
    return {"overall": block(), "targets": targets, "roles": {}}


def test_a_rule_is_judged_overall_and_per_target_when_there_are_several() -> None:
    judged = evaluate_slos(summary(a=block(0.3), b=block(0.6)), [parse_rule("ttft.p95<500ms")])
    assert judged["verdict"] == "fail"
    assert [(r["scope"], r["measured"], r["passed"]) for r in judged["results"]] == [
        ("overall", 0.4, True),
        ("targets[a]", 0.3, True),
        ("targets[b]", 0.6, False),
    ]
    first = judged["results"][0]
    assert first == {
        "rule": "ttft.p95<500ms",
        "scope": "overall",
        "metric": "ttft.p95",
        "op": "<",
        "threshold": 0.5,
        "measured": 0.4,
        "unit": "s",
        "passed": True,
        "note": None,
    }


def test_one_target_is_judged_overall_only_and_passes() -> None:
    judged = evaluate_slos(summary(a=block()), [parse_rule("error_rate<1%"), parse_rule("rps>=4")])
    assert judged["verdict"] == "pass"
    assert [(r["scope"], r["measured"], r["unit"]) for r in judged["results"]] == [
        ("overall", 0.0, "%"),
        ("overall", 4.0, "req/s"),
    ]


def test_rates_are_compared_in_percent() -> None:
    judged = evaluate_slos(summary(), [parse_rule("success_rate>99%")])
    assert judged["results"][0]["measured"] == pytest.approx(100.0)
    failing = {"overall": block(error_rate=0.02), "targets": {}}
    assert evaluate_slos(failing, [parse_rule("error_rate<1%")])["results"][0]["passed"] is False


def test_a_scoped_rule_reads_its_group_and_missing_data_fails_with_a_note() -> None:
    judged = evaluate_slos(
        summary(a=block(0.3), b=block(None)),
        [
            parse_rule("targets[a].ttft.p95<350ms"),
            parse_rule("targets[b].ttft.p95<350ms"),
            parse_rule("roles[audit].ttft.p95<350ms"),
        ],
    )
    results = judged["results"]
    assert [r["passed"] for r in results] == [True, False, False]
    assert results[1]["measured"] is None
    assert results[1]["note"] == "no data: ttft.p95 has no value in targets[b]"
    assert results[2]["note"] == "no data: no attempts in roles[audit]"


def test_cost_and_goodput_are_read_as_numbers() -> None:
    overall = block(goodput={"requests": 30, "requests_per_s": 3.0, "share": 0.75})
    judged = evaluate_slos(
        {"overall": overall, "targets": {}},
        [parse_rule("cost.total<2"), parse_rule("goodput>=3"), parse_rule("goodput_share>80%")],
    )
    assert [(r["measured"], r["passed"]) for r in judged["results"]] == [
        (1.25, True),
        (3.0, True),
        (75.0, False),
    ]
    no_goodput = evaluate_slos({"overall": block(), "targets": {}}, [parse_rule("goodput>1")])
    assert no_goodput["results"][0]["measured"] is None


def test_every_catalog_metric_reads_from_a_built_summary(make_record: Any) -> None:
    rules = []
    for name, spec in METRICS.items():
        stat = f".{spec.stats[0]}" if spec.stat_required else ""
        unit = spec.units[0] if spec.units else ""
        rules.append(f"{name}{stat}>=0{unit}")
    aggregate = RunAggregate()
    aggregate.add(make_record(ttft_s=0.1, e2e_s=0.5))
    summary = build_summary(aggregate, RunInfo(started_at=1000.0, ended_at=1001.0, slo=rules))
    assert set(summary["overall"]["latency"]) == set(LATENCY_HISTOGRAMS)
    measured = {r["metric"]: r["measured"] for r in summary["slo"]["results"]}
    assert len(measured) == len(METRICS)
    assert measured["ttft.p50"] == pytest.approx(0.1, rel=0.02)
    assert measured["error_rate"] == 0.0 and measured["goodput"] is not None
