"""One chat call, end to end: adapter -> transport -> SSE -> adapter -> RequestRecord.

:meth:`ChatClient.call` never raises for anything the endpoint does: every
outcome, including a refused connection, a cut stream or garbage in a chunk,
becomes a record with an :class:`~harness.contracts.ErrorInfo`, so no request
is ever lost from the statistics.

After each call the client keeps the answer's text and its complete tool
calls (``last_answer``, ``last_tool_calls``; streamed pieces joined by
:class:`~harness.tool_calls.ToolCallAssembler`) for callers that continue
the conversation, e.g. an agent running its tools.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator

from harness.contracts import (
    ChatRequest,
    ProviderAdapter,
    RequestRecord,
    SSEEvent,
    Target,
    ToolCall,
)
from harness.errors import TransportError
from harness.rate_limits import rate_limit_record
from harness.secrets import redact
from harness.sse import SSEDecoder
from harness.stream_output import ChunkParser, StreamOutput
from harness.timing import StreamTiming, time_per_output_token
from harness.transport import HttpExchange, HttpTransport

_perf_counter = time.perf_counter


def new_request_id() -> str:
    """A random version-4 UUID as 32 hex digits, what ``uuid.uuid4().hex`` gives.

    Ids only need to be unique, not secret: the bits come from a generator
    of this module's own, seeded from ``os.urandom`` at import and again in
    every forked worker (nobody's ``random.seed`` can make two processes
    repeat each other), instead of an ``os.urandom`` system call per request;
    and no ``uuid.UUID`` object is built. Both cost microseconds per request.
    """
    value = (_ID_BITS.getrandbits(128) & _UUID_CLEAR) | _UUID4_BITS
    return f"{value:032x}"


# The bits uuid.UUID(version=4) sets: the RFC 4122 variant and version 4.
_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_BITS = (0x8000 << 48) | (4 << 76)
_ID_BITS = random.Random(os.urandom(32))
if hasattr(os, "register_at_fork"):  # POSIX: Locust's --processes forks its workers
    os.register_at_fork(after_in_child=lambda: _ID_BITS.seed(os.urandom(32)))


class _ChunkClock:
    """Which chunk (SSE event) was handed to the adapter last, and when it arrived."""

    __slots__ = ("chunk", "received_at")

    def __init__(self) -> None:
        self.chunk = -1
        self.received_at = 0.0


def _read_chunks(
    exchange: HttpExchange, parser: ChunkParser, output: StreamOutput, timing: StreamTiming
) -> None:
    """The stream through a chunk parser: every socket read's events parsed as one batch."""
    parse_chunks = parser.parse_chunks
    answer = output.answer
    for chunks, received_at in _sse_batches(exchange):
        answered = bool(answer)
        count = parse_chunks(chunks, output)
        if count:
            timing.on_chunks(received_at, count)
            if not answered and answer:
                timing.on_answer(received_at)
        if output.error is not None:
            exchange.discard()
            return
    parser.end_of_stream(output)


def _sse_batches(exchange: HttpExchange) -> Iterator[tuple[list[tuple[str, str]], float]]:
    """The ``(event, data)`` pairs each socket read completed, with its arrival time."""
    decoder = SSEDecoder()
    received_at = exchange.headers_at
    for block, received_at in exchange.read_blocks():
        chunks = decoder.feed_pairs(block)
        if chunks:
            yield chunks, received_at
    tail = decoder.close_pairs()
    if tail:
        yield tail, received_at


def _read_events(
    exchange: HttpExchange, adapter: ProviderAdapter, output: StreamOutput, timing: StreamTiming
) -> None:
    """The stream through an adapter's ``parse_stream``, an event at a time."""
    clock = _ChunkClock()
    last_chunk = -1
    for event in adapter.parse_stream(_sse_events(exchange, clock)):
        before = output.output_events
        output.apply(event)
        if output.output_events != before:
            if clock.chunk != last_chunk:
                last_chunk = clock.chunk
                timing.on_chunks(clock.received_at, 1)
            if event.kind == "content":
                timing.on_answer(clock.received_at)
        elif output.error is not None:
            exchange.discard()
            return


def _sse_events(exchange: HttpExchange, clock: _ChunkClock) -> Iterator[SSEEvent]:
    """The stream's SSE events, each noted on ``clock`` as the adapter pulls it.

    Every event of a block arrived with the block, so the arrival time is
    noted once per block and only the chunk count per event.
    """
    decoder = SSEDecoder()
    received_at = exchange.headers_at
    for block, received_at in exchange.read_blocks():
        clock.received_at = received_at
        for event in decoder.feed(block, received_at):
            clock.chunk += 1
            yield event
    clock.received_at = received_at
    for event in decoder.close(received_at):
        clock.chunk += 1
        yield event


