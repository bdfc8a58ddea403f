from __future__ import annotations

from harness.wire import (
    MESSAGE_LIMIT,
    classified_error,
    error_detail,
    load_json_body,
    load_json_chunk,
    stream_error,
)


def test_classified_error_fills_retryability_and_hint() -> None:
    info = classified_error("rate_limited", "slow", 429, {"retry-after": "4"})
    assert (info.kind, info.retryable, info.retry_after_s, info.http_status) == (
        "rate_limited",
        True,
        4.0,
        429,
    )
    explicit = classified_error("rate_limited", "slow", 429, {"retry-after": "4"}, 47.0)
    assert explicit.retry_after_s == 47.0
    assert not classified_error("auth", "no", 401, {}).retryable
    assert len(classified_error("server", "x" * 5000, 500, {}).message) == MESSAGE_LIMIT


def test_json_body_and_chunk() -> None:
    assert load_json_body(b'{"a": 1}', 200) == ({"a": 1}, None)
    data, error = load_json_body(b"<html>", 200)
    assert data is None and error is not None and error.kind == "protocol"
    chunk, event = load_json_chunk("{nope", "event 'x'")
    assert chunk is None and event is not None and event.error is not None
    assert event.error.message.startswith("event 'x' is not JSON")


def test_error_detail_from_object_list_or_text() -> None:
    assert error_detail(b'{"error": {"message": "m"}}', 400) == {"message": "m"}
    assert error_detail(b'[{"error": {"code": 429}}]', 429) == {"code": 429}
    assert error_detail(b"Bad Gateway", 502) == {"message": "Bad Gateway"}
    assert error_detail(b"", 503) == {"message": "HTTP 503"}
    assert error_detail(b'{"failure": {"detail": "d"}}', 500, key="failure") == {"detail": "d"}


def test_stream_error_event() -> None:
    event = stream_error("stream_broken", "cut")
    assert event.kind == "error" and event.error is not None
    assert (event.error.kind, event.error.message) == ("stream_broken", "cut")
