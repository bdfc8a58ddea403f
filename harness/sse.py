"""Incremental server-sent events decoder (the WHATWG event-stream rules).

Bytes go in as they come off the socket, each block with its arrival time;
complete events come out stamped with the arrival time of the block that
completed them. Lines end in LF, CRLF or CR; a blank line dispatches; ``:``
starts a comment; ``data`` lines accumulate with ``\\n``; ``event`` and
``id`` are kept. Comments surface as ``SSEEvent(event="comment")`` so an
adapter can treat DeepSeek's ``: keep-alive`` as a keep-alive, not silence.

This runs for every chunk of every stream. Bytes are kept until a blank line
completes an event, so no state but the last event id crosses blocks. When
every event a block completes is one ``data:`` line (nearly always), two
whole-buffer counts prove it and the events are built in one pass; an event
that is one ``data:`` line becomes an SSEEvent directly, and only other
events go through the line parser.
"""

from __future__ import annotations

from harness.contracts import SSEEvent

COMMENT_EVENT = "comment"


def _plain_data(buffer: bytes) -> tuple[list[str], int] | None:
    """The data of the complete events in ``buffer`` when each is one ``data: `` line.

    Returns the data fields, decoded, and where the incomplete rest starts,
    or None for anything else (comments, names, ids, several lines, blank-line
    runs). The part up to the last blank line is ``data: D1``, ``data: D2``,
    ... joined by blank lines exactly when it starts with ``data: ``, splits
    on ``\n\ndata: `` into n fields, and holds 2n newlines (so no field has
    one). It is decoded whole and then split: UTF-8 resynchronizes at every
    ASCII byte, so that equals decoding field by field, invalid bytes included.
    """
    if not buffer.startswith(b"data: "):
        return None
    end = buffer.rfind(b"\n\n") + 2
    fields = buffer[6 : end - 2].decode("utf-8", "replace").split("\n\ndata: ")
    if buffer.count(b"\n", 0, end) != 2 * len(fields):
        return None
    return fields, end


class SSEDecoder:
    __slots__ = ("_buffer", "_id", "_pending_cr")

    def __init__(self) -> None:
        self._buffer = b""
        self._id: str | None = None
        self._pending_cr = False

    def feed(self, block: bytes, received_at: float) -> list[SSEEvent]:
        """Decode ``block``; return every event it completes."""
        buffer = self._complete_part(block)
        if buffer is None:
            return []
        plain = _plain_data(buffer)
        if plain is None:
            return self._general(buffer, received_at)
        # Nearly every block: proven plain by two whole-buffer scans, built in one pass.
        fields, end = plain
        self._buffer = buffer[end:]
        last_id = self._id
        return [SSEEvent(data, "message", last_id, received_at) for data in fields]

    def feed_pairs(self, block: bytes) -> list[tuple[str, str]]:
        """Decode ``block``; return the events it completes as ``(event name, data)`` pairs.

        What a :class:`~harness.stream_output.ChunkParser` takes: the same
        events as :meth:`feed`, without an object per event.
        """
        buffer = self._complete_part(block)
        if buffer is None:
            return []
        plain = _plain_data(buffer)
        if plain is None:
            return [(event.event, event.data) for event in self._general(buffer, 0.0)]
        fields, end = plain
        self._buffer = buffer[end:]
        return [("message", data) for data in fields]

    def close(self, received_at: float) -> list[SSEEvent]:
        """End of stream: a final event without its blank line still counts."""
        events = self.feed(b"\n\n", received_at) if self._buffer else []
        self._buffer = b""
        return events

    def close_pairs(self) -> list[tuple[str, str]]:
        """:meth:`close`, as :meth:`feed_pairs` gives events."""
        pairs = self.feed_pairs(b"\n\n") if self._buffer else []
        self._buffer = b""
        return pairs

    def _complete_part(self, block: bytes) -> bytes | None:
        """The buffer with ``block`` added, when it completes an event; else None (kept)."""
        if not block:
            return None
        if self._pending_cr and block.startswith(b"\n"):
            # The CR that ended the previous block was half of a CRLF.
            block = block[1:]
        self._pending_cr = block.endswith(b"\r")
        buffer = self._buffer + block if self._buffer else block
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if b"\n\n" not in buffer:
            self._buffer = buffer
            return None
        return buffer

    def _general(self, buffer: bytes, received_at: float) -> list[SSEEvent]:
        *complete, self._buffer = buffer.split(b"\n\n")
        events: list[SSEEvent] = []
        for raw in complete:
            if raw.startswith(b"data: ") and b"\n" not in raw:
                events.append(
                    SSEEvent(
                        raw[6:].decode("utf-8", errors="replace"), "message", self._id, received_at
                    )
                )
            elif raw:
                events += self._parse_event(raw, received_at)
        return events

    @property
    def has_partial_event(self) -> bool:
        return bool(self._buffer)

    def _parse_event(self, raw: bytes, received_at: float) -> list[SSEEvent]:
        """The general rules, for an event with several lines, a name, an id or comments."""
        events: list[SSEEvent] = []
        data: list[str] = []
        name = ""
        for line in raw.split(b"\n"):
            if not line:  # a blank line inside a block: extra newlines between events
                if data:
                    events.append(
                        SSEEvent("\n".join(data), name or "message", self._id, received_at)
                    )
                    data = []
                name = ""
                continue
            text = line.decode("utf-8", errors="replace")
            if text[0] == ":":
                events.append(SSEEvent(text[1:].lstrip(" "), COMMENT_EVENT, None, received_at))
                continue
            field, sep, value = text.partition(":")
            if sep and value.startswith(" "):
                value = value[1:]
            if field == "data":
                data.append(value)
            elif field == "event":
                name = value
            elif field == "id" and "\0" not in value:
                self._id = value
            # "retry" and unknown fields are ignored, as the standard says.
        if data:
            events.append(SSEEvent("\n".join(data), name or "message", self._id, received_at))
        return events
