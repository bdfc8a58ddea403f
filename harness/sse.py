"""Incremental server-sent events decoder (the WHATWG event-stream rules).

Bytes go in as they come off the socket, each block with its arrival time;
complete events come out stamped with the arrival time of the block that
completed them. Lines end in LF, CRLF or CR; a blank line dispatches; ``:``
starts a comment; ``data`` lines accumulate with ``\\n``; ``event`` and
``id`` are kept. Comments surface as ``SSEEvent(event="comment")`` so an
adapter can treat DeepSeek's ``: keep-alive`` as a keep-alive, not silence.
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.contracts import SSEEvent

COMMENT_EVENT = "comment"


class SSEDecoder:
    __slots__ = ("_buffer", "_data", "_event", "_has_data", "_id", "_pending_cr")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._has_data = False
        self._event = ""
        self._id: str | None = None
        self._pending_cr = False

    def feed(self, block: bytes, received_at: float) -> Iterator[SSEEvent]:
        """Decode ``block``; yield every event it completes."""
        if not block:
            return
        if self._pending_cr and block.startswith(b"\n"):
            # The CR that ended the previous block was half of a CRLF.
            block = block[1:]
        self._pending_cr = block.endswith(b"\r")
        buffer = self._buffer + block
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        *lines, self._buffer = buffer.split(b"\n")
        for raw in lines:
            event = self._take_line(raw, received_at)
            if event is not None:
                yield event

    def close(self, received_at: float) -> Iterator[SSEEvent]:
        """End of stream: a final event without its blank line still counts."""
        if self._buffer:
            event = self._take_line(self._buffer, received_at)
            self._buffer = b""
            if event is not None:
                yield event
        event = self._take_line(b"", received_at)
        if event is not None:
            yield event

    @property
    def has_partial_event(self) -> bool:
        return bool(self._buffer) or self._has_data

    def _take_line(self, raw: bytes, received_at: float) -> SSEEvent | None:
        if not raw:
            return self._dispatch(received_at)
        line = raw.decode("utf-8", errors="replace")
        if line[0] == ":":
            return SSEEvent(data=line[1:].lstrip(" "), event=COMMENT_EVENT, received_at=received_at)
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        # "retry" and unknown fields are ignored, as the standard says.
        return None

    def _dispatch(self, received_at: float) -> SSEEvent | None:
        if not self._has_data:
            self._event = ""
            return None
        event = SSEEvent(
            data="\n".join(self._data),
            event=self._event or "message",
            id=self._id,
            received_at=received_at,
        )
        self._data = []
        self._has_data = False
        self._event = ""
        return event
