"""Canned HTTP responses for :class:`~harness.testing.server.TranscriptServer` to replay."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

Headers = tuple[tuple[str, str], ...]


def _header_pairs(headers: Mapping[str, str] | Headers) -> Headers:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((str(name), str(value)) for name, value in items)


def _as_bytes(body: bytes | str | Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return orjson.dumps(body)


def sse_event(data: bytes | str | Any, event: str | None = None) -> bytes:
    """One server-sent event: ``event:`` (when named), ``data:`` and the blank line.

    ``data`` may be bytes, text, or anything JSON-serializable (sent as JSON).
    """
    head = f"event: {event}\n".encode() if event else b""
    return head + b"data: " + _as_bytes(data) + b"\n\n"


@dataclass(frozen=True)
class Transcript:
    """One HTTP response, replayed byte for byte.

    ``pieces`` go out one socket write each (one HTTP chunk each when
    ``chunked``), ``gap_s`` apart. With ``cut_after=k`` the server sends the
    first ``k`` pieces and closes the connection: no terminating chunk, or a
    body shorter than its Content-Length.
    """

    status: int = 200
    pieces: tuple[bytes, ...] = ()
    content_type: str = "application/json"
    headers: Headers = ()
    chunked: bool = False
    gap_s: float = 0.0
    cut_after: int | None = None

    @classmethod
    def sse(
        cls,
        *events: bytes | str,
        status: int = 200,
        headers: Mapping[str, str] | Headers = (),
        gap_s: float = 0.0,
    ) -> Transcript:
        """A chunked ``text/event-stream``; each item is one piece (see :func:`sse_event`)."""
        return cls(
            status=status,
            pieces=tuple(_as_bytes(event) for event in events),
            content_type="text/event-stream",
            headers=_header_pairs(headers),
            chunked=True,
            gap_s=gap_s,
        )

    @classmethod
    def json(
        cls,
        body: bytes | str | Any,
        status: int = 200,
        headers: Mapping[str, str] | Headers = (),
        content_type: str = "application/json",
    ) -> Transcript:
        """A body with Content-Length: bytes or text as given, anything else as JSON."""
        return cls(
            status=status,
            pieces=(_as_bytes(body),),
            content_type=content_type,
            headers=_header_pairs(headers),
        )

    @property
    def body(self) -> bytes:
        return b"".join(self.pieces)

    def cut(self, after: int) -> Transcript:
        """This response, with the connection closed after ``after`` pieces."""
        if not 0 <= after <= len(self.pieces):
            raise ValueError(f"cut after {after} pieces: the transcript has {len(self.pieces)}")
        return dataclasses.replace(self, cut_after=after)

    def truncated(self, keep: int) -> Transcript:
        """Only the first ``keep`` pieces, properly terminated: a stream missing its end."""
        return dataclasses.replace(self, pieces=self.pieces[:keep], cut_after=None)
