"""Incremental server-sent events decoder (the WHATWG event-stream rules).

Bytes go in as they come off the socket, each block with its arrival time;
complete events come out stamped with the arrival time of the block that
completed them. Lines end in LF, CRLF or CR; a blank line dispatches; ``:``
starts a comment; ``data`` lines accumulate with ``\\n``; ``event`` and
``id`` are kept. Comments surface as ``SSEEvent(event="comment")`` so an
adapter can treat DeepSeek's ``: keep-alive`` as a keep-alive, not silence.

This runs for every chunk of every stream, so ``data:`` lines (nearly all of
them) take a short path, and ``feed`` returns a list rather than a generator.
"""

from __future__ import annotations

from harness.contracts import SSEEvent

COMMENT_EVENT = "comment"


class SSEDecoder:
    __slots__ = ("_buffer", "_data", "_event", "_id", "_pending_cr")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        self._pending_cr = False

    def feed(self, block: bytes, received_at: float) -> list[SSEEvent]:
        """Decode ``block``; return every event it completes."""
        if not block:
            return []
        if self._pending_cr and block.startswith(b"\n"):
            # The CR that ended the previous block was half of a CRLF.
            block = block[1:]
        self._pending_cr = block.endswith(b"\r")
        buffer = self._buffer + block if self._buffer else block
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()
        events: list[SSEEvent] = []
        data = self._data
        for raw in lines:
            if raw.startswith(b"data:"):
                value = raw[6:] if raw[5:6] == b" " else raw[5:]
                data.append(value.decode("utf-8", errors="replace"))
            elif not raw:
                if data:
                    events.append(self._dispatch(received_at))
                else:
                    self._event = ""
            else:
                comment = self._take_field(raw, received_at)
                if comment is not None:
                    events.append(comment)
        return events

    def close(self, received_at: float) -> list[SSEEvent]:
        """End of stream: a final event without its blank line still counts."""
        events = self.feed(b"\n\n", received_at) if self._buffer or self._data else []
        self._buffer = b""
        return events

    @property
    def has_partial_event(self) -> bool:
        return bool(self._buffer) or bool(self._data)

    def _take_field(self, raw: bytes, received_at: float) -> SSEEvent | None:
        line = raw.decode("utf-8", errors="replace")
        if line[0] == ":":
            return SSEEvent(line[1:].lstrip(" "), COMMENT_EVENT, None, received_at)
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":  # "data" with no colon: an empty data line
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        # "retry" and unknown fields are ignored, as the standard says.
        return None

    def _dispatch(self, received_at: float) -> SSEEvent:
        data = self._data
        text = data[0] if len(data) == 1 else "\n".join(data)
        event = SSEEvent(text, self._event or "message", self._id, received_at)
        data.clear()  # in place: feed() holds a reference to this list
        self._event = ""
        return event
