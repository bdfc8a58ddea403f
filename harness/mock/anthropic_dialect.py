"""The Anthropic Messages wire format, as the simulator speaks it.

Request: ``POST /v1/messages`` (``x-api-key`` and ``anthropic-version`` are
not checked), a JSON object with ``model`` (any name), ``max_tokens``
(required, >= 1; it bounds all output, thinking included), ``messages``
(required, non-empty), optional top-level ``system`` (a string or text
blocks), ``stream`` and ``thinking``: ``{"type": "enabled", "budget_tokens":
N}`` with ``1024 <= N < max_tokens`` (``"disabled"`` and ``"adaptive"``, with
no budget, are accepted too). Other fields are ignored. Input tokens are the
words of every message's content and of ``system`` (the rule of
:mod:`.tokens`). A refused request gets HTTP 400 and
``{"type": "error", "error": {"type": "invalid_request_error", "message"}}``.

Usage, as Anthropic counts it: ``input_tokens`` *leaves out* the cache, so a
prompt of ``I`` tokens of which ``C`` were read from the cache reports
``input_tokens = I - C``, ``cache_read_input_tokens = C`` and
``cache_creation_input_tokens = 0``; ``output_tokens`` includes the thinking,
which ``output_tokens_details.thinking_tokens`` breaks out when thinking is on.

Streaming answer, as named server-sent events:

1. ``message_start`` (the message with empty ``content`` and the usage above,
   ``output_tokens: 1``), ``content_block_start`` of block 0 and a ``ping``;
2. with thinking on and the simulator's ``reasoning_tokens`` above 0: block 0
   is ``thinking``, one ``thinking_delta`` per reasoning token, then a
   ``signature_delta``, ``content_block_stop`` and ``content_block_start`` of
   text block 1;
3. one ``text_delta`` per answer token, and a ``ping`` every
   :data:`PING_EVERY` tokens;
4. ``content_block_stop``, ``message_delta`` (``stop_reason`` ``max_tokens``
   when the output reached ``max_tokens``, else ``end_turn``; the whole
   cumulative ``usage``, as the current API sends it) and ``message_stop``.

Non-streaming answer: ``{"type": "message", "content": [thinking block?,
text block], "stop_reason", "usage", ...}``.

Tool calls (:mod:`.tool_calls`): a request offering ``tools`` (``[{"name",
"input_schema"}]``) whose last message carries no ``tool_result`` block may
be answered with a call: the answer block is ``{"type": "tool_use", "id",
"name", "input": {}}`` at ``content_block_start``, then one
``input_json_delta`` with a ``partial_json`` fragment per token event;
unstreamed, the block has the whole ``input``. The stop reason is
``tool_use``. A ``tool_result`` block's input tokens are the words of its
``content``.

Errors: ``{"type": "error", "error": {"type", "message"}}`` with 400
``invalid_request_error``, 401 ``authentication_error``, 403
``permission_error``, 404 ``not_found_error``, 413 ``request_too_large``, 429
``rate_limit_error`` (with ``retry-after``), 500 and other 5xx ``api_error``,
529 ``overloaded_error``. The ``overload`` fault sends ``event: error`` with an
``overloaded_error`` after the first token and ends the stream there;
unstreamed it is a 529. ``blocked`` is a 400 ``invalid_request_error``.
"""

from __future__ import annotations

from typing import Any

import orjson

from .dialect import (
    Generation,
    GenerationRequest,
    InvalidRequest,
    TemplateEncoder,
    TokenCounts,
    json_object,
)
from .tokens import content_words, count_input_tokens, output_text
from .tool_calls import listed, specs, tool_spec

MESSAGES_PATH = "/v1/messages"
MIN_THINKING_BUDGET = 1024
PING_EVERY = 64
"""A ``ping`` follows every PING_EVERY-th token event, as a long stream carries them."""
SIGNATURE = "c2ltdWxhdGVkLXRoaW5raW5n"
"""The opaque signature that closes every thinking block."""

PING_EVENT = b'event: ping\ndata: {"type":"ping"}\n\n'

_OVERLOADED = "Overloaded"
_STATUS_TYPES: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Bad request (injected by the simulator)."),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use this resource."),
    404: ("not_found_error", "Not found (injected by the simulator)."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of requests has exceeded your rate limit."),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", _OVERLOADED),
}


def error_body(error_type: str, message: str) -> bytes:
    """Anthropic's error envelope."""
    return orjson.dumps({"type": "error", "error": {"type": error_type, "message": message}})


def event(name: str, fields: dict[str, Any]) -> bytes:
    """One named event whose data is ``{"type": name, **fields}``."""
    data = orjson.dumps({"type": name, **fields})
    return b"event: " + name.encode() + b"\ndata: " + data + b"\n\n"


