"""Streaming HTTP/1.1 on gevent sockets, timed at the socket.

The request is written in one ``sendall``; the response goes through
geventhttpclient's C (llhttp) parser, fed by this module's own ``recv``
calls, so nothing buffers ahead of the caller: :meth:`HttpExchange.read_blocks`
hands over whatever one ``recv`` produced, stamped with ``perf_counter()`` as
``recv`` returns, before any parsing. The parser collects body bytes in a
private attribute of its response class (``_body_buffer``);
``tests/test_transport.py`` guards that. Connections are kept per origin
(:mod:`harness.http_origin`).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

from geventhttpclient.response import HTTPConnectionClosed, HTTPParseError, HTTPResponse

from harness.contracts import HttpCall
from harness.errors import TransportError
from harness.http_origin import Origin, request_head, split_url

_RECV_SIZE = 65536
_CUT_MESSAGE = "connection closed before the end of the body"
_perf_counter = time.perf_counter


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``read`` waits for response headers, ``stall`` for any byte mid-body."""

    connect: float = 10.0
    read: float = 120.0
    stall: float = 30.0
    total: float = 600.0

    @property
    def headers_wait(self) -> float:
        """The longest wait for any byte of the response headers."""
        return min(self.read, self.total)


class HttpExchange:
    """One request in flight: status and headers received, body still on the wire."""

    def __init__(
        self,
        response: HTTPResponse,
        sock: socket.socket,
        origin: Origin,
        timeouts: Timeouts,
        sent_at: float,
        headers_at: float,
        bytes_sent: int,
    ) -> None:
        self._response = response
        self._sock: socket.socket | None = sock
        self._origin = origin
        self._timeouts = timeouts
        self._deadline = sent_at + timeouts.total
        self.sent_at = sent_at
        self.headers_at = headers_at
        self.bytes_sent = bytes_sent
        self.bytes_received = 0
        self.status: int = response.status_code
        self.headers: dict[str, str] = {k.lower(): v for k, v in response.items()}
        if response.message_complete:
            self._release()

    def read_blocks(self) -> Iterator[tuple[bytes, float]]:
        """Yield body bytes as they arrive, each with its arrival time."""
        response = self._response
        pending = response._body_buffer
        if pending:
            # Bytes that came in the same segment as the headers arrived with them.
            block = bytes(pending)
            del pending[:]
            self.bytes_received += len(block)
            yield block, self.headers_at
        while not response.message_complete:
            sock = self._sock
            if sock is None:
                raise TransportError("stream_broken", "connection released before end of body")
            data = self._recv(sock)
            received_at = _perf_counter()
            try:
                response.feed(data)
            except HTTPParseError as exc:
                self.discard()
                if not data:
                    raise TransportError("stream_broken", _CUT_MESSAGE) from None
                raise TransportError("protocol", f"invalid HTTP framing: {exc}") from None
            if not data and not response.message_complete:
                self.discard()
                raise TransportError("stream_broken", _CUT_MESSAGE)
            if response.message_complete:
                self._release()
            body = response._body_buffer
            if body:
                block = bytes(body)
                del body[:]
                self.bytes_received += len(block)
                yield block, received_at

    def read_body(self) -> bytes:
        return b"".join(block for block, _ in self.read_blocks())

    def finish(self) -> None:
        """Close the connection if its body was not read to the end."""
        if not self._response.message_complete:
            self.discard()

    def discard(self) -> None:
        """Close the connection: after an error it cannot be reused."""
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def _release(self) -> None:
        """The response is complete: keep the connection for the next request if it may."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        if self._response.should_close():
            sock.close()
            return
        self._origin.idle.append(sock)

    def _recv(self, sock: socket.socket) -> bytes:
        remaining = self._deadline - _perf_counter()
        if remaining <= 0:
            self.discard()
            raise TransportError("timeout", f"total timeout of {self._timeouts.total:g}s exceeded")
        wait = min(self._timeouts.stall, remaining)
        sock.settimeout(wait)
        try:
            return sock.recv(_RECV_SIZE)
        except TimeoutError:
            self.discard()
            if wait < self._timeouts.stall:
                raise TransportError(
                    "timeout", f"total timeout of {self._timeouts.total:g}s exceeded"
                ) from None
            raise TransportError(
                "timeout", f"stream stalled: no data for {self._timeouts.stall:g}s"
            ) from None
        except OSError as exc:
            self.discard()
            raise TransportError("stream_broken", f"connection lost mid-body: {exc}") from None


class _Route:
    """What a URL resolves to: its origin, the request path and the Host header."""

    __slots__ = ("host", "origin", "path")

    def __init__(self, origin: Origin, path: str, host: str) -> None:
        self.origin = origin
        self.path = path
        self.host = host


class HttpTransport:
    """Keeps the connections of one simulated user, per origin; one request at a time.

    Waiting for the headers is bounded by the sockets' own timeouts (connect,
    then ``read`` per ``recv``, each at most ``total``), not by a timer per
    request: a gevent ``Timeout`` costs several microseconds of every call.
    """

    def __init__(self, timeouts: Timeouts | None = None) -> None:
        self.timeouts = timeouts or Timeouts()
        self._origins: dict[tuple[str, str, int], Origin] = {}
        # url -> route; a user calls the same few URLs.
        self._routes: dict[str, _Route] = {}

    def open(self, call: HttpCall) -> HttpExchange:
        """Send ``call`` and wait for the response headers."""
        route = self._routes.get(call.url)
        if route is None:
            route = self._routes[call.url] = self._route(call.url)
        try:
            head = request_head(call.method, route.path, route.host, call.headers, len(call.body))
        except (ValueError, UnicodeEncodeError) as exc:
            raise TransportError("protocol", f"cannot write the request: {exc}") from None
        data = head + call.body
        origin = route.origin
        sent_at = _perf_counter()
        sock = origin.reusable() or self._connect(origin)
        try:
            response = self._exchange_headers(sock, data, call.method)
        except BaseException:
            sock.close()
            raise
        return HttpExchange(
            response, sock, origin, self.timeouts, sent_at, _perf_counter(), len(call.body)
        )

    def close(self) -> None:
        for origin in self._origins.values():
            origin.close()
        self._origins.clear()
        self._routes.clear()

    def _exchange_headers(self, sock: socket.socket, data: bytes, method: str) -> HTTPResponse:
        timeouts = self.timeouts
        response = HTTPResponse(method)
        received = 0
        try:
            sock.settimeout(timeouts.headers_wait)
            sock.sendall(data)
            # Interim 1xx answers are followed by the final one on the same connection.
            while not response.headers_complete or response.status_code < 200:
                chunk = sock.recv(_RECV_SIZE)
                if not chunk:
                    if not received:
                        raise HTTPConnectionClosed("connection closed before response headers")
                    raise TransportError("protocol", "connection closed inside response headers")
                received += len(chunk)
                response.feed(chunk)
        except TimeoutError:
            raise TransportError(
                "timeout", f"no response headers within {timeouts.headers_wait:g}s"
            ) from None
        except HTTPConnectionClosed as exc:
            raise TransportError("connection", str(exc)) from None
        except OSError as exc:
            raise TransportError("connection", f"connection lost: {exc}") from None
        except HTTPParseError as exc:
            raise TransportError("protocol", f"invalid HTTP response: {exc}") from None
        return response

    def _connect(self, origin: Origin) -> socket.socket:
        timeouts = self.timeouts
        wait = min(timeouts.connect, timeouts.total)
        try:
            return origin.connect(wait)
        except TimeoutError:
            raise TransportError(
                "timeout", f"no connection to {origin.netloc} within {wait:g}s"
            ) from None
        except OSError as exc:
            raise TransportError("connection", f"cannot reach {origin.netloc}: {exc}") from None

    def _route(self, url: str) -> _Route:
        try:
            scheme, host, port, path = split_url(url)
        except ValueError as exc:
            raise TransportError("protocol", str(exc)) from None
        key = (scheme, host, port)
        origin = self._origins.get(key)
        if origin is None:
            origin = self._origins[key] = Origin(scheme, host, port)
        default_port = 443 if scheme == "https" else 80
        host_header = host if port == default_port else f"{host}:{port}"
        if ":" in host:  # IPv6 literal
            host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
        return _Route(origin, path, host_header)
