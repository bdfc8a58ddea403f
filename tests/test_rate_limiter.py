from __future__ import annotations

import pytest

from harness.rate_limiter import LimitSettings, TargetRateLimiter, TokenBucket


def test_bucket_allows_a_burst_then_paces() -> None:
    bucket = TokenBucket(rate_per_s=2.0, capacity=2.0, now=0.0)
    assert bucket.reserve(1, 0.0) == 0.0
    assert bucket.reserve(1, 0.0) == 0.0
    assert bucket.reserve(1, 0.0) == pytest.approx(0.5)
    assert bucket.reserve(1, 0.0) == pytest.approx(1.0)
    assert bucket.reserve(1, 10.0) == 0.0  # refilled, capped at capacity


def test_rpm_limit_spaces_requests() -> None:
    limiter = TargetRateLimiter(LimitSettings(requests_per_minute=60, burst_s=1.0), now=0.0)
    waits = [limiter.reserve(0, 0.0) for _ in range(3)]
    assert waits[0] == (0.0, None)
    assert waits[1] == (pytest.approx(1.0), "rpm")
    assert waits[2] == (pytest.approx(2.0), "rpm")


def test_tpm_reserves_an_estimate_and_settles_real_usage() -> None:
    limiter = TargetRateLimiter(LimitSettings(tokens_per_minute=600, burst_s=1.0), now=0.0)
    # 10 tokens/s, 10 banked: a 30-token reservation waits 2 s.
    assert limiter.reserve(30, 0.0) == (pytest.approx(2.0), "tpm")
    limiter.settle(30, 10, 0.0)  # only 10 used: the 20-token debt is forgiven
    # The balance is back to 0, so 10 more tokens wait 1 s (3 s without the refund).
    assert limiter.reserve(10, 0.0) == (pytest.approx(1.0), "tpm")


def test_no_limits_is_inactive() -> None:
    assert not LimitSettings().active
    with pytest.raises(ValueError):
        LimitSettings(requests_per_minute=0)
