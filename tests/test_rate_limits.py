from __future__ import annotations

import pytest

from harness.rate_limits import RateLimitState, parse_rate_limit_headers, rate_limit_record

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def test_openai_headers() -> None:
    headers = {
        "x-ratelimit-limit-requests": "60",
        "x-ratelimit-remaining-requests": "59",
        "x-ratelimit-reset-requests": "1s",
        "x-ratelimit-limit-tokens": "150000",
        "x-ratelimit-remaining-tokens": "149984",
        "x-ratelimit-reset-tokens": "6m0s",
        "content-type": "application/json",
    }
    assert parse_rate_limit_headers(headers) == RateLimitState(
        limit_requests=60,
        remaining_requests=59,
        reset_requests_s=1.0,
        limit_tokens=150_000,
        remaining_tokens=149_984,
        reset_tokens_s=360.0,
    )


@pytest.mark.parametrize(
    ("reset", "seconds"),
    [
        ("6m0s", 360.0),
        ("1.5s", 1.5),
        ("250ms", 0.25),
        ("20ms", 0.02),
        ("1h2m3s", 3723.0),
        ("0s", 0.0),
        ("750us", 0.00075),
        ("17", 17.0),  # a bare number is seconds
    ],
)
def test_duration_resets(reset: str, seconds: float) -> None:
    state = parse_rate_limit_headers({"x-ratelimit-reset-tokens": reset})
    assert state is not None
    assert state.reset_tokens_s == pytest.approx(seconds)
    assert state.remaining_tokens is None and state.reset_requests_s is None


def test_anthropic_headers_with_rfc3339_resets() -> None:
    headers = {
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:30Z",
        "anthropic-ratelimit-tokens-limit": "90000",
        "anthropic-ratelimit-tokens-remaining": "88000",
        "anthropic-ratelimit-tokens-reset": "2026-01-01T01:00:02.5+01:00",
        # The combined family wins over the split ones.
        "anthropic-ratelimit-input-tokens-remaining": "10",
    }
    state = parse_rate_limit_headers(headers, now=NOW)
    assert state == RateLimitState(
        limit_requests=50,
        remaining_requests=49,
        reset_requests_s=30.0,
        limit_tokens=90_000,
        remaining_tokens=88_000,
        reset_tokens_s=2.5,
    )


def test_anthropic_split_token_families_report_the_tightest() -> None:
    headers = {
        "Anthropic-RateLimit-Input-Tokens-Limit": "40000",
        "Anthropic-RateLimit-Input-Tokens-Remaining": "39000",
        "Anthropic-RateLimit-Output-Tokens-Limit": "8000",
        "Anthropic-RateLimit-Output-Tokens-Remaining": "300",
        "Anthropic-RateLimit-Output-Tokens-Reset": "2026-01-01T00:00:09.123456789Z",
    }
    state = parse_rate_limit_headers(headers, now=NOW)
    assert state is not None
    assert (state.limit_tokens, state.remaining_tokens) == (8000, 300)
    assert state.reset_tokens_s == pytest.approx(9.123456, abs=1e-6)
    assert state.remaining_requests is None


def test_a_reset_in_the_past_is_zero_seconds_away() -> None:
    headers = {"anthropic-ratelimit-requests-reset": "2025-12-31T23:59:00Z"}
    state = parse_rate_limit_headers(headers, now=NOW)
    assert state is not None and state.reset_requests_s == 0.0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "text/event-stream", "retry-after": "3"},
        {"x-ratelimit-remaining-requests": "lots"},
        {"x-ratelimit-remaining-requests": "-1"},
        {"x-ratelimit-remaining-tokens": "nan"},
        {"x-ratelimit-limit-tokens": "inf"},
        {"x-ratelimit-reset-requests": "soon"},
        {"x-ratelimit-reset-requests": "-5s"},
        {"x-ratelimit-reset-requests": "6m0sx"},
        {"x-ratelimit-reset-requests": ""},
        {"anthropic-ratelimit-requests-reset": "2026-13-45T99:00:00Z"},
        {"x-ratelimit-remaining-widgets": "5"},
        {"x-ratelimit-": "5"},
    ],
)
def test_garbage_is_ignored(headers: dict[str, str]) -> None:
    assert parse_rate_limit_headers(headers) is None
    assert rate_limit_record(headers) is None


def test_one_garbage_value_does_not_spoil_the_others() -> None:
    headers = {"x-ratelimit-remaining-requests": "12.0", "x-ratelimit-limit-requests": "?"}
    state = parse_rate_limit_headers(headers)
    assert state == RateLimitState(remaining_requests=12)


def test_record_form_has_every_field() -> None:
    record = rate_limit_record({"x-ratelimit-remaining-tokens": "900"})
    assert record == {
        "limit_requests": None,
        "remaining_requests": None,
        "reset_requests_s": None,
        "limit_tokens": None,
        "remaining_tokens": 900,
        "reset_tokens_s": None,
    }