def _field(payload: dict[str, Any], name: str, kind: type, required: bool = False) -> Any:
    value = payload.get(name)
    if value is None:
        if required:
            raise InvalidRequest(f"{name}: Field required", name)
        return None
    if type(value) is not kind:
        raise InvalidRequest(f"{name}: Input should be a valid {kind.__name__}", name)
    return value


def _thinking(payload: dict[str, Any], max_tokens: int) -> tuple[bool, int | None]:
    """Whether ``thinking`` turns reasoning on, and its budget."""
    thinking = _field(payload, "thinking", dict)
    if thinking is None or thinking.get("type") == "disabled":
        return False, None
    kind = thinking.get("type")
    if kind == "adaptive":
        return True, None
    if kind != "enabled":
        raise InvalidRequest(
            "thinking.type: Input should be 'enabled', 'disabled' or 'adaptive'", "thinking"
        )
    budget = _field(thinking, "budget_tokens", int, required=True)
    if budget < MIN_THINKING_BUDGET:
        raise InvalidRequest(
            f"thinking.enabled.budget_tokens: Input should be greater than or equal to "
            f"{MIN_THINKING_BUDGET}",
            "thinking",
        )
    if max_tokens <= budget:
        raise InvalidRequest(
            "`max_tokens` must be greater than `thinking.budget_tokens`", "max_tokens"
        )
    return True, budget


def parse_messages_request(body: bytes) -> GenerationRequest:
    """Read a Messages API request body; raise InvalidRequest when unusable."""
    payload = json_object(
        body,
        "There was an error parsing the body of your request: not valid JSON",
        "request body: Input should be a valid dictionary",
    )
    model = _field(payload, "model", str, required=True)
    max_tokens = _field(payload, "max_tokens", int, required=True)
    if max_tokens < 1:
        raise InvalidRequest("max_tokens: Input should be greater than or equal to 1", "max_tokens")
    messages = _field(payload, "messages", list, required=True)
    if not messages:
        raise InvalidRequest("messages: at least one message is required", "messages")
    system = payload.get("system")
    if system is not None and not isinstance(system, (str, list)):
        raise InvalidRequest("system: Input should be a valid string", "system")
    stream = _field(payload, "stream", bool) or False
    reasoning, budget = _thinking(payload, max_tokens)
    tools = [t for t in listed(payload, "tools") if isinstance(t, dict)]
    return GenerationRequest(
        model=model,
        max_tokens=max_tokens,
        stream=stream,
        input_tokens=count_input_tokens(messages) + content_words(system),
        reasoning=reasoning,
        reasoning_budget=budget,
        tools=specs(tool_spec(t.get("name"), t.get("input_schema")) for t in tools),
        tool_results_last=_has_tool_results(messages[-1]),
    )


def _has_tool_results(message: Any) -> bool:
    content = message.get("content") if isinstance(message, dict) else None
    return isinstance(content, list) and any(
        isinstance(block, dict) and block.get("type") == "tool_result" for block in content
    )


def usage_object(usage: TokenCounts, thinking: bool, started: bool = False) -> dict[str, Any]:
    """Anthropic's ``usage``: input without the cache; thinking broken out when on.

    ``started``: as ``message_start`` has it, before any output is counted.
    """
    found: dict[str, Any] = {
        "input_tokens": usage.input_tokens - usage.cached_input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": usage.cached_input_tokens,
        "output_tokens": 1 if started else usage.output_tokens,
    }
    if thinking and not started:
        found["output_tokens_details"] = {"thinking_tokens": usage.reasoning_tokens}
    return found


def _stop_reason(generation: Generation) -> str:
    if generation.tool_call is not None:
        return "tool_use"
    return "max_tokens" if generation.reached_limit else "end_turn"


def _answer_block(generation: Generation, whole: bool) -> dict[str, Any]:
    """The answer's content block: text, or the tool call (its ``input`` empty
    as ``content_block_start`` has it, or ``whole``)."""
    call = generation.tool_call
    if call is None:
        return {"type": "text", "text": output_text(generation.answer_tokens) if whole else ""}
    return {
        "type": "tool_use",
        "id": call.id,
        "name": call.name,
        "input": call.input if whole else {},
    }


def _message(
    request: GenerationRequest, generation: Generation, content: list[Any], started: bool
) -> dict[str, Any]:
    """The message object: as ``message_start`` carries it, or whole."""
    message: dict[str, Any] = {
        "id": f"msg_sim{generation.number}",
        "type": "message",
        "role": "assistant",
        "model": request.model,
        "content": content,
        "stop_reason": None if started else _stop_reason(generation),
        "stop_sequence": None,
    }
    if generation.usage is not None:
        message["usage"] = usage_object(generation.usage, request.reasoning, started)
    return message


