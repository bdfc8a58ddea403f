from __future__ import annotations

import dataclasses

import orjson
import pytest

from harness.metrics.aggregate import RunAggregate
from harness.report.summary import build_summary, has_retry_activity

# Percentiles come from log buckets with 1% relative accuracy.
BUCKET_TOLERANCE = 0.01


def test_top_level_and_block_keys(summary):
    assert set(summary) == {
        "schema_version",
        "run",
        "overall",
        "targets",
        "models",
        "roles",
        "workflows",
        "steps",
        "comparison",
        "timeseries",
        "histograms",
    }
    assert summary["schema_version"] == 1
    block = summary["overall"]
    assert set(block) == {
        "requests",
        "ok",
        "failed",
        "success_rate",
        "error_rate",
        "errors_by_kind",
        "error_samples",
        "tokens",
        "bytes_received",
        "workflows",
        "retries",
        "cost",
        "throughput",
        "latency",
        "output_tps",
    }
    per_attempt = {"ttft", "ttfa", "itl", "tpot", "e2e", "headers", "e2e_failed"}
    retries = {
        "logical_e2e",
        "first_attempt_e2e",
        "retry_delay",
        "limiter_wait",
        "fallback_logical_e2e",
    }
    open_loop = {"ttft_scheduled", "e2e_scheduled", "schedule_lag"}
    assert set(block["latency"]) == per_attempt | retries | {"workflow_e2e"} | open_loop
    assert set(block["retries"]) == {
        "attempts",
        "logical_requests",
        "amplification",
        "logical_success_rate",
        "retry_attempts",
        "retried_requests",
        "succeeded_after_retry",
        "denied_by_budget",
        "limited_attempts",
        "fallback_attempts",
        "fallback_rate",
        "routed",
        "routed_rate",
        "fallbacks_from",
    }
    assert set(block["latency"]["ttft"]) == {
        "count",
        "mean",
        "p50",
        "p90",
        "p95",
        "p99",
        "p99.9",
        "min",
        "max",
    }
    assert set(summary["histograms"]) == {"ttft", "itl", "tpot", "e2e"}


def test_counts_errors_and_tokens(summary):
    overall = summary["overall"]
    assert (overall["requests"], overall["ok"], overall["failed"]) == (10, 7, 3)
    assert overall["error_rate"] == pytest.approx(0.3)
    assert overall["success_rate"] == pytest.approx(0.7)
    assert overall["errors_by_kind"] == {"rate_limited": 1, "server": 1, "timeout": 1}
    assert overall["tokens"] == {
        "input": 1000,
        "output": 107,
        "reasoning": 0,
        "cached_input": 0,
        "estimated_records": 3,
        "compared_records": 4,
        "usage_diff_pct": {"input": 0.0, "output": pytest.approx(10.0)},
    }
    assert overall["bytes_received"] == 4000
    assert summary["targets"]["alpha"]["errors_by_kind"] == {"rate_limited": 1}
    assert summary["targets"]["beta"]["requests"] == 5
    # beta's usage was estimated: nothing reported to compare with.
    beta_tokens = summary["targets"]["beta"]["tokens"]
    assert beta_tokens["compared_records"] == 0
    assert beta_tokens["usage_diff_pct"] == {"input": None, "output": None}


def test_throughput_uses_each_blocks_own_window(summary):
    overall = summary["overall"]["throughput"]
    assert overall["window_s"] == pytest.approx(9.0)
    assert overall["requests_per_s"] == pytest.approx(7 / 9)
    assert overall["output_tokens_per_s"] == pytest.approx(107 / 9)
    beta = summary["targets"]["beta"]["throughput"]
    assert beta["window_s"] == pytest.approx(6.0)
    assert beta["requests_per_s"] == pytest.approx(0.5)
    assert beta["output_tokens_per_s"] == pytest.approx(10.5)


def test_a_measured_window_applies_to_every_block(run_records, run_info):
    aggregate = RunAggregate()
    aggregate.add_all(run_records)
    window = (run_info.started_at, run_info.started_at + 20.0)

    summary = build_summary(aggregate, dataclasses.replace(run_info, measured_window=window))

    assert summary["overall"]["throughput"]["window_s"] == pytest.approx(20.0)
    assert summary["targets"]["alpha"]["throughput"]["requests_per_s"] == pytest.approx(0.2)
    assert summary["run"]["measured_window"] == list(window)


