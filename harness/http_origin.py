"""One origin's keep-alive connections and the bytes of a request to it.

A transport belongs to one simulated user, which sends one request at a
time, so an origin needs no pool with a semaphore and no liveness probe per
request (a ``select`` through gevent's hub, about a twentieth of a
generator's CPU per stream): it keeps its idle sockets in a list, and a
request that finds its reused connection closed by the server before any
byte of the answer is sent again once on a new one (what HTTP clients do
when a server drops an idle keep-alive connection).
"""

from __future__ import annotations

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

    def connect(self, timeout: float, headers_wait: float) -> gsocket.socket:
        """A new connection; its reads then wait up to ``headers_wait`` by default."""
        sock = gsocket.create_connection((self.host, self.port), timeout=timeout)
        try:
            sock.setsockopt(gsocket.IPPROTO_TCP, gsocket.TCP_NODELAY, 1)
            if self.scheme == "https":
                sock = _tls_context().wrap_socket(sock, server_hostname=self.host)
            sock.settimeout(headers_wait)
        except BaseException:
            sock.close()
            raise
        return sock

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


_TLS: list[gssl.SSLContext] = []


def _tls_context() -> gssl.SSLContext:
    # Built once: loading the system's CA certificates takes milliseconds.
    if not _TLS:
        _TLS.append(gssl.create_default_context())
    return _TLS[0]
