"""What every wire-format adapter needs: JSON that may be garbage, and error bodies.

Built-in and third-party adapters use these so that a bad body, a bad chunk
and an error response turn into the same :class:`ErrorInfo` shapes whatever
the provider: retryability from the kind, the server's retry hint from the
headers, messages cut to a readable length.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from harness.contracts import ErrorInfo, ErrorKind, StreamEvent
from harness.errors import is_retryable, retry_after_seconds

MESSAGE_LIMIT = 500


def classified_error(
    kind: ErrorKind,
    message: str,
    status: int | None,
    headers: Mapping[str, str],
    retry_after_s: float | None = None,
) -> ErrorInfo:
    """An ErrorInfo whose retryability and retry hint follow the shared rules."""
    return ErrorInfo(
        kind=kind,
        message=message[:MESSAGE_LIMIT],
        http_status=status,
        retryable=is_retryable(kind),
        retry_after_s=retry_after_s if retry_after_s is not None else retry_after_seconds(headers),
    )


def load_json_body(body: bytes, status: int | None) -> tuple[Any, ErrorInfo | None]:
    """The parsed body, or a ``protocol`` error saying what came instead."""
    try:
        return orjson.loads(body), None
    except orjson.JSONDecodeError:
        return None, ErrorInfo("protocol", f"response body is not JSON: {body[:120]!r}", status)


def load_json_chunk(data: str, what: str = "chunk") -> tuple[Any, StreamEvent | None]:
    """A parsed stream chunk, or the ``protocol`` error event to yield instead."""
    try:
        return orjson.loads(data), None
    except orjson.JSONDecodeError:
        return None, not_json_error(data, what)


def not_json_error(data: str, what: str = "chunk") -> StreamEvent:
    """The ``protocol`` error event for a chunk that is not JSON.

    For adapters that call ``orjson.loads`` themselves on their hot path.
    """
    return StreamEvent("error", tokens=0, error=chunk_not_json(data, what))


def chunk_not_json(data: str, what: str = "chunk") -> ErrorInfo:
    """The ``protocol`` error of a chunk that is not JSON, for a chunk parser's ``out.fail``."""
    return ErrorInfo("protocol", f"{what} is not JSON: {data[:80]!r}")


def stream_error(kind: ErrorKind, message: str) -> StreamEvent:
    return StreamEvent("error", tokens=0, error=ErrorInfo(kind, message))


def error_detail(body: bytes, status: int, key: str = "error") -> dict[str, Any]:
    """The body's error object; a body that has none is described by its text."""
    data, _ = load_json_body(body, status)
    if isinstance(data, list) and data:
        data = data[0]  # some gateways wrap the error object in a list
    detail = data.get(key) if isinstance(data, dict) else None
    if isinstance(detail, dict):
        return detail
    text = body[:200].decode("utf-8", errors="replace").strip()
    return {"message": text or f"HTTP {status}"}
