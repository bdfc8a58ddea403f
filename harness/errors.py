"""Failure vocabulary shared by the transport, adapters and the client.

Adapters map provider error bodies to an :class:`~harness.contracts.ErrorInfo`;
the helpers here give them the common parts (status defaults, server retry
hints) so every adapter classifies the same status the same way.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping

from harness.contracts import ErrorInfo, ErrorKind


class TransportError(Exception):
    """A failure below HTTP semantics: connect, timeout, cut stream, bad framing."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message

    def to_error_info(self) -> ErrorInfo:
        retryable = self.kind in ("timeout", "connection", "stream_broken")
        return ErrorInfo(kind=self.kind, message=self.message, retryable=retryable)


class HarnessConfigError(Exception):
    """Bad input from the user: the message says where, which key, what was expected."""


_STATUS_KINDS: dict[int, ErrorKind] = {
    400: "bad_request",
    401: "auth",
    402: "quota",
    403: "permission",
    404: "not_found",
    408: "timeout",
    413: "context_length",
    422: "bad_request",
    429: "rate_limited",
    503: "overloaded",
    529: "overloaded",
}
_RETRYABLE_KINDS: frozenset[str] = frozenset(
    {"rate_limited", "overloaded", "server", "timeout", "connection", "stream_broken"}
)


def kind_for_status(status: int) -> ErrorKind:
    """The error kind a bare HTTP status implies, before reading its body."""
    if status in _STATUS_KINDS:
        return _STATUS_KINDS[status]
    return "server" if status >= 500 else "bad_request"


def is_retryable(kind: str) -> bool:
    return kind in _RETRYABLE_KINDS


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The server's retry hint: ``retry-after-ms`` first, then ``retry-after``.

    ``retry-after`` may be seconds or an HTTP date, as the OpenAI and
    Anthropic SDKs both accept. Header names must be lower-case.
    """
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
