from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.contracts import HttpCall
from harness.errors import TransportError
from harness.http_origin import request_head, split_url
from harness.transport import HttpTransport, Timeouts


def test_the_request_head_has_host_length_and_identity_encoding() -> None:
    head = request_head("POST", "/v1/x?a=1", "h:8000", {"Content-Type": "application/json"}, 12)
    assert head == (
        b"POST /v1/x?a=1 HTTP/1.1\r\nHost: h:8000\r\nContent-Type: application/json\r\n"
        b"Accept-Encoding: identity\r\nContent-Length: 12\r\n\r\n"
    )


def test_a_caller_s_own_header_replaces_the_default_whatever_its_case() -> None:
    head = request_head("GET", "/", "h", {"accept-encoding": "br"}, 0)
    assert b"accept-encoding: br\r\n" in head and b"identity" not in head


def test_a_header_with_a_line_break_is_refused_by_the_transport() -> None:
    with pytest.raises(ValueError, match="line break"):
        request_head("GET", "/", "h", {"X-Evil": "a\r\nInjected: 1"}, 0)
    call = HttpCall("GET", "http://127.0.0.1:9/", {"X-Evil": "a\nb"}, b"")
    with pytest.raises(TransportError, match="line break") as caught:
        HttpTransport().open(call)
    assert caught.value.kind == "protocol"


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("http://h/v1", ("http", "h", 80, "/v1")),
        ("HTTPS://h:8443", ("https", "h", 8443, "/")),
        ("http://[::1]:8000/a?b=c", ("http", "::1", 8000, "/a?b=c")),
    ],
)
def test_split_url(url: str, parts: tuple[str, str, int, str]) -> None:
    assert split_url(url) == parts


def test_a_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(TransportError, match="not an http or https URL"):
        HttpTransport().open(HttpCall("GET", "ftp://h/x", {}, b""))


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on loopback with a self-signed certificate: its URL and the cert."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                with context.wrap_socket(raw, server_side=True) as conn:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
            except (ssl.SSLError, OSError):
                raw.close()  # the client refused our certificate

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}", cert
    stop.set()
    thread.join()
    listener.close()


def test_https_goes_through_tls_and_checks_the_certificate(tls_server: tuple[str, Path]) -> None:
    url, cert = tls_server
    # The certificate is trusted through SSL_CERT_FILE, read when the TLS context is made.
    script = (
        "from harness.contracts import HttpCall\n"
        "from harness.transport import HttpTransport\n"
        f"print(HttpTransport().open(HttpCall('GET', {url + '/x'!r}, {{}}, b'')).read_body())\n"
    )
    env = {**os.environ, "SSL_CERT_FILE": str(cert)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "b'hello'", done.stderr
    # Untrusted, the same server is a connection failure that says why.
    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED") as caught:
        HttpTransport(Timeouts(connect=5.0)).open(HttpCall("GET", url + "/x", {}, b""))
    assert caught.value.kind == "connection"
