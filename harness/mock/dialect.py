"""What a wire format must provide for the simulator to speak it.

The server owns everything a dialect shares: routing, the latency model,
generation slots, faults, token accounting and counters. A dialect only turns
bytes into a :class:`GenerationRequest` and a :class:`Generation` back into
bytes: the events of a stream, a whole response body, and its error bodies.
Registered dialects live in :mod:`.dialects`; each is served on its own paths,
all at once.

Helpers every dialect uses live here too: :func:`json_object` for request
bodies and :class:`TemplateEncoder`, the per-token half of a stream encoder
(reasoning events first, then answer events, from byte templates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from .tokens import token_json
from .tool_calls import SimulatedToolCall, ToolSpec


@dataclass(frozen=True)
class GenerationRequest:
    """The parts of a chat request the simulator acts on, whatever the dialect."""

    model: str
    max_tokens: int | None
    """The limit on all output, reasoning included; None = no limit."""
    stream: bool
    input_tokens: int
    include_usage: bool = False
    """OpenAI's ``stream_options.include_usage``; dialects that always report usage ignore it."""
    reasoning: bool = False
    """The request turns a reasoning phase on (thinking, thinkingConfig, a reasoner model)."""
    reasoning_budget: int | None = None
    """The most reasoning tokens the request allows; None = no cap of its own."""
    show_reasoning: bool = True
    """Whether the reasoning text is sent (Gemini's ``includeThoughts``); counted either way."""
    tools: tuple[ToolSpec, ...] = ()
    """The tools the request offers (see :mod:`.tool_calls`)."""
    tool_results_last: bool = False
    """The last message carries tool results: the answer is text, never another call."""


