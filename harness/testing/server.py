"""A real HTTP/1.1 server on loopback that replays :class:`Transcript` responses.

It runs on ``socketserver`` threads, so it works in a process that gevent has
monkey-patched (the threads are then greenlets and the sockets cooperative)
and in one it has not (real threads beside the gevent hub the harness's
transport runs on). Requests are read and responses framed by the
simulator's wire layer (:mod:`harness.mock.http11`); every request received
is kept, so a test can check what an adapter put on the wire.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from dataclasses import dataclass
from types import TracebackType

from harness.mock.http11 import BadRequest, Connection, StreamWriter, response_head

from .transcripts import Transcript

# How often the accept loop checks for stop(): the bound on how long stop() waits.
_POLL_INTERVAL_S = 0.05


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as it arrived; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Handler(socketserver.BaseRequestHandler):
    server: _ThreadingServer

    def handle(self) -> None:
        self.server.owner._serve_connection(self.request)


class _ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: TranscriptServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class TranscriptServer:
    """Answers every request with the transcript last given to :meth:`play`.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        with TranscriptServer() as server:
            server.play(Transcript.json({"ok": True}))
            ...  # send requests to server.url
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._transcript = Transcript(status=404, pieces=(b'{"error": "no transcript"}',))
        self._requests: list[ReceivedRequest] = []
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the transcript server is not running")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def play(self, transcript: Transcript) -> None:
        """Answer every following request with ``transcript``."""
        self._transcript = transcript

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> TranscriptServer:
        if self._server is not None:
            raise RuntimeError("the transcript server is already running")
        self._server = _ThreadingServer((self.host, 0), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL_S},
            name="transcript-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, end open connections, and wait for the threads."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        with self._lock:
            open_connections = list(self._connections)
        for sock in open_connections:
            # Wakes a handler blocked reading the next request on a kept-alive connection.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        server.server_close()
        thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> TranscriptServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- serving -------------------------------------------------------------

    def _serve_connection(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._connections.add(sock)
        connection = Connection(sock)
        try:
            while True:
                request = connection.read_request()
                if request is None:
                    break
                with self._lock:
                    self._requests.append(
                        ReceivedRequest(request.method, request.path, request.headers, request.body)
                    )
                if not _replay(connection, self._transcript, request.keep_alive):
                    break
        except (OSError, BadRequest):
            pass  # the client went away or sent garbage; nothing left to answer
        finally:
            with self._lock:
                self._connections.discard(sock)
            sock.close()


def _replay(connection: Connection, transcript: Transcript, keep_alive: bool) -> bool:
    """Send one response; return whether the connection stays open."""
    cut_after = transcript.cut_after
    keep_alive = keep_alive and cut_after is None
    length = None if transcript.chunked else len(transcript.body)
    head = response_head(
        transcript.status,
        transcript.content_type.encode("latin-1"),
        length=length,
        keep_alive=keep_alive,
        extra=transcript.headers,
    )
    writer = StreamWriter(connection.sock, head, chunked=transcript.chunked)
    for index, piece in enumerate(transcript.pieces):
        if index == cut_after:
            break
        if index and transcript.gap_s:
            time.sleep(transcript.gap_s)
        # An empty chunk would end a chunked body early.
        writer.write([piece] if piece else [])
    if cut_after is not None:
        writer.write([])  # the headers, when no piece went out
        connection.close_abruptly()
        return False
    writer.write([], last=True)
    return keep_alive
