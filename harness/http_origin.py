"""One origin's keep-alive connections and the bytes of a request to it.

A transport belongs to one simulated user, which sends one request at a
time, so an origin needs no pool with a semaphore: it keeps its idle sockets
in a list. Before reuse a socket is probed with one non-blocking peek rather
than a ``select`` through gevent's hub (which cost about a twentieth of the
generator's CPU per stream). A request is never sent twice: a connection
that closes before the answer is the request's failure, as it must be when
a load balancer drops it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from gevent import socket as gsocket
from gevent import ssl as gssl

# Headers the transport writes itself; a caller's own value wins over the default.
_DEFAULT_HEADERS = {"accept-encoding": "Accept-Encoding: identity\r\n"}


@dataclass
class Origin:
    """``scheme://host:port``: where its connections go and what its requests say."""

    scheme: str
    host: str
    port: int
    idle: list[gsocket.socket] = field(default_factory=list)

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def connect(self, timeout: float) -> gsocket.socket:
        """A new connection, made within ``timeout`` seconds."""
        sock = gsocket.create_connection((self.host, self.port), timeout=timeout)
        try:
            sock.setsockopt(gsocket.IPPROTO_TCP, gsocket.TCP_NODELAY, 1)
            if self.scheme == "https":
                sock = _tls_context().wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        return sock

    def reusable(self) -> gsocket.socket | None:
        """An idle connection the server has not closed, if there is one (others are closed).

        Probed with a non-blocking peek (timeout 0: gevent raises instead of
        waiting): an idle connection has nothing to read, so EOF or stray bytes
        mean it cannot carry a request.
        """
        while self.idle:
            sock = self.idle.pop()
            try:
                sock.settimeout(0.0)
                stray = sock.recv(1, gsocket.MSG_PEEK)
            except BlockingIOError:
                return sock
            except OSError:
                pass
            else:
                del stray  # EOF (b"") or bytes nobody asked for: unusable either way
            sock.close()
        return None

    def close(self) -> None:
        idle, self.idle = self.idle, []
        for sock in idle:
            sock.close()


def split_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path with query)`` of an http or https URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"not an http or https URL: {url!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, parts.hostname or "", port, path


def request_head(
    method: str, path: str, host: str, headers: Mapping[str, str], body_length: int
) -> bytes:
    """The request line and headers, HTTP/1.1, in latin-1 as the protocol speaks."""
    lines = [f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"]
    given = set()
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise ValueError(f"header {name!r} holds a line break")
        given.add(name.lower())
        lines.append(f"{name}: {value}\r\n")
    lines += [line for name, line in _DEFAULT_HEADERS.items() if name not in given]
    if "content-length" not in given:
        lines.append(f"Content-Length: {body_length}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("latin-1")


@functools.lru_cache(maxsize=1)
def _tls_context() -> gssl.SSLContext:
    # Built once: loading the system's CA certificates takes milliseconds.
    return gssl.create_default_context()
