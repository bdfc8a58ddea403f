"""Goodput: attempts meeting every per-request SLO, counted as each attempt is recorded."""

from __future__ import annotations

from collections.abc import Callable

from harness.contracts import RequestRecord
from harness.metrics.aggregate import RunAggregate
from harness.report.run_info import RunInfo
from harness.report.summary import build_summary
from harness.slo.parse import parse_rule
from harness.slo.per_request import per_request_rules, request_check

RecordFactory = Callable[..., RequestRecord]


def test_only_upper_bounds_on_request_latencies_bound_each_request() -> None:
    rules = [parse_rule(t) for t in ("ttft.p95<1s", "e2e.p99>1s", "error_rate<1%", "itl.p50<=50ms")]
    assert [r.text for r in per_request_rules(rules)] == ["ttft.p95<1s", "itl.p50<=50ms"]


def test_a_request_meets_the_slos_when_every_applicable_bound_holds(
    make_record: RecordFactory,
) -> None:
    check = request_check(
        [
            parse_rule("ttft.p95<500ms"),
            parse_rule("targets[b].e2e.p95<1s"),
            parse_rule("itl.p99<50ms"),
        ]
    )
    assert check(make_record(ttft_s=0.4, e2e_s=2.0))  # the e2e rule is b's only
    assert not check(make_record(ttft_s=0.6, e2e_s=0.7))
    assert not check(make_record(target="b", ttft_s=0.4, e2e_s=2.0))
    assert check(make_record(target="b", ttft_s=0.4, e2e_s=0.9))
    assert not check(make_record(ttft_s=None, e2e_s=0.9))  # no TTFT: cannot meet a TTFT bound
    assert not check(make_record(ok=False, ttft_s=0.1))
    # Mean gap 60 ms over two gaps misses the ITL bound; one gap of 40 ms meets it.
    assert not check(make_record(ttft_s=0.1, itl_buckets={100: 2}, itl_sum_s=0.12))
    assert check(make_record(ttft_s=0.1, itl_buckets={100: 1}, itl_sum_s=0.04))


def test_goodput_counts_merge_and_reach_the_summary(make_record: RecordFactory) -> None:
    check = request_check([parse_rule("ttft.p95<500ms")])
    records = [
        make_record(started_at=1000.0 + i, ttft_s=ttft, e2e_s=1.0)
        for i, ttft in enumerate([0.1, 0.2, 0.9, 0.3, 0.8])
    ]
    for record in records:
        record.slo_met = check(record)
    halves = RunAggregate(), RunAggregate()
    for position, record in enumerate(records):
        halves[position % 2].add(record)
    merged = RunAggregate.from_dict(halves[0].to_dict())
    merged.merge(RunAggregate.from_dict(halves[1].to_dict()))
    assert merged.overall.slo_met == 3

    run = RunInfo(started_at=1000.0, ended_at=1005.0, slo=["ttft.p95<500ms", "goodput>=1"])
    summary = build_summary(merged, run)
    assert summary["overall"]["goodput"] == {
        "requests": 3,
        "requests_per_s": 0.6,
        "share": 0.6,
        "sessions": 0,
        "sessions_met": 0,
        "sessions_per_s": None,
    }
    assert summary["targets"]["a"]["goodput"]["requests"] == 3
    assert [r["passed"] for r in summary["slo"]["results"]] == [False, False]


def test_without_rules_the_summary_has_no_slo_or_goodput(make_record: RecordFactory) -> None:
    aggregate = RunAggregate()
    aggregate.add(make_record(ttft_s=0.1, e2e_s=0.2))
    summary = build_summary(aggregate, RunInfo(started_at=1000.0, ended_at=1001.0))
    assert "slo" not in summary and "goodput" not in summary["overall"]
