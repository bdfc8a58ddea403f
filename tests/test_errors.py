from __future__ import annotations

import email.utils

import pytest

from harness.errors import TransportError, is_retryable, kind_for_status, retry_after_seconds


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, "bad_request"),
        (401, "auth"),
        (402, "quota"),
        (403, "permission"),
        (404, "not_found"),
        (429, "rate_limited"),
        (500, "server"),
        (502, "server"),
        (503, "overloaded"),
        (529, "overloaded"),
        (418, "bad_request"),
    ],
)
def test_kind_for_status(status: int, kind: str) -> None:
    assert kind_for_status(status) == kind


def test_retryable_kinds_exclude_client_errors() -> None:
    assert is_retryable("rate_limited") and is_retryable("stream_broken")
    for kind in ("auth", "permission", "not_found", "bad_request", "context_length", "quota"):
        assert not is_retryable(kind)


def test_retry_after_ms_wins_over_seconds() -> None:
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5


def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_seconds({"retry-after": date}, now=now) == pytest.approx(30.0, abs=1.0)


def test_retry_after_absent_or_garbage() -> None:
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"retry-after": "soon"}) is None


def test_transport_error_to_error_info() -> None:
    info = TransportError("stream_broken", "cut").to_error_info()
    assert (info.kind, info.message, info.retryable) == ("stream_broken", "cut", True)