def _delta(index: int, kind: str, field: str) -> tuple[bytes, bytes]:
    """The template of a ``content_block_delta`` carrying one token."""
    head = (
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":%d,'
        b'"delta":{"type":"%s","%s":' % (index, kind.encode(), field.encode())
    )
    return head, b"}}\n\n"


def _block_start(index: int, block: dict[str, Any]) -> bytes:
    return event("content_block_start", {"index": index, "content_block": block})


def _block_stop(index: int) -> bytes:
    return event("content_block_stop", {"index": index})


_THINKING_BLOCK = {"type": "thinking", "thinking": "", "signature": ""}
# Closes thinking block 0: its signature, then the stop.
_THINKING_END = event(
    "content_block_delta",
    {"index": 0, "delta": {"type": "signature_delta", "signature": SIGNATURE}},
) + _block_stop(0)


class MessageStreamEncoder(TemplateEncoder):
    """The named events of one streamed message."""

    __slots__ = ("_answer_block", "_generation", "_request", "_text_index")

    def __init__(self, request: GenerationRequest, generation: Generation) -> None:
        self._request = request
        self._generation = generation
        self._text_index = 1 if generation.reasoning_tokens else 0
        self._answer_block = _answer_block(generation, whole=False)
        super().__init__(
            generation,
            answer=_delta(self._text_index, "text_delta", "text"),
            reasoning=_delta(0, "thinking_delta", "thinking"),
            answer_prefix=_THINKING_END + _block_start(1, self._answer_block),
            tool=_delta(self._text_index, "input_json_delta", "partial_json"),
        )

    def opening(self) -> bytes:
        message = _message(self._request, self._generation, [], started=True)
        first = _THINKING_BLOCK if self._text_index else self._answer_block
        return event("message_start", {"message": message}) + _block_start(0, first) + PING_EVENT

    def token(self, index: int) -> bytes:
        found = super().token(index)
        if index % PING_EVERY == PING_EVERY - 1:
            return found + PING_EVENT
        return found

    def closing(self) -> bytes:
        generation = self._generation
        ended_in_thinking = (
            generation.reasoning_tokens
            and not generation.answer_tokens
            and generation.tool_call is None
        )
        delta: dict[str, Any] = {
            "delta": {"stop_reason": _stop_reason(generation), "stop_sequence": None}
        }
        if generation.usage is not None:
            delta["usage"] = usage_object(generation.usage, self._request.reasoning)
        return (
            (_THINKING_END if ended_in_thinking else _block_stop(self._text_index))
            + event("message_delta", delta)
            + event("message_stop", {})
        )


class AnthropicDialect:
    """Anthropic Messages as a :class:`~harness.mock.dialect.Dialect`."""

    name = "anthropic"
    chat_paths: tuple[str, ...] = (MESSAGES_PATH,)
    chat_prefixes: tuple[str, ...] = ()
    malformed_event = b"event: content_block_delta\ndata: {not json\n\n"
    malformed_body = b"{not json"
    overload_event = event("error", {"error": {"type": "overloaded_error", "message": _OVERLOADED}})
    overload_status = 529

    def parse_request(
        self, path: str, query: str, body: bytes, default_model: str
    ) -> GenerationRequest:
        return parse_messages_request(body)

    def invalid_request_body(self, invalid: InvalidRequest) -> bytes:
        return error_body("invalid_request_error", invalid.message)

    def stream_encoder(
        self, request: GenerationRequest, generation: Generation
    ) -> MessageStreamEncoder:
        return MessageStreamEncoder(request, generation)

    def completion_body(self, request: GenerationRequest, generation: Generation) -> bytes:
        content: list[Any] = []
        if generation.reasoning_tokens:
            thinking = output_text(generation.reasoning_tokens)
            content.append({"type": "thinking", "thinking": thinking, "signature": SIGNATURE})
        if generation.answer_tokens or generation.tool_call or not generation.reasoning_tokens:
            content.append(_answer_block(generation, whole=True))
        return orjson.dumps(_message(request, generation, content, started=False))

    def status_error_body(self, status: int) -> bytes:
        known = _STATUS_TYPES.get(status)
        if known is None:
            known = ("api_error", "Internal server error") if status >= 500 else _STATUS_TYPES[400]
        return error_body(*known)

    def rate_limit_body(self, retry_after_s: float) -> bytes:
        return error_body(*_STATUS_TYPES[429])

    def blocked_answer(self, request: GenerationRequest) -> bytes | None:
        return None
