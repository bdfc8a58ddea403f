"""`harness run` as CI runs it: real simulator, real Locust, exit codes and junit.xml."""

from __future__ import annotations

import socket
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import orjson
import pytest
from harness_command import harness


def run(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return harness(
        "run", "-u", "4", "-t", "3s", "--report-dir", str(out), "--max-tokens", "8", *args
    )


def summary_of(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads((out / "summary.json").read_bytes())
    return data


def test_a_breached_slo_exits_1_with_a_failing_junit_testcase(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = run(out, "--mock-ttft-ms", "200", "--slo", "ttft.p95<50ms", "--slo", "error_rate<1%")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "SLO verdict: FAILED (1 broken)" in result.stdout
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    failing = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert [case.get("name") for case in failing] == ["ttft.p95<50ms"]
    failure = failing[0].find("failure")
    message = failure.get("message") if failure is not None else None
    assert message is not None and message.startswith("ttft.p95 (overall): measured 2")
    assert message.endswith(" ms, threshold < 50.0 ms")
    slo = summary_of(out)["slo"]
    assert slo["verdict"] == "fail" and slo["results"][0]["measured"] > 0.19

    # `harness report` judges the rebuilt run by the same rules and fails the same way.
    again = harness("report", str(out / "records.jsonl"), "-o", str(tmp_path / "again"))
    assert again.returncode == 1, again.stderr
    assert summary_of(tmp_path / "again")["slo"]["results"] == slo["results"]


def test_a_passing_run_exits_0_and_reports_goodput(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = run(
        out, "--mock-ttft-ms", "20", "--slo", "ttft.p95<500ms;e2e.p99<2s", "--slo", "goodput>1"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = summary_of(out)
    assert summary["slo"]["verdict"] == "pass"
    goodput = summary["overall"]["goodput"]
    assert goodput["requests"] == summary["overall"]["ok"] > 0 and goodput["share"] == 1.0
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("3", "0")
    generator = summary["run"]["generator"]
    assert generator["samples"] >= 2 and generator["loop_lag_ms"]["max"] is not None


def test_session_goodput_counts_conversations_whose_turns_all_met(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = run(
        out,
        "--mock-ttft-ms",
        "20",
        "--workload",
        "sessions",
        "--session-turns",
        "2",
        "--slo",
        "ttft.p95<2s",
        "--slo",
        "session_goodput>0",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    goodput = summary_of(out)["overall"]["goodput"]
    assert goodput["sessions"] > 0 and goodput["sessions_met"] == goodput["sessions"]
    records = [orjson.loads(line) for line in (out / "records.jsonl").read_bytes().splitlines()]
    ends = [r for r in records if "session_end" in r["tags"]]
    assert len(ends) == goodput["sessions"] and {r["tags"]["turn"] for r in ends} == {"2"}


def test_warmup_attempts_are_recorded_but_not_measured(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = run(out, "--mock-ttft-ms", "100", "--warmup", "1500ms")
    assert result.returncode == 0, result.stderr[-3000:]
    records = [orjson.loads(line) for line in (out / "records.jsonl").read_bytes().splitlines()]
    phases = [record["phase"] for record in records]
    assert phases.count("warmup") > 0 and phases.count("measured") > 0
    summary = summary_of(out)
    started = summary["run"]["started_at"]
    assert all(r["started_at"] < started + 1.5 for r in records if r["phase"] == "warmup")
    assert summary["overall"]["requests"] == phases.count("measured")
    assert summary["run"]["excluded"] == {"warmup": phases.count("warmup")}
    window = summary["run"]["measured_window"]
    assert window[0] >= started + 1.5
    assert summary["overall"]["throughput"]["window_s"] == window[1] - window[0]

    again = harness("report", str(out / "records.jsonl"), "-o", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    rebuilt = summary_of(tmp_path / "again")
    assert rebuilt["overall"] == summary["overall"]
    assert rebuilt["run"]["measured_window"] == window


def test_max_error_rate_stops_a_failing_run_with_its_reason(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = harness(
        "run",
        "-u",
        "4",
        "-t",
        "20s",
        "--report-dir",
        str(out),
        "--mock-ttft-ms",
        "0",
        "--mock-fault",
        "http:500",
        "--max-error-rate",
        "5%",
    )
    summary = summary_of(out)
    assert summary["run"]["duration_s"] < 15, "the stop rule should end the run early"
    assert any(
        w.startswith("stopped early: --max-error-rate 5% exceeded:")
        for w in summary["run"]["warnings"]
    ), summary["run"]["warnings"]
    assert summary["overall"]["requests"] >= 20
    assert result.returncode == 1  # no SLOs: Locust's own rule, failed requests exit 1


def test_an_unreachable_target_is_a_run_error(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "r"
    result = harness(
        "run",
        "-u",
        "2",
        "-t",
        "2s",
        "--report-dir",
        str(out),
        "--target",
        f"http://127.0.0.1:{port}/v1",
        "--connect-timeout",
        "1",
        "--slo",
        "error_rate<50%",
    )
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "RUN ERROR: every attempt failed with a connection error" in result.stdout


def test_a_bad_rule_stops_the_run_before_any_traffic(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = run(out, "--slo", "ttft.p95<1s", "--slo", "tfft.p95<1s")
    assert result.returncode == 2
    assert "--slo: SLO 'tfft.p95<1s': unknown metric 'tfft'; expected one of ttft," in result.stderr
    assert not (out / "records.jsonl").exists()


@pytest.mark.slow
def test_an_oversaturated_target_stops_the_run(tmp_path: Path) -> None:
    """20 arrivals/s against one slot serving 10/s: the queue, and its latency, grow."""
    out = tmp_path / "r"
    harness(
        "run", "-t", "40s", "--rate", "20", "--max-concurrency", "500", "--report-dir", str(out),
        "--max-tokens", "4", "--mock-ttft-ms", "100", "--mock-itl-ms", "1", "--mock-slots", "1",
        "--stop-on-oversaturation",
    )  # fmt: skip
    run_info = summary_of(out)["run"]
    assert run_info["duration_s"] < 35, "the stop rule should end the run early"
    reasons = [w for w in run_info["warnings"] if w.startswith("stopped early: over-saturated")]
    assert reasons, run_info["warnings"]
