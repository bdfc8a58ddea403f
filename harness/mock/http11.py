"""The HTTP/1.1 wire layer of the simulator: reading requests, framing responses.

Only what an API client needs: a request line, headers, a ``Content-Length``
body (``Expect: 100-continue`` is answered; chunked request bodies get 411),
keep-alive by default on HTTP/1.1 and on request on HTTP/1.0. Responses are
either JSON with ``Content-Length`` or a chunked event stream (unchunked,
ending at close, for HTTP/1.0 clients). Works on any socket with ``recv`` and
``sendall``; the server hands it gevent sockets.
"""

from __future__ import annotations

import contextlib
import http
import socket
from typing import Any

_MAX_HEAD_BYTES = 64 * 1024
_MAX_BODY_BYTES = 64 * 1024 * 1024
_RECV_BYTES = 65536


def _reason(status: int) -> str:
    if status == 529:
        return "Site Overloaded"
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def response_head(
    status: int,
    content_type: bytes,
    *,
    length: int | None,
    keep_alive: bool,
    extra: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """A response status line and headers, ending with the blank line."""
    lines = [
        b"HTTP/1.1 %d %s\r\nServer: harness-mock\r\nContent-Type: %s\r\n"
        % (status, _reason(status).encode(), content_type)
    ]
    if length is None:
        lines.append(b"Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n")
    else:
        lines.append(b"Content-Length: %d\r\n" % length)
    if not keep_alive:
        lines.append(b"Connection: close\r\n")
    for name, value in extra:
        lines.append(f"{name}: {value}\r\n".encode("latin-1"))
    lines.append(b"\r\n")
    return b"".join(lines)


JSON_TYPE = b"application/json"
EVENT_STREAM_TYPE = b"text/event-stream; charset=utf-8"

# The hot paths' headers, built once.
STREAM_HEAD_KEEP_ALIVE = response_head(200, EVENT_STREAM_TYPE, length=None, keep_alive=True)
STREAM_HEAD_CLOSE = response_head(200, EVENT_STREAM_TYPE, length=None, keep_alive=False)
STREAM_HEAD_UNCHUNKED = (
    b"HTTP/1.1 200 OK\r\nServer: harness-mock\r\nContent-Type: "
    + EVENT_STREAM_TYPE
    + b"\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
)


class BadRequest(Exception):
    """A request the server cannot read; answered, then the connection closes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class HttpRequest:
    """One parsed HTTP request."""

    __slots__ = ("body", "headers", "http11", "keep_alive", "method", "path", "query")

    def __init__(
        self,
        method: str,
        path: str,
        http11: bool,
        headers: dict[str, str],
        body: bytes,
        keep_alive: bool,
        query: str = "",
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.http11 = http11
        self.headers = headers
        self.body = body
        self.keep_alive = keep_alive


class Connection:
    """A client socket with its read buffer."""

    __slots__ = ("buffer", "sock")

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.buffer = b""

    def read_request(self) -> HttpRequest | None:
        """The next request, or None when the client closed the connection."""
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        while end < 0:
            if len(buffer) > _MAX_HEAD_BYTES:
                raise BadRequest(431, "request headers too large")
            data = self.sock.recv(_RECV_BYTES)
            if not data:
                return None
            searched = max(0, len(buffer) - 3)
            buffer += data
            end = buffer.find(b"\r\n\r\n", searched)
        head = buffer[:end].decode("latin-1").lstrip("\r\n")
        rest = buffer[end + 4 :]

        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            raise BadRequest(400, f"malformed request line {lines[0][:100]!r}")
        method, target, version = parts
        if version == "HTTP/1.1":
            http11 = True
        elif version == "HTTP/1.0":
            http11 = False
        else:
            raise BadRequest(505, f"unsupported protocol version {version[:20]!r}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon:
                raise BadRequest(400, f"malformed header line {line[:100]!r}")
            headers[name.strip().lower()] = value.strip()

        connection = headers.get("connection", "").lower()
        keep_alive = "close" not in connection if http11 else "keep-alive" in connection
        if "transfer-encoding" in headers:
            raise BadRequest(411, "chunked request bodies are not supported; send Content-Length")
        length_text = headers.get("content-length")
        length = 0
        if length_text is not None:
            if not length_text.isdigit():
                raise BadRequest(400, f"bad Content-Length {length_text[:40]!r}")
            length = int(length_text)
            if length > _MAX_BODY_BYTES:
                raise BadRequest(413, f"request body over {_MAX_BODY_BYTES} bytes")
        if len(rest) < length:
            if headers.get("expect", "").lower() == "100-continue":
                self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            chunks = [rest]
            received = len(rest)
            while received < length:
                data = self.sock.recv(min(max(_RECV_BYTES, length - received), 1 << 20))
                if not data:
                    return None
                chunks.append(data)
                received += len(data)
            rest = b"".join(chunks)
        self.buffer = rest[length:]
        path, _, query = target.partition("?")
        return HttpRequest(method, path, http11, headers, rest[:length], keep_alive, query)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_json(
        self,
        status: int,
        body: bytes,
        keep_alive: bool,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        head = response_head(
            status, JSON_TYPE, length=len(body), keep_alive=keep_alive, extra=extra
        )
        self.sock.sendall(head + body)

    def close_abruptly(self) -> None:
        """End the connection mid-response, as a crashed upstream would."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class StreamWriter:
    """Writes SSE events as HTTP chunks, headers first; one socket write per call."""

    __slots__ = ("chunked", "head", "sock")

    def __init__(self, sock: Any, head: bytes, chunked: bool) -> None:
        self.sock = sock
        self.head = head
        self.chunked = chunked

    def write(self, events: list[bytes], last: bool = False) -> None:
        pieces: list[bytes] = []
        if self.head:
            pieces.append(self.head)
            self.head = b""
        # An empty payload must not become a chunk: a zero-size chunk ends the body.
        payload = b"".join(events)
        if payload:
            if self.chunked:
                pieces += (b"%x\r\n" % len(payload), payload, b"\r\n")
            else:
                pieces.append(payload)
        if last and self.chunked:
            pieces.append(b"0\r\n\r\n")
        if pieces:
            self.sock.sendall(b"".join(pieces))