class InvalidRequest(ValueError):
    """A request the dialect's API would refuse (HTTP 400 unless ``status`` says otherwise)."""

    def __init__(
        self,
        message: str,
        param: str | None = None,
        code: str | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        self.status = status


@dataclass(frozen=True)
class TokenCounts:
    """Token usage, counted the same way for every dialect.

    ``input_tokens`` includes the cached ones, ``output_tokens`` the reasoning
    ones; each dialect rewrites these in its provider's terms.
    """

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0

    def scaled(self, factor: float) -> TokenCounts:
        """Every count times ``factor``, rounded (the ``wrong_usage`` fault)."""
        return TokenCounts(
            round(self.input_tokens * factor),
            round(self.cached_input_tokens * factor),
            round(self.output_tokens * factor),
            round(self.reasoning_tokens * factor),
        )


@dataclass(frozen=True)
class Generation:
    """What the server generates for one request, and the usage its answer reports."""

    reasoning_tokens: int
    """Reasoning tokens, sent before the answer."""
    answer_tokens: int
    reached_limit: bool
    """The output stopped at the request's max tokens."""
    usage: TokenCounts | None
    """The usage to report: what was counted, unless a ``wrong_usage`` fault scaled it;
    None: a ``no_usage`` fault, the answer carries no usage at all."""
    number: int = 1
    """Counts generations, for response ids."""
    created: int = 0
    """Unix time of the response."""
    tool_call: SimulatedToolCall | None = None
    """The answer is this tool call instead of text (``answer_tokens`` is then 0)."""

    @property
    def output_tokens(self) -> int:
        """Every output token: reasoning, then the answer or the tool call."""
        if self.tool_call is not None:
            return self.reasoning_tokens + self.tool_call.tokens
        return self.reasoning_tokens + self.answer_tokens

    @property
    def events(self) -> int:
        """Token events of a stream: one per reasoning and answer token, or per tool-call
        fragment; each is one step of the latency model."""
        if self.tool_call is not None:
            return self.reasoning_tokens + len(self.tool_call.fragments)
        return self.reasoning_tokens + self.answer_tokens


class StreamEncoder(Protocol):
    """Builds the server-sent events of one streamed generation."""

    def opening(self) -> bytes:
        """Events sent with the first token (or alone, for an empty output); may be empty."""
        ...

    def token(self, index: int) -> bytes:
        """The event of token ``index`` (0-based, reasoning tokens first); may be empty."""
        ...

    def closing(self) -> bytes:
        """Every event after the last token: finish reason, usage, end marker."""
        ...


class Dialect(Protocol):
    """One wire format, served on ``chat_paths`` and below ``chat_prefixes``."""

    name: str
    chat_paths: tuple[str, ...]
    chat_prefixes: tuple[str, ...]
    """Path prefixes whose rest :meth:`parse_request` reads (Gemini's ``{model}:method``)."""
    malformed_event: bytes
    """A stream event that is not valid for the format (the ``malformed`` fault)."""
    malformed_body: bytes
    """A 200 body that is not valid for the format (the ``malformed`` fault, unstreamed)."""
    overload_event: bytes
    """The in-stream error of the ``overload`` fault; empty: the stream just ends."""
    overload_status: int
    """The HTTP status of the ``overload`` fault on an unstreamed request."""

    def parse_request(
        self, path: str, query: str, body: bytes, default_model: str
    ) -> GenerationRequest:
        """Read a request; raise :class:`InvalidRequest` when it is unusable."""
        ...

    def invalid_request_body(self, invalid: InvalidRequest) -> bytes: ...

    def stream_encoder(
        self, request: GenerationRequest, generation: Generation
    ) -> StreamEncoder: ...

    def completion_body(self, request: GenerationRequest, generation: Generation) -> bytes:
        """The whole unstreamed answer."""
        ...

    def status_error_body(self, status: int) -> bytes:
        """The error body of an injected ``http:STATUS`` fault."""
        ...

    def rate_limit_body(self, retry_after_s: float) -> bytes:
        """The body of an injected ``429:S`` fault (the server adds Retry-After)."""
        ...

    def blocked_answer(self, request: GenerationRequest) -> bytes | None:
        """The HTTP 200 answer to a blocked prompt (a whole body, or a stream's only
        event), or None when the format has none: the server answers ``http:400``."""
        ...


def json_object(body: bytes, not_json: str, not_object: str, code: str | None = None) -> Any:
    """The request body as a dict; InvalidRequest with the dialect's wording otherwise."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidRequest(not_json, None, code) from None
    if not isinstance(payload, dict):
        raise InvalidRequest(not_object, None, code)
    return payload


class TemplateEncoder:
    """The ``token`` half of a stream encoder, from byte templates.

    Token ``index`` below the generation's reasoning tokens is a reasoning
    event (nothing when the reasoning is not shown, or the format has none);
    the answer events follow, numbered from 0 again, the first one preceded
    by ``answer_prefix`` when a reasoning phase came before it. A template is
    the bytes before and after the token's JSON string.

    When the generation is a tool call, the answer events are its argument
    fragments in the ``tool`` template (nothing without one: the format sends
    the call whole, in its closing), the first preceded by ``tool_prefix``
    (the call's header) and, after reasoning, by ``answer_prefix`` before it.
    """

    __slots__ = (
        "_answer_head",
        "_answer_prefix",
        "_answer_tail",
        "_fragments",
        "_reasoning",
        "_reasoning_head",
        "_reasoning_tail",
        "_tool_head",
        "_tool_prefix",
        "_tool_tail",
    )

    def __init__(
        self,
        generation: Generation,
        answer: tuple[bytes, bytes],
        reasoning: tuple[bytes, bytes] | None = None,
        answer_prefix: bytes = b"",
        tool: tuple[bytes, bytes] | None = None,
        tool_prefix: bytes = b"",
    ) -> None:
        self._reasoning = generation.reasoning_tokens
        self._answer_head, self._answer_tail = answer
        self._reasoning_head, self._reasoning_tail = reasoning or (b"", b"")
        self._answer_prefix = answer_prefix
        call = generation.tool_call
        self._fragments = call.fragments if call is not None else None
        self._tool_head, self._tool_tail = tool or (b"", b"")
        self._tool_prefix = tool_prefix

    def token(self, index: int) -> bytes:
        reasoning = self._reasoning
        if index < reasoning:
            if not self._reasoning_head:
                return b""
            return self._reasoning_head + token_json(index) + self._reasoning_tail
        index -= reasoning
        if self._fragments is not None:
            return self._tool_event(index)
        event = self._answer_head + token_json(index) + self._answer_tail
        if index == 0 and reasoning:
            return self._answer_prefix + event
        return event

    def _tool_event(self, index: int) -> bytes:
        assert self._fragments is not None
        event = b""
        if self._tool_head:
            fragment = orjson.dumps(self._fragments[index])
            event = self._tool_head + fragment + self._tool_tail
        if index == 0:
            event = self._tool_prefix + event
            if self._reasoning:
                event = self._answer_prefix + event
        return event
