from __future__ import annotations

import pytest

from harness.report.console import format_console_summary
from harness.report.formatting import format_ms, format_rate


def line_starting(text: str, first_cell: str) -> list[str]:
    return next(line.split() for line in text.splitlines() if line.split()[:1] == [first_cell])


def test_volume_rows_hold_counts_and_rates(summary):
    text = format_console_summary(summary)

    overall = line_starting(text, "overall")
    throughput = summary["overall"]["throughput"]
    assert overall == [
        "overall",
        "10",
        "7",
        "3",
        "30.00%",
        format_rate(throughput["output_tokens_per_s"]),
        format_rate(throughput["requests_per_s"]),
    ]
    assert line_starting(text, "beta")[1:4] == ["5", "3", "2"]


def test_errors_are_listed_by_kind(summary):
    text = format_console_summary(summary)
    assert "  overall: rate_limited 1, server 1, timeout 1" in text
    assert "  alpha: rate_limited 1" in text


def test_latency_rows_hold_p50_p90_p99_in_ms(summary):
    text = format_console_summary(summary)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("latency (ms)"))
    beta_ttft = next(line.split() for line in lines[start:] if line.startswith("beta"))
    expected = [summary["targets"]["beta"]["latency"]["ttft"][q] for q in ("p50", "p90", "p99")]
    assert beta_ttft == ["beta", "TTFT", *(format_ms(v) for v in expected)]
    assert float(beta_ttft[2]) == pytest.approx(500.0, rel=0.03)
    # ITL was never measured in this run: shown as missing, not as zero.
    itl = next(line.split() for line in lines[start:] if line.split()[:1] == ["ITL"])
    assert itl == ["ITL", "-", "-", "-"]


def test_partial_runs_say_so_first(summary):
    assert not format_console_summary(summary).startswith("PARTIAL")
    summary["run"]["partial"] = True
    assert format_console_summary(summary).startswith("PARTIAL RUN")


def test_usage_diff_line_and_estimated_note(summary):
    text = format_console_summary(summary)
    assert "  overall: input +0.0%, output +10.0% (!) (4 attempts)" in text
    assert "  alpha: input +0.0%, output +10.0% (!) (4 attempts)" in text
    assert "  beta: input" not in text  # nothing to compare for beta
    assert "note: usage estimated by the harness for 3 of 10 attempts (none reported)" in text


def test_no_usage_lines_without_comparisons_or_estimates(summary):
    for block in [summary["overall"], *summary["targets"].values()]:
        block["tokens"].update(compared_records=0, estimated_records=0)
    text = format_console_summary(summary)
    assert "usage diff" not in text and "note:" not in text


def test_a_retries_line_for_each_block_that_retried(retry_summary):
    text = format_console_summary(retry_summary)
    beta = retry_summary["targets"]["beta"]["latency"]

    assert "retries: attempts / logical requests;" in text
    assert (
        "  overall: 8 / 5 = 1.60x, logical success 80.00%, 2 succeeded after retry, "
        "1 denied by budget, 1 held by the limiter; E2E p50 " in text
    )
    assert "  alpha: 4 / 3 = 1.33x, logical success 100.00%, 1 succeeded after retry" in text
    # beta never succeeded at a first attempt: nothing to compare with.
    assert "  beta: 4 / 2 = 2.00x, logical success 50.00%" in text
    assert f"E2E p50 {format_ms(beta['logical_e2e']['p50'])} vs -" in text


def test_no_retries_lines_without_retries(summary):
    assert "retries:" not in format_console_summary(summary)
