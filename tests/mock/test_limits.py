"""The server-side token buckets, on a fake clock."""

from __future__ import annotations

import pytest

from harness.mock.limits import ServerLimits, go_duration, retry_headers
from harness.rate_limits import parse_rate_limit_headers

from .conftest import FakeClock


def test_a_600_rpm_bucket_takes_a_seconds_burst_then_one_per_100_ms() -> None:
    clock = FakeClock()
    limits = ServerLimits(600, 0, 1.0, clock)
    assert [limits.admit(10) for _ in range(10)] == [0.0] * 10
    assert limits.admit(10) == pytest.approx(0.1)
    clock.now += 0.05
    assert limits.admit(10) == pytest.approx(0.05)  # a refusal takes nothing
    clock.now += 0.05
    assert limits.admit(10) == 0.0
    assert limits.admit(10) == pytest.approx(0.1)


def test_over_a_long_run_admissions_match_the_rate() -> None:
    clock = FakeClock()
    limits = ServerLimits(600, 0, 1.0, clock)
    admitted = 0
    for _ in range(6000):  # 1200 RPM offered for 5 minutes
        admitted += limits.admit(1) == 0.0
        clock.now += 0.05
    assert admitted == pytest.approx(10 + 300 * 10, abs=2)


def test_the_token_bucket_counts_tokens_and_lets_an_oversize_request_into_debt() -> None:
    clock = FakeClock()
    limits = ServerLimits(0, 6000, 1.0, clock)  # 100 tokens/s, holds 100
    assert limits.admit(60) == 0.0
    assert limits.admit(60) == pytest.approx(0.2)
    clock.now += 0.2
    assert limits.admit(60) == 0.0
    assert limits.admit(500) == pytest.approx(1.0)  # waits for a full bucket, no more
    clock.now += 1.0
    assert limits.admit(500) == 0.0
    assert limits.admit(1) == pytest.approx(4.01)  # the debt of 400 tokens, plus one


def test_either_bucket_can_refuse() -> None:
    clock = FakeClock()
    limits = ServerLimits(60, 6000, 1.0, clock)  # one request/s, 100 tokens/s
    assert limits.admit(10) == 0.0
    assert limits.admit(10) == pytest.approx(1.0)
    clock.now += 1.0
    assert limits.admit(10) == 0.0


def test_headers_read_back_through_the_harness_parser() -> None:
    clock = FakeClock()
    limits = ServerLimits(600, 60000, 2.0, clock)
    limits.admit(250)
    headers = dict(limits.headers())
    assert headers["x-ratelimit-limit-requests"] == "600"
    assert headers["x-ratelimit-remaining-requests"] == "19"
    assert headers["x-ratelimit-reset-requests"] == "100ms"
    state = parse_rate_limit_headers(headers)
    assert state is not None
    assert (state.limit_requests, state.remaining_requests) == (600, 19)
    assert (state.limit_tokens, state.remaining_tokens) == (60000, 1750)
    assert state.reset_requests_s == pytest.approx(0.1)
    assert state.reset_tokens_s == pytest.approx(0.25)
    assert ServerLimits(0, 100, 1.0, clock).headers()[0][0] == "x-ratelimit-limit-tokens"


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.0, "0ms"), (0.0201, "21ms"), (1.0, "1s"), (62.5, "62.5s")]
)
def test_go_duration(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "after", "millis"), [(0.1, "1", "100"), (1.0, "1", "1000"), (1.0004, "2", "1001")]
)
def test_retry_headers_round_up(seconds: float, after: str, millis: str) -> None:
    assert retry_headers(seconds) == (("Retry-After", after), ("retry-after-ms", millis))