class ChatClient:
    """Sends chat requests to one target; one client per simulated user."""

    def __init__(
        self,
        target: Target,
        adapter: ProviderAdapter,
        transport: HttpTransport,
        api_key: str | None = None,
    ) -> None:
        self.target = target
        self.adapter = adapter
        self.transport = transport
        self._api_key = api_key
        # Checked once: a runtime protocol check costs microseconds.
        self._chunk_parser = adapter if isinstance(adapter, ChunkParser) else None
        #: The answer text of the last call, for callers that continue a conversation;
        #: kept here, never in the record, so records stay small.
        self.last_answer = ""
        #: The complete tool calls of the last answer (empty when it made none).
        self.last_tool_calls: list[ToolCall] = []

    def call(
        self, request: ChatRequest, request_id: str | None = None, attempt: int = 1
    ) -> RequestRecord:
        record = RequestRecord(
            request_id=request_id or new_request_id(),
            attempt=attempt,
            started_at=time.time(),
            target=self.target.name,
            provider=self.adapter.name,
            model=request.model,
            stream=request.stream,
            ok=False,
            tags=request.tags,
        )
        http_call = self.adapter.build_request(request, self.target, self._api_key)
        record.bytes_sent = len(http_call.body)
        output = StreamOutput()
        started = _perf_counter()
        exchange: HttpExchange | None = None
        try:
            exchange = self.transport.open(http_call)
            record.http_status = exchange.status
            record.headers_s = exchange.headers_at - exchange.sent_at
            record.rate_limit = rate_limit_record(exchange.headers)
            content_type = exchange.headers.get("content-type", "")
            if exchange.status >= 300:
                body = exchange.read_body()
                record.error = self.adapter.classify_error(exchange.status, exchange.headers, body)
            elif request.stream and content_type.startswith("text/event-stream"):
                self._consume_stream(exchange, record, output)
            else:
                self._consume_body(exchange, record, output)
        except TransportError as exc:
            if exchange is not None:
                exchange.discard()
            record.error = exc.to_error_info()
        finally:
            ended = _perf_counter()
            if exchange is None:
                record.e2e_s = ended - started
            else:
                exchange.finish()
                record.e2e_s = ended - exchange.sent_at
                record.bytes_received = exchange.bytes_received
        record.ok = record.error is None
        if record.error is not None:
            record.error.message = redact(record.error.message)
        # Joined once: the estimate and the caller's conversation share the text.
        answer = "".join(output.answer)
        calls = output.calls()
        self.last_answer = answer
        self.last_tool_calls = calls
        # A failure that streamed some output still used (and is billed for) tokens.
        if record.ok or record.output_events:
            record.usage_estimate = output.estimate(request, answer, calls)
            if record.usage is None:
                record.usage = record.usage_estimate
        if record.ok:
            output_tokens = record.usage.output_tokens if record.usage else record.output_events
            record.tpot_s = time_per_output_token(record.e2e_s, record.ttft_s, output_tokens)
        return record

    def _consume_stream(
        self, exchange: HttpExchange, record: RequestRecord, output: StreamOutput
    ) -> None:
        timing = StreamTiming(exchange.sent_at)
        try:
            if self._chunk_parser is not None:
                _read_chunks(exchange, self._chunk_parser, output, timing)
            else:
                _read_events(exchange, self.adapter, output, timing)
        finally:
            record.ttft_s = timing.ttft
            record.ttfa_s = timing.ttfa
            record.itl_buckets = timing.itl_buckets
            record.itl_sum_s = timing.itl_sum
            record.itl_min_s = timing.itl_min
            record.itl_max_s = timing.itl_max
            record.output_events = output.output_events
            record.usage = output.usage
            record.finish_reason = output.finish_reason
            if output.error is not None:
                record.error = output.error

    def _consume_body(
        self, exchange: HttpExchange, record: RequestRecord, output: StreamOutput
    ) -> None:
        body = exchange.read_body()
        arrived = _perf_counter() - exchange.sent_at
        completion = self.adapter.parse_response(exchange.status, exchange.headers, body)
        if completion.error is not None:
            record.error = completion.error
            return
        # Without streaming, the answer becomes usable only once the body is complete.
        record.ttft_s = arrived
        record.finish_reason = completion.finish_reason
        record.usage = completion.usage
        record.output_events = 1 if completion.text or completion.tool_calls else 0
        output.answer.append(completion.text)
        output.reasoning.append(completion.reasoning_text)
        output.whole_tool_calls = completion.tool_calls
