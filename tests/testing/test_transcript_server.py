"""The transcript server: pieces on schedule, framing, cuts, requests kept, clean stop."""

from __future__ import annotations

import http.client
import itertools
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from harness.contracts import HttpCall
from harness.errors import TransportError
from harness.testing import Transcript, TranscriptServer, sse_event
from harness.transport import HttpTransport


@pytest.fixture
def server() -> Iterator[TranscriptServer]:
    with TranscriptServer() as running:
        yield running


def connect(server: TranscriptServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=5)


def test_sse_pieces_arrive_one_chunk_each_on_schedule(server: TranscriptServer) -> None:
    events = [sse_event({"n": n}, event="tick") for n in range(3)]
    server.play(Transcript.sse(*events, headers={"X-Trace": "t1"}, gap_s=0.1))
    transport = HttpTransport()
    try:
        call = HttpCall("POST", server.url + "/stream?x=1", {"X-Key": "k"}, b'{"q": 1}')
        exchange = transport.open(call)
        blocks = list(exchange.read_blocks())
    finally:
        transport.close()
    assert exchange.status == 200
    assert exchange.headers["content-type"] == "text/event-stream"
    assert exchange.headers["x-trace"] == "t1"
    assert [block for block, _ in blocks] == events
    gaps = [later - earlier for (_, earlier), (_, later) in itertools.pairwise(blocks)]
    assert all(0.09 <= gap <= 0.5 for gap in gaps), gaps
    (received,) = server.requests
    assert (received.method, received.path, received.body) == ("POST", "/stream", b'{"q": 1}')
    assert received.headers["x-key"] == "k"


def test_json_body_has_a_content_length_and_keeps_the_connection(server: TranscriptServer) -> None:
    server.play(Transcript.json({"ok": True}, status=201, headers={"Retry-After": "3"}))
    connection = connect(server)
    try:
        for _ in range(2):
            connection.request("GET", "/anything")
            response = connection.getresponse()
            assert response.read() == b'{"ok":true}'
            assert response.status == 201
            assert response.getheader("Content-Length") == "11"
            assert response.getheader("Retry-After") == "3"
    finally:
        connection.close()
    assert len(server.requests) == 2
    server.clear_requests()
    assert server.requests == []


def test_a_cut_stream_ends_without_its_terminating_chunk(server: TranscriptServer) -> None:
    server.play(Transcript.sse(b"data: a\n\n", b"data: b\n\n").cut(1))
    connection = connect(server)
    try:
        connection.request("POST", "/")
        response = connection.getresponse()
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
    finally:
        connection.close()
    assert cut.value.partial == b"data: a\n\n"


def test_a_cut_body_is_shorter_than_its_content_length(server: TranscriptServer) -> None:
    whole = Transcript(pieces=(b'{"half":', b'"two"}'))
    server.play(whole.cut(1))
    transport = HttpTransport()
    try:
        exchange = transport.open(HttpCall("POST", server.url + "/", {}, b""))
        assert exchange.headers["content-length"] == str(len(whole.body))
        with pytest.raises(TransportError) as broken:
            exchange.read_body()
    finally:
        transport.close()
    assert broken.value.kind == "stream_broken"


def test_a_truncated_stream_is_properly_terminated(server: TranscriptServer) -> None:
    server.play(Transcript.sse(b"data: a\n\n", b"data: b\n\n").truncated(1))
    connection = connect(server)
    try:
        connection.request("POST", "/")
        assert connection.getresponse().read() == b"data: a\n\n"
    finally:
        connection.close()


def test_cut_outside_the_transcript_is_refused() -> None:
    with pytest.raises(ValueError, match="cut after 3 pieces: the transcript has 2"):
        Transcript.sse(b"a", b"b").cut(3)


def test_stop_ends_idle_kept_alive_connections_promptly() -> None:
    server = TranscriptServer().start()
    server.play(Transcript.json(b"{}"))
    connection = connect(server)
    connection.request("GET", "/")
    connection.getresponse().read()
    address = urlsplit(server.url)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.0
    connection.close()
    with pytest.raises(OSError):
        socket.create_connection((address.hostname, address.port), timeout=1).close()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
