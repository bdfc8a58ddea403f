"""The simulator's HTTP/1.1 server, on ``gevent.server.StreamServer``.

A deliberately small server instead of pywsgi or a framework: the simulator
must never be the bottleneck of a benchmark, and a hand-rolled request loop
costs a fraction of a WSGI stack per request. One greenlet serves one
connection; requests on it are read in turn (keep-alive is the HTTP/1.1
default, ``Connection: close`` is honoured, HTTP/1.0 closes unless it asks
for keep-alive). The wire details (request parsing, response framing) live in
:mod:`.http11`, the capacity limit in :mod:`.slots`; this module routes and
times the answers.

Routes:

``POST /v1/chat/completions`` (also ``/chat/completions``)
    OpenAI chat completions, streamed or not (:mod:`.openai_dialect`), with
    the latency model (:mod:`.latency`), generation slots and faults
    (:mod:`.faults`).
``POST /v1/messages``
    Anthropic Messages (:mod:`.anthropic_dialect`).
``POST /v1beta/models/{model}:generateContent`` (``/v1/models/...`` too)
    Gemini (:mod:`.gemini_dialect`); ``:streamGenerateContent?alt=sse`` streams.
``POST /echo/v1/generate``
    The echo format of the example plugin (:mod:`.echo_dialect`).

Every dialect of :mod:`.dialects` is served on its own paths with the same
latency model, slots, faults, reasoning phase, cache fraction and token
counting: only the bytes differ. The server decides how many reasoning and
answer tokens a request gets, or whether it answers with a tool call
(:meth:`SimulatorServer._generation`, :mod:`.tool_calls`), and the dialect
writes them.

``GET /v1/models`` (also ``/models``)
    The configured model names.
``GET /health``
    ``{"status": "ok"}``.
``GET /_harness/stats``, ``POST /_harness/reset``
    The counters of :mod:`.stats`, and zeroing them.
``GET|POST|DELETE /_harness/faults``
    List the active fault specs, add one (``{"spec": "cut:3@next"}``, a
    ``@t=START-END`` window included; 400 with the parse error when bad),
    remove them all. GET and POST also give ``clock_s``, the simulator's
    clock that windows are written in (seconds since it started).

Before the fault plan, a well-formed chat request meets the server-side rate
limits (:mod:`.limits`: a 429 with ``Retry-After`` when a bucket is empty, and
``x-ratelimit-*`` headers on every chat response while a limit is set), then
the load-driven overload: with ``overload_above`` set, an arrival that finds
``k`` requests in flight above it gets the dialect's overload status with
probability ``k * overload_slope``.

Anything else is a 404 with an OpenAI error body.

Timing: generation of a chat request starts when it holds a slot (at once
when ``slots`` is 0). Token ``k`` (0-based) is due at ``start + TTFT +
ITL_1 + ... + ITL_k``; these are absolute deadlines, so a late wake-up never
slows the token rate: at each wake every event already due is written, and all
events due at the same instant go out in one socket write (at zero latency a
whole stream is one write). Streamed headers are written at once, or, when
the first token is already due, in the same write as it.
"""

from __future__ import annotations

import itertools
import math
import random
import socket
import sys
import time
import traceback
from typing import Any

import gevent
import orjson
from gevent.pool import Pool
from gevent.server import StreamServer

from .config import SimulatorConfig
from .dialect import Dialect, Generation, GenerationRequest, InvalidRequest, TokenCounts
from .dialects import chat_dialect
from .faults import FaultPlan, FaultSpec
from .http11 import (
    JSON_TYPE,
    STREAM_HEAD_CLOSE,
    STREAM_HEAD_KEEP_ALIVE,
    STREAM_HEAD_UNCHUNKED,
    BadRequest,
    Connection,
    HttpRequest,
    StreamWriter,
    response_head,
)
from .latency import LatencyModel
from .limits import Headers, ServerLimits, retry_headers
from .openai_dialect import (
    error_body,
    method_not_allowed_body,
    models_body,
    not_found_body,
)
from .slots import SlotQueue
from .stats import SimulatorStats
from .tool_calls import SimulatedToolCall, plan_tool_call

