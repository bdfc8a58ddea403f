from __future__ import annotations

import pytest

from harness.backoff import BUILT_IN_NAMES, BackoffPolicy, RetrySettings
from harness.contracts import ErrorInfo

RATE_LIMITED = ErrorInfo("rate_limited", "slow down", 429, retryable=True)
SETTINGS = RetrySettings(max_attempts=6, base=0.5, cap=4.0, hint_cap=30.0)


def policy(name: str, seed: int = 1) -> BackoffPolicy:
    return BackoffPolicy(name).configure(SETTINGS, seed=seed)


def test_built_in_names() -> None:
    assert BUILT_IN_NAMES == (
        "none",
        "fixed",
        "exponential",
        "full-jitter",
        "equal-jitter",
        "decorrelated-jitter",
    )


def test_none_never_retries() -> None:
    assert policy("none").delay(1, RATE_LIMITED) is None


def test_fixed_and_exponential_with_cap() -> None:
    assert [policy("fixed").delay(n, RATE_LIMITED) for n in (1, 2, 3)] == [0.5, 0.5, 0.5]
    delays = [policy("exponential").delay(n, RATE_LIMITED) for n in range(1, 6)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0]


@pytest.mark.parametrize("attempt", [1, 2, 3, 4, 5])
def test_jitters_stay_in_their_ranges(attempt: int) -> None:
    expo = min(4.0, 0.5 * 2 ** (attempt - 1))
    for seed in range(50):
        full = policy("full-jitter", seed).delay(attempt, RATE_LIMITED)
        equal = policy("equal-jitter", seed).delay(attempt, RATE_LIMITED)
        assert full is not None and 0.0 <= full <= expo
        assert equal is not None and expo / 2 <= equal <= expo


def test_decorrelated_jitter_grows_from_the_previous_delay_and_is_capped() -> None:
    for seed in range(50):
        first = policy("decorrelated-jitter", seed).delay(1, RATE_LIMITED)
        assert first is not None and 0.5 <= first <= 1.5
        later = policy("decorrelated-jitter", seed).delay(3, RATE_LIMITED, previous_delay=1.0)
        assert later is not None and 0.5 <= later <= 3.0
        capped = policy("decorrelated-jitter", seed).delay(4, RATE_LIMITED, previous_delay=3.9)
        assert capped is not None and capped <= 4.0


def test_seeded_jitter_is_reproducible() -> None:
    a = [policy("full-jitter", 7).delay(n, RATE_LIMITED) for n in (1, 2, 3)]
    b = [policy("full-jitter", 7).delay(n, RATE_LIMITED) for n in (1, 2, 3)]
    assert a == b


def test_server_hint_wins_up_to_its_cap() -> None:
    hinted = ErrorInfo("rate_limited", "m", 429, True, retry_after_s=7.0)
    assert policy("exponential").delay(1, hinted) == 7.0
    too_long = ErrorInfo("rate_limited", "m", 429, True, retry_after_s=120.0)
    assert policy("exponential").delay(1, too_long) == 0.5


def test_attempts_are_bounded() -> None:
    assert policy("fixed").delay(5, RATE_LIMITED) == 0.5
    assert policy("fixed").delay(6, RATE_LIMITED) is None


@pytest.mark.parametrize(
    "kind", ["auth", "permission", "not_found", "bad_request", "context_length", "quota"]
)
def test_kinds_a_retry_cannot_fix_are_never_retried(kind: str) -> None:
    assert policy("fixed").delay(1, ErrorInfo(kind, "m", 400)) is None  # type: ignore[arg-type]


def test_settings_refuse_unsafe_kinds_and_nonsense() -> None:
    with pytest.raises(ValueError, match="never fix: auth"):
        RetrySettings(retry_kinds=frozenset({"auth", "server"}))
    with pytest.raises(ValueError, match="max_attempts"):
        RetrySettings(max_attempts=0)