def test_latencies_are_seconds_from_successful_attempts(summary):
    ttft = summary["overall"]["latency"]["ttft"]
    assert ttft["count"] == 7
    assert ttft["p50"] == pytest.approx(0.4, rel=BUCKET_TOLERANCE)
    assert (ttft["min"], ttft["max"]) == (pytest.approx(0.1), 0.5)
    assert ttft["mean"] == pytest.approx(2.5 / 7)
    assert summary["targets"]["beta"]["latency"]["e2e"]["p99"] == pytest.approx(
        2.0, rel=BUCKET_TOLERANCE
    )
    # The timeout recorded no duration, so only two failures are timed.
    assert summary["overall"]["latency"]["e2e_failed"]["count"] == 2
    assert summary["overall"]["latency"]["itl"]["count"] == 0
    assert summary["overall"]["latency"]["itl"]["p50"] is None
    # 10 tokens after the first in 1.0 s (alpha) and 20 in 1.5 s (beta).
    assert summary["targets"]["alpha"]["latency"]["tpot"]["max"] == pytest.approx(0.1)
    assert summary["targets"]["beta"]["output_tps"]["max"] == pytest.approx(14.0)


def test_timeseries_has_a_row_per_second_with_quiet_seconds_zeroed(summary):
    rows = {row["t"]: row for row in summary["timeseries"]}
    # From the first attempt's start (t=0.25) to the last completion.
    assert sorted(rows) == list(range(0, 10))
    assert (rows[1]["ok"], rows[1]["failed"], rows[1]["output_tokens"]) == (2, 1, 22)
    assert rows[1]["ttft_p50"] == pytest.approx(0.1, rel=BUCKET_TOLERANCE)
    # Rank 0.95 * (2 - 1) still falls on the lower of the second's two values.
    assert rows[1]["ttft_p95"] == pytest.approx(0.1, rel=BUCKET_TOLERANCE)
    assert rows[3]["ttft_p95"] == pytest.approx(0.4, rel=BUCKET_TOLERANCE)
    assert rows[4] == {
        "t": 4,
        "at": 1_700_000_004,
        "ok": 0,
        "failed": 0,
        "errors_by_kind": {},
        "retries": 0,
        "output_tokens": 0,
        "ttft_p50": None,
        "ttft_p95": None,
        "e2e_p50": None,
        "e2e_p95": None,
        # No completion, but beta's attempt of t=4.25 starts and two are in flight:
        # 3.25-5.25 all second long and 4.25-6.25 for 0.75 s of it.
        "offered": 1,
        "sent": 1,
        "in_flight": pytest.approx(1.75),
        "rate_limit_remaining_requests": None,
        "rate_limit_remaining_tokens": None,
    }
    assert rows[0]["offered"] == rows[0]["sent"] == 2  # alpha at 0.25 and 0.75
    assert rows[1]["e2e_p50"] == pytest.approx(1.1, rel=BUCKET_TOLERANCE)
    assert (rows[9]["ok"], rows[9]["failed"]) == (0, 1)
    assert rows[1]["errors_by_kind"] == {"rate_limited": 1}
    assert rows[9]["errors_by_kind"] == {"timeout": 1}


def test_run_metadata_and_raw_histograms(summary, run_info, run_records):
    run = summary["run"]
    assert run["duration_s"] == pytest.approx(10.0)
    assert run["users"] == 4
    assert run["simulator"] == {"ttft_s": 0.2, "faults": {"server_error_rate": 0.1}}
    assert run["partial"] is False
    assert set(run["machine"]) == {"platform", "python", "cpu_count", "packages"}
    assert run["machine"]["packages"]["orjson"] and set(run["machine"]["packages"]) >= {"locust"}
    aggregate = RunAggregate()
    aggregate.add_all(run_records)
    assert summary["histograms"]["ttft"] == aggregate.overall.ttft.to_dict()


def test_summary_is_plain_json(summary):
    assert orjson.loads(orjson.dumps(summary)) == summary


def test_an_empty_run_still_summarises(run_info):
    summary = build_summary(RunAggregate(), run_info)
    assert summary["overall"]["requests"] == 0
    assert summary["overall"]["error_rate"] is None
    assert summary["overall"]["throughput"]["window_s"] is None
    assert summary["targets"] == {}
    assert summary["timeseries"] == []