_MODELS_PATHS = frozenset(("/v1/models", "/models"))

_monotonic = time.monotonic


class SimulatorServer:
    """The simulator's HTTP server. ``start()`` binds; ``serve_forever()`` blocks."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.stats = SimulatorStats()
        self.faults = FaultPlan(self.config.faults, seed=self.config.seed)
        self.latency = LatencyModel(
            self.config.ttft_ms, self.config.itl_ms, self.config.jitter, self.config.seed
        )
        self._slots = SlotQueue(self.config.slots, self.stats) if self.config.slots else None
        config = self.config
        self._limits = (
            ServerLimits(config.rpm_limit, config.tpm_limit, config.limit_burst_s)
            if config.rpm_limit or config.tpm_limit
            else None
        )
        # Its own stream, so turning overload on never shifts the fault draws.
        seed = config.seed
        self._overload_rng = random.Random(None if seed is None else f"overload:{seed}")
        self._tool_rng = random.Random(None if seed is None else f"tools:{seed}")
        self._ids = itertools.count(1)
        self._server = StreamServer(
            (self.config.host, self.config.port),
            self._serve_connection,
            backlog=1024,
            spawn=Pool(),
        )

    def start(self) -> None:
        """Bind and start accepting in the background of the gevent hub."""
        self._server.start()

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        host = self.config.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve until :meth:`stop` is called (from another greenlet or a signal)."""
        self._server.serve_forever()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop accepting; connections still busy after ``timeout`` are closed."""
        self._server.stop(timeout=timeout)

    # -- connections -------------------------------------------------------

    def _serve_connection(self, sock: Any, address: Any) -> None:
        self.stats.connections += 1
        # Without it Nagle's algorithm holds small SSE writes back for an ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(sock)
        try:
            while True:
                try:
                    request = connection.read_request()
                except BadRequest as bad:
                    connection.send_json(
                        bad.status,
                        error_body(bad.message, "invalid_request_error", None),
                        keep_alive=False,
                    )
                    break
                if request is None or not self._dispatch(connection, request):
                    break
        except OSError:
            pass  # the client went away; nothing to answer
        except Exception:
            # A simulator bug: report it, but keep serving other connections.
            traceback.print_exc(file=sys.stderr)
        finally:
            sock.close()

    def _dispatch(self, connection: Connection, request: HttpRequest) -> bool:
        """Answer one request; return whether the connection stays open."""
        path = request.path
        method = request.method
        keep_alive = request.keep_alive
        dialect = chat_dialect(path)
        if dialect is not None:
            if method == "POST":
                return self._chat(connection, request, dialect)
            allowed = "POST"
        elif path in _MODELS_PATHS or path == "/health":
            if method == "GET":
                body = models_body(self.config.models) if path != "/health" else b'{"status":"ok"}'
                connection.send_json(200, body, keep_alive)
                return keep_alive
            allowed = "GET"
        elif path.startswith("/_harness/"):
            return self._control(connection, request)
        else:
            connection.send_json(404, not_found_body(method, path), keep_alive)
            return keep_alive
        connection.send_json(
            405, method_not_allowed_body(method, path), keep_alive, (("Allow", allowed),)
        )
        return keep_alive

    def _control(self, connection: Connection, request: HttpRequest) -> bool:
        """The ``/_harness/*`` routes used by tests and the harness."""
        path = request.path
        method = request.method
        keep_alive = request.keep_alive
        status = 200
        body: bytes
        if path == "/_harness/stats" and method == "GET":
            body = orjson.dumps(self.stats.snapshot())
        elif path == "/_harness/reset" and method == "POST":
            self.stats.reset()
            body = b'{"reset":true}'
        elif path == "/_harness/faults" and method == "GET":
            body = orjson.dumps(
                {
                    "faults": [spec.spec for spec in self.faults.specs],
                    "clock_s": self.faults.elapsed(),
                }
            )
        elif path == "/_harness/faults" and method == "DELETE":
            self.faults.clear()
            body = b'{"faults":[]}'
        elif path == "/_harness/faults" and method == "POST":
            try:
                payload = orjson.loads(request.body)
                spec = payload.get("spec") if isinstance(payload, dict) else None
                if not isinstance(spec, str):
                    raise ValueError('expected a JSON body {"spec": "KIND[:ARG][@SELECT]"}')
                added = self.faults.add(spec)
            except ValueError as error:  # orjson.JSONDecodeError is a ValueError
                status = 400
                body = error_body(str(error), "invalid_request_error", "invalid_fault_spec")
            else:
                body = orjson.dumps(
                    {
                        "added": added.spec,
                        "faults": [s.spec for s in self.faults.specs],
                        "clock_s": self.faults.elapsed(),
                    }
                )
        elif path in ("/_harness/stats", "/_harness/reset", "/_harness/faults"):
            status = 405
            body = method_not_allowed_body(method, path)
        else:
            status = 404
            body = not_found_body(method, path)
        connection.send_json(status, body, keep_alive)
        return keep_alive

    # -- chat completions ----------------------------------------------------

    def _chat(self, connection: Connection, request: HttpRequest, dialect: Dialect) -> bool:
        stats = self.stats
        stats.chat_requests += 1
        keep_alive = request.keep_alive
        config = self.config
        limits = self._limits
        try:
            chat = dialect.parse_request(
                request.path, request.query, request.body, config.models[0]
            )
        except InvalidRequest as invalid:
            body = dialect.invalid_request_body(invalid)
            last = limits.headers() if limits is not None else ()
            return self._refuse(connection, keep_alive, invalid.status, body, last)
        cached = math.floor(chat.input_tokens * config.cache_hit)
        stats.input_tokens += chat.input_tokens
        stats.cached_input_tokens += cached
        if chat.stream:
            stats.streams += 1
        else:
            stats.non_streams += 1

        extra: Headers = ()
        if limits is not None:
            # Counted as OpenAI does before running a request: its input plus all it may write.
            most = chat.max_tokens if chat.max_tokens is not None else config.default_output_tokens
            wait = limits.admit(chat.input_tokens + most)
            extra = limits.headers()
            if wait > 0:
                stats.rate_limited += 1
                body = dialect.rate_limit_body(wait)
                return self._refuse(connection, keep_alive, 429, body, extra + retry_headers(wait))
        if config.overload_above and self._overloaded():
            stats.overloaded += 1
            status = dialect.overload_status
            body = dialect.status_error_body(status)
            return self._refuse(connection, keep_alive, status, body, extra)

        fault = self.faults.choose() if self.faults else None
        if fault is not None:
            stats.count_fault(fault.kind, fault.spec)
            kind = fault.kind
            status = 0
            if kind == "reset":
                connection.close_abruptly()
                return False
            if kind == "blocked":
                answer = dialect.blocked_answer(chat)
                if answer is not None:
                    return self._blocked(connection, request, chat, answer, extra)
                status = 400
            elif kind == "http":
                status = fault.status
            elif kind == "overload" and not chat.stream:
                status = dialect.overload_status
            elif kind == "429":
                body = dialect.rate_limit_body(fault.seconds)
                headers = extra + retry_headers(fault.seconds)
                return self._refuse(connection, keep_alive, 429, body, headers)
            if status:
                body = dialect.status_error_body(status)
                return self._refuse(connection, keep_alive, status, body, extra)

        generation = self._generation(chat, cached, fault)
        stats.in_flight += 1
        try:
            if fault is not None and fault.kind == "slow_headers":
                gevent.sleep(fault.seconds)
            if chat.stream:
                return self._stream(connection, request, dialect, chat, generation, fault, extra)
            return self._complete(connection, request, dialect, chat, generation, fault, extra)
        finally:
            stats.in_flight -= 1

    def _refuse(
        self, connection: Connection, keep_alive: bool, status: int, body: bytes, extra: Headers
    ) -> bool:
        """Answer a chat request with an error status at once."""
        self.stats.error_responses += 1
        connection.send_json(status, body, keep_alive, extra)
        return keep_alive

    def _overloaded(self) -> bool:
        """Whether load refuses this arrival: likelier the further in flight is above the line."""
        above = self.stats.in_flight - self.config.overload_above
        return above > 0 and self._overload_rng.random() < above * self.config.overload_slope

    def _generation(
        self, chat: GenerationRequest, cached: int, fault: FaultSpec | None
    ) -> Generation:
        """How many reasoning and answer tokens to send, and the usage to report.

        Reasoning (when the request turns it on) is capped by the request's own
        budget; reasoning and answer together never pass its max tokens.
        """
        config = self.config
        limit = chat.max_tokens
        reasoning = 0
        if chat.reasoning:
            reasoning = config.reasoning_tokens
            if chat.reasoning_budget is not None:
                reasoning = min(reasoning, chat.reasoning_budget)
            if limit is not None:
                reasoning = min(reasoning, limit)
        room = None if limit is None else limit - reasoning
        number = next(self._ids)
        tool_call = self._tool_call(chat, number)
        answer = 0 if tool_call is not None else config.output_tokens
        if answer is None:
            answer = config.default_output_tokens if room is None else room
        elif room is not None and answer > room:
            answer = room
        output = reasoning + (tool_call.tokens if tool_call is not None else answer)
        usage: TokenCounts | None = TokenCounts(chat.input_tokens, cached, output, reasoning)
        if fault is not None and fault.kind == "wrong_usage":
            assert usage is not None
            usage = usage.scaled(fault.factor)
        elif fault is not None and fault.kind == "no_usage":
            usage = None
        return Generation(
            reasoning_tokens=reasoning,
            answer_tokens=answer,
            reached_limit=tool_call is None and limit is not None and reasoning + answer == limit,
            usage=usage,
            number=number,
            created=int(time.time()),
            tool_call=tool_call,
        )

    def _tool_call(self, chat: GenerationRequest, number: int) -> SimulatedToolCall | None:
        """A call of one offered tool, at the configured rate; never right after tool results.

        A call is never cut at the request's max tokens: agents need whole calls.
        """
        rate = self.config.tool_call_rate
        if not chat.tools or chat.tool_results_last or not rate:
            return None
        rng = self._tool_rng
        if rng.random() >= rate:
            return None
        tool = chat.tools[rng.randrange(len(chat.tools))]
        return plan_tool_call(tool, self.config.tool_call_tokens, f"call_sim{number}")

    @staticmethod
    def _stream_writer(
        connection: Connection, request: HttpRequest, extra: Headers
    ) -> tuple[StreamWriter, bool]:
        """A writer for a streamed answer, and whether the connection stays open after it."""
        keep_alive = request.keep_alive and request.http11
        if not request.http11:
            head = STREAM_HEAD_UNCHUNKED
        else:
            head = STREAM_HEAD_KEEP_ALIVE if keep_alive else STREAM_HEAD_CLOSE
        if extra:
            # Before the blank line that ends the prebuilt head.
            head = head[:-2] + "".join(f"{n}: {v}\r\n" for n, v in extra).encode() + b"\r\n"
        return StreamWriter(connection.sock, head, chunked=request.http11), keep_alive

    def _blocked(
        self,
        connection: Connection,
        request: HttpRequest,
        chat: GenerationRequest,
        answer: bytes,
        extra: Headers,
    ) -> bool:
        """A prompt refused with HTTP 200 (Gemini's ``promptFeedback``), at once."""
        if not chat.stream:
            connection.send_json(200, answer, request.keep_alive, extra)
            return request.keep_alive
        writer, keep_alive = self._stream_writer(connection, request, extra)
        writer.write([answer], last=True)
        return keep_alive

    def _stream(
        self,
        connection: Connection,
        request: HttpRequest,
        dialect: Dialect,
        chat: GenerationRequest,
        generation: Generation,
        fault: FaultSpec | None,
        extra: Headers,
    ) -> bool:
        stats = self.stats
        latency = self.latency
        writer, keep_alive = self._stream_writer(connection, request, extra)
        encoder = dialect.stream_encoder(chat, generation)
        token_events = generation.events
        kind = fault.kind if fault is not None else ""
        # A cut stream stops after ``fault.chunks`` tokens, or at its end; an
        # overloaded one after its first token.
        content_chunks = token_events
        if fault is not None and kind == "cut":
            content_chunks = min(token_events, fault.chunks)
        elif kind == "overload":
            content_chunks = min(token_events, 1)

        events: list[bytes] = []
        unsent_tokens = 0

        def flush() -> None:
            nonlocal events, unsent_tokens
            writer.write(events)
            stats.output_tokens_sent += unsent_tokens
            events = []
            unsent_tokens = 0

        def wait_until(deadline: float) -> None:
            # Everything already due goes out before sleeping; the loop is a
            # guard so that no event is ever written before its deadline.
            delay = deadline - _monotonic()
            while delay > 0:
                flush()
                gevent.sleep(delay)
                delay = deadline - _monotonic()

        slots = self._slots
        holding_slot = False
        try:
            if slots is not None:
                if not slots.try_acquire():
                    flush()  # the headers now; the body waits for a slot
                    slots.wait()
                holding_slot = True
            due = _monotonic() + latency.ttft_s()
            for index in range(content_chunks):
                if index:
                    due += latency.itl_s()
                wait_until(due)
                if index == 0:
                    events.append(encoder.opening())
                events.append(encoder.token(index))
                unsent_tokens += 1
                if index == 0 and fault is not None:
                    if kind == "malformed":
                        events.append(dialect.malformed_event)
                    elif kind == "stall":
                        flush()
                        gevent.sleep(fault.seconds)
                        # Resume at the normal pace rather than in a burst.
                        due += fault.seconds

            if kind == "cut":
                flush()
                connection.close_abruptly()
                return False

            if token_events == 0:
                wait_until(due)
                events.append(encoder.opening())
            if kind == "overload":
                events.append(dialect.overload_event)
            else:
                events.append(encoder.closing())
            writer.write(events, last=True)
        except OSError:
            stats.client_disconnects += 1
            return False
        finally:
            if holding_slot:
                assert slots is not None
                slots.release()
        stats.output_tokens_sent += unsent_tokens
        if kind != "overload":
            # A whole tool call counts its tokens, not one per fragment event.
            stats.output_tokens_sent += generation.output_tokens - token_events
            self._count_completed(generation)
        return keep_alive

    def _count_completed(self, generation: Generation) -> None:
        stats = self.stats
        stats.output_tokens += generation.output_tokens
        stats.reasoning_tokens += generation.reasoning_tokens
        stats.completed += 1
        if generation.tool_call is not None:
            stats.tool_calls += 1

    def _complete(
        self,
        connection: Connection,
        request: HttpRequest,
        dialect: Dialect,
        chat: GenerationRequest,
        generation: Generation,
        fault: FaultSpec | None,
        extra: Headers,
    ) -> bool:
        stats = self.stats
        latency = self.latency
        keep_alive = request.keep_alive
        kind = fault.kind if fault is not None else ""
        slots = self._slots
        holding_slot = False
        try:
            if slots is not None:
                if not slots.try_acquire():
                    slots.wait()
                holding_slot = True
            due = _monotonic() + latency.ttft_s()
            for _ in range(generation.events - 1):
                due += latency.itl_s()
            if kind == "stall":
                assert fault is not None
                due += fault.seconds
            delay = due - _monotonic()
            while delay > 0:
                gevent.sleep(delay)
                delay = due - _monotonic()
            if kind == "malformed":
                # Delivered, but it carries no usable completion: counted in
                # neither ``completed`` nor the token counters.
                malformed = dialect.malformed_body
                connection.send(
                    response_head(
                        200, JSON_TYPE, length=len(malformed), keep_alive=keep_alive, extra=extra
                    )
                    + malformed
                )
                return keep_alive
            body = dialect.completion_body(chat, generation)
            head = response_head(
                200, JSON_TYPE, length=len(body), keep_alive=keep_alive, extra=extra
            )
            if kind == "cut":
                connection.send(head + body[: len(body) // 2])
                connection.close_abruptly()
                return False
            connection.send(head + body)
        except OSError:
            stats.client_disconnects += 1
            return False
        finally:
            if holding_slot:
                assert slots is not None
                slots.release()
        stats.output_tokens_sent += generation.output_tokens
        self._count_completed(generation)
        return keep_alive
