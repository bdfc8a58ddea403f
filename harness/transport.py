"""Streaming HTTP over geventhttpclient, timed at the socket.

geventhttpclient gives pooled keep-alive connections, TLS and a C (llhttp)
parser, but its readers buffer: ``read(n)`` blocks until ``n`` bytes and
Locust's helpers read 1024-byte blocks, so the first token would wait for
later ones. :meth:`HttpExchange.read_blocks` instead hands over whatever one
``recv`` produced, stamped with ``perf_counter()`` as ``recv`` returns, before
any parsing. It reaches into two private attributes of the response
(``_sock``, ``_body_buffer``); ``tests/test_transport.py`` guards that.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from geventhttpclient import HTTPClient
from geventhttpclient.response import HTTPConnectionClosed, HTTPSocketPoolResponse

from harness.contracts import HttpCall
from harness.errors import TransportError

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
        response: HTTPSocketPoolResponse,
        timeouts: Timeouts,
        sent_at: float,
        headers_at: float,
        bytes_sent: int,
    ) -> None:
        self._response = response
        self._timeouts = timeouts
        self._deadline = sent_at + timeouts.total
        self.sent_at = sent_at
        self.headers_at = headers_at
        self.bytes_sent = bytes_sent
        self.bytes_received = 0
        self.status: int = response.status_code
        self.headers: dict[str, str] = {k.lower(): v for k, v in response.items()}

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
            sock = response._sock
            if sock is None:
                raise TransportError("stream_broken", "connection released before end of body")
            data = self._recv(sock)
            received_at = _perf_counter()
            try:
                response.feed(data)
            except Exception as exc:
                self.discard()
                if not data:
                    raise TransportError("stream_broken", _CUT_MESSAGE) from None
                raise TransportError("protocol", f"invalid HTTP framing: {exc}") from None
            if not data and not response.message_complete:
                self.discard()
                raise TransportError("stream_broken", _CUT_MESSAGE)
            if response.message_complete:
                # The pool keeps this socket; give it back its header timeout.
                sock.settimeout(self._timeouts.headers_wait)
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
        response = self._response
        sock, pool = response._sock, response._pool
        response._sock = None
        response._pool = None
        if sock is not None and pool is not None:
            pool.release_socket(sock)

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


class HttpTransport:
    """Keeps one connection pool per origin; one transport per simulated user.

    Waiting for the headers is bounded by the sockets' own timeouts (connect,
    then ``read`` per ``recv``, each at most ``total``), not by a timer per
    request: a gevent ``Timeout`` costs several microseconds of every call.
    """

    def __init__(self, timeouts: Timeouts | None = None, connections_per_origin: int = 10) -> None:
        self.timeouts = timeouts or Timeouts()
        self._connections = connections_per_origin
        self._clients: dict[tuple[str, str, int | None], HTTPClient] = {}
        # url -> (its origin's client, request path); a user calls the same few URLs.
        self._routes: dict[str, tuple[HTTPClient, str]] = {}

    def open(self, call: HttpCall) -> HttpExchange:
        """Send ``call`` and wait for the response headers."""
        route = self._routes.get(call.url)
        if route is None:
            route = self._routes[call.url] = self._route(call.url)
        client, path = route
        timeouts = self.timeouts
        sent_at = _perf_counter()
        try:
            response = client.request(call.method, path, body=call.body, headers=call.headers)
        except TimeoutError:
            raise TransportError(
                "timeout", f"no response headers within {timeouts.headers_wait:g}s"
            ) from None
        except HTTPConnectionClosed:
            raise TransportError(
                "connection", "connection closed before response headers"
            ) from None
        except OSError as exc:
            netloc = urlsplit(call.url).netloc
            raise TransportError("connection", f"cannot reach {netloc}: {exc}") from None
        except Exception as exc:
            raise TransportError("protocol", f"invalid HTTP response: {exc}") from None
        return HttpExchange(response, timeouts, sent_at, _perf_counter(), len(call.body))

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        self._routes.clear()

    def _route(self, url: str) -> tuple[HTTPClient, str]:
        parts = urlsplit(url)
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        key = (parts.scheme, parts.hostname or "", parts.port)
        client = self._clients.get(key)
        if client is None:
            timeouts = self.timeouts
            client = HTTPClient(
                key[1],
                port=key[2],
                ssl=key[0] == "https",
                concurrency=self._connections,
                connection_timeout=min(timeouts.connect, timeouts.total),
                network_timeout=timeouts.headers_wait,
                headers={"Accept-Encoding": "identity"},
            )
            self._clients[key] = client
        return client, path
