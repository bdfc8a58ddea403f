"""What one response carried, and the block-at-a-time way for an adapter to say it.

An adapter parses a stream one of two ways. The plain way is
``parse_stream``, a generator of :class:`~harness.contracts.StreamEvent`.
The fast way, for adapters on the hot path (the built-in OpenAI one), is a
:class:`ChunkParser`: the client hands it every SSE event a socket read
completed, as ``(event name, data)`` pairs, and the parser writes what they
carried straight into the stream's :class:`StreamOutput`, with no object per
chunk. Events of one read arrived together, so the client times them as one
batch: it needs only how many of them carried output, which the parser
returns. :func:`events_from_chunks` gives a chunk parser its ``parse_stream``
for free, so both ways are one implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

from harness.chunk_template import TextChunkTemplate
from harness.contracts import ChatRequest, ErrorInfo, SSEEvent, StreamEvent, ToolCall, Usage
from harness.token_estimate import estimate_usage
from harness.tool_calls import ToolCallAssembler, tool_calls_text


class StreamOutput:
    """The answer of one attempt as it arrives: text, tool calls, usage, end and error.

    The client keeps text as pieces joined once at the end, so per token it
    only appends to a list; counting tokens waits until the attempt is over,
    off the path that timestamps arrivals.
    """

    __slots__ = (
        "answer",
        "ended",
        "error",
        "finish_reason",
        "output_events",
        "reasoning",
        "text_template",
        "tool_calls",
        "usage",
        "whole_tool_calls",
    )

    def __init__(self) -> None:
        self.answer: list[str] = []
        self.reasoning: list[str] = []
        self.tool_calls = ToolCallAssembler()  # streamed pieces
        self.whole_tool_calls: list[ToolCall] = []  # an unstreamed answer's
        self.usage: Usage | None = None
        self.finish_reason: str | None = None
        self.error: ErrorInfo | None = None
        #: Set by the adapter when it reads the provider's end-of-stream marker.
        self.ended = False
        #: Output events (content, reasoning, tool-call pieces) so far.
        self.output_events = 0
        #: For a chunk parser: the envelope of this stream's token chunks, once learned.
        self.text_template: TextChunkTemplate | None = None

    def add_content(self, text: str) -> None:
        self.answer.append(text)
        self.output_events += 1

    def add_contents(self, texts: list[str]) -> None:
        """Several content events, one per chunk, in order."""
        self.answer += texts
        self.output_events += len(texts)

    def add_reasoning(self, text: str) -> None:
        self.reasoning.append(text)
        self.output_events += 1

    def add_tool_call(
        self, index: int, tool_id: str | None, name: str | None, arguments: str
    ) -> None:
        """One piece of tool call ``index``: an argument fragment, with id and name if known."""
        self.tool_calls.add(index, tool_id, name, arguments)
        self.output_events += 1

    def report_usage(self, usage: Usage) -> None:
        self.usage = usage

    def finish(self, reason: str) -> None:
        self.finish_reason = reason

    def fail(self, error: ErrorInfo) -> None:
        """The stream reported or revealed an error; the first one is kept."""
        if self.error is None:
            self.error = error

    def keepalive(self) -> None:
        """A keep-alive (SSE comment or ping): nothing to keep."""

    def apply(self, event: StreamEvent) -> None:
        """Take one event of a ``parse_stream`` adapter."""
        kind = event.kind
        if kind == "content":
            self.add_content(event.text)
        elif kind == "reasoning":
            self.add_reasoning(event.text)
        elif kind == "tool_call":
            self.add_tool_call(event.tool_index, event.tool_id, event.tool_name, event.text)
        elif kind == "usage":
            self.usage = event.usage
        elif kind == "finish":
            self.finish_reason = event.finish_reason
        elif kind == "error":
            self.fail(event.error or ErrorInfo("protocol", "stream reported an error"))

    def calls(self) -> list[ToolCall]:
        return self.whole_tool_calls or self.tool_calls.calls()

    def estimate(self, request: ChatRequest, answer: str, calls: list[ToolCall]) -> Usage:
        generated = f"{answer} {tool_calls_text(calls)}" if calls else answer
        return estimate_usage(request.messages, generated, "".join(self.reasoning))


@runtime_checkable
class ChunkParser(Protocol):
    """An adapter that parses a stream a block of SSE events at a time (optional, faster).

    ``parse_chunks`` gets the events one socket read completed, in order, as
    ``(event name, data)`` pairs (name ``"message"`` unless the server named
    it, ``"comment"`` for an SSE comment), writes what they carried into
    ``out``, and returns how many of them carried output (content,
    reasoning or a tool-call piece): each such event is one arrival for the
    inter-token latency. It must stop at the first event it reports with
    ``out.fail``. ``end_of_stream`` runs once the body is over and the stream
    had no error: it fails ``out`` if the provider's end marker never came.
    The adapter stays stateless; whatever it must remember across blocks
    lives in ``out`` (``ended``, ``finish_reason``).
    """

    def parse_chunks(self, chunks: Sequence[tuple[str, str]], out: StreamOutput) -> int: ...

    def end_of_stream(self, out: StreamOutput) -> None: ...


class _EventOutput(StreamOutput):
    """A StreamOutput that also lists what it was told as StreamEvents."""

    __slots__ = ("events",)

    def __init__(self) -> None:
        super().__init__()
        self.events: list[StreamEvent] = []

    def add_content(self, text: str) -> None:
        self.events.append(StreamEvent("content", text))

    def add_contents(self, texts: list[str]) -> None:
        self.events += [StreamEvent("content", text) for text in texts]

    def add_reasoning(self, text: str) -> None:
        self.events.append(StreamEvent("reasoning", text))

    def add_tool_call(
        self, index: int, tool_id: str | None, name: str | None, arguments: str
    ) -> None:
        self.events.append(
            StreamEvent("tool_call", arguments, tool_index=index, tool_id=tool_id, tool_name=name)
        )

    def report_usage(self, usage: Usage) -> None:
        self.events.append(StreamEvent("usage", "", 0, usage))

    def finish(self, reason: str) -> None:
        super().finish(reason)
        self.events.append(StreamEvent("finish", "", 0, finish_reason=reason))

    def fail(self, error: ErrorInfo) -> None:
        if self.error is None:
            self.events.append(StreamEvent("error", "", 0, error=error))
        super().fail(error)

    def keepalive(self) -> None:
        self.events.append(StreamEvent("keepalive", "", 0))

    def take(self) -> list[StreamEvent]:
        events, self.events = self.events, []
        return events


def events_from_chunks(parser: ChunkParser, events: Iterable[SSEEvent]) -> Iterator[StreamEvent]:
    """A chunk parser's ``parse_stream``: each chunk's StreamEvents before the next is pulled."""
    out = _EventOutput()
    for sse in events:
        parser.parse_chunks(((sse.event, sse.data),), out)
        yield from out.take()
        if out.error is not None:
            return
    parser.end_of_stream(out)
    yield from out.take()