def test_retries_block_counts_attempts_against_logical_requests(retry_summary):
    assert retry_summary["overall"]["retries"] == {
        "attempts": 8,
        "logical_requests": 5,
        "amplification": pytest.approx(1.6),
        "logical_success_rate": pytest.approx(0.8),
        "retry_attempts": 3,
        "retried_requests": 2,
        "succeeded_after_retry": 2,
        "denied_by_budget": 1,
        "limited_attempts": 1,
        "fallback_attempts": 0,
        "fallback_rate": 0.0,
        "routed": 0,
        "routed_rate": 0.0,
        "fallbacks_from": {},
    }
    alpha = retry_summary["targets"]["alpha"]["retries"]
    beta = retry_summary["targets"]["beta"]["retries"]
    assert (alpha["amplification"], alpha["logical_success_rate"]) == (pytest.approx(4 / 3), 1.0)
    assert (beta["amplification"], beta["logical_success_rate"]) == (2.0, 0.5)
    assert (alpha["limited_attempts"], beta["denied_by_budget"]) == (1, 1)
    # Attempt-level counts keep their meaning.
    assert retry_summary["overall"]["requests"] == 8
    assert retry_summary["overall"]["success_rate"] == pytest.approx(0.5)


def test_latency_with_and_without_retries_and_the_waits(retry_summary):
    latency = retry_summary["overall"]["latency"]
    # The four successful logical requests, backoff and limiter wait included.
    logical = latency["logical_e2e"]
    assert (logical["count"], logical["min"], logical["max"]) == (4, 0.9, 1.7)
    assert logical["mean"] == pytest.approx((1.6 + 1.1 + 0.9 + 1.7) / 4)
    # Only alpha's second and third requests succeeded at the first attempt.
    first = latency["first_attempt_e2e"]
    assert (first["count"], first["min"], first["max"]) == (2, 0.8, 0.9)
    delay = latency["retry_delay"]
    assert (delay["count"], delay["min"], delay["max"]) == (3, 0.25, 0.5)
    assert (latency["limiter_wait"]["count"], latency["limiter_wait"]["max"]) == (1, 0.3)
    assert retry_summary["targets"]["beta"]["latency"]["first_attempt_e2e"]["p50"] is None


def test_amplification_is_null_until_a_logical_request_ends(retry_records, run_info):
    aggregate = RunAggregate()
    # A run cut short after a first attempt whose retry never came.
    aggregate.add(retry_records[0])

    retries = build_summary(aggregate, run_info)["overall"]["retries"]

    assert (retries["attempts"], retries["logical_requests"]) == (1, 0)
    assert retries["amplification"] is None
    assert retries["logical_success_rate"] is None


def test_timeseries_rows_carry_errors_by_kind_and_retries(retry_summary):
    rows = {row["t"]: row for row in retry_summary["timeseries"]}

    assert {t: row["errors_by_kind"] for t, row in rows.items()} == {
        0: {"rate_limited": 1, "server": 1},
        1: {"overloaded": 2},
        2: {},
        3: {},
    }
    assert {t: row["retries"] for t, row in rows.items()} == {0: 0, 1: 2, 2: 1, 3: 0}


def test_retry_activity_is_a_retry_a_denied_retry_or_a_limiter_wait(summary, retry_summary):
    assert has_retry_activity(retry_summary["overall"])
    block = summary["overall"]
    assert not has_retry_activity(block)
    for key in ("retry_attempts", "denied_by_budget", "limited_attempts"):
        assert has_retry_activity({"retries": {**block["retries"], key: 1}}), key


def test_error_samples_keep_redacted_messages_per_kind(run_records, run_info):
    failed = run_records[-1]
    secret = "sk-proj-ABCDEFGHIJKLMNOPQRSTUV"
    assert failed.error is not None
    leaky = dataclasses.replace(
        failed, error=dataclasses.replace(failed.error, message=f"bad key {secret}")
    )
    aggregate = RunAggregate()
    aggregate.add_all([*run_records, leaky, leaky])
    summary = build_summary(aggregate, run_info)

    samples = summary["targets"]["beta"]["error_samples"]
    assert set(samples) == {"server", "timeout"}
    assert samples["server"] == [{"message": "500", "count": 1, "http_status": None}]
    timeouts = {sample["message"]: sample["count"] for sample in samples["timeout"]}
    assert timeouts == {"": 1, "bad key ***": 2}
    assert secret not in orjson.dumps(summary).decode()
    assert summary["overall"]["error_samples"]["rate_limited"][0]["http_status"] == 429
