"""The OpenAI Chat Completions wire format, as the simulator speaks it.

Requests: ``model`` (optional; any name is accepted), ``messages`` (required,
non-empty list), ``max_completion_tokens`` or the legacy ``max_tokens`` (the
former wins; >= 1), ``stream`` and ``stream_options.include_usage``. Other
fields are ignored. A body that is not a JSON object, or a field of the wrong
type, gets HTTP 400 with ``{"error": {"message", "type":
"invalid_request_error", "param", "code"}}``.

Non-streaming answer: one ``chat.completion`` object with ``usage``
(``prompt_tokens``, ``completion_tokens``, ``total_tokens``; plus
``prompt_tokens_details.cached_tokens`` when some input was read from the
cache and ``completion_tokens_details.reasoning_tokens`` when the model
reasoned: both are counted inside the totals, as OpenAI does).

Reasoning, as DeepSeek's ``deepseek-reasoner`` does it: when the model name
contains ``reasoner`` and the simulator's ``reasoning_tokens`` is above 0,
the reasoning comes first, as ``delta: {"content": null, "reasoning_content":
" word"}`` chunks (unstreamed: ``message.reasoning_content``).

Streaming answer, as ``data: ...`` server-sent events:

1. ``delta: {"role": "assistant", "content": ""}`` (it carries no output, so the
   server writes it together with the first content chunk, at TTFT);
2. one chunk per output token, ``delta: {"content": " word"}`` (reasoning
   chunks first, if any);
3. a chunk with an empty delta and ``finish_reason`` (``"length"`` when the
   output reached the request's max tokens, else ``"stop"``; ``"tool_calls"``
   after a tool call);
4. only with ``stream_options.include_usage``: a chunk with ``choices: []`` and
   ``usage`` (every earlier chunk then carries ``"usage": null``, as OpenAI's do);
5. ``data: [DONE]``.

Tool calls (:mod:`.tool_calls`): a request offering ``tools`` (``[{"type":
"function", "function": {"name", "parameters"}}]``) whose last message is
not ``role: "tool"`` may be answered with a call instead of text. Streamed,
the answer chunks become ``delta: {"tool_calls": [{"index": 0, "id",
"type": "function", "function": {"name", "arguments": ""}}]}`` and then one
``delta: {"tool_calls": [{"index": 0, "function": {"arguments": FRAGMENT}}]}``
per argument fragment; unstreamed, ``message.tool_calls`` with ``content:
null``. The finish reason is ``"tool_calls"``.

The ``overload`` fault ends a stream after its first chunk with
``data: {"error": {..., "type": "server_error", "code": "overloaded"}}`` and
no ``[DONE]``; unstreamed, it is an HTTP 503 with that error.

Event bodies are assembled from per-request byte templates rather than
serialized one by one: a stream costs one JSON encoding per request, not per
token, which keeps the simulator far from being the bottleneck.
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
from .tokens import count_input_tokens, output_text
from .tool_calls import listed, specs, tool_spec

DONE_EVENT = b"data: [DONE]\n\n"
MALFORMED_EVENT = b"data: {not json\n\n"
MALFORMED_BODY = b"{not json"
REASONER_MARK = "reasoner"
"""A model whose name contains it streams ``reasoning_content`` first, as DeepSeek's does."""


def _optional_max(payload: dict[str, Any], name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(
            f"Invalid type for '{name}': expected an integer, but got {type(value).__name__}.",
            param=name,
            code="invalid_type",
        )
    if value < 1:
        raise InvalidRequest(
            f"Invalid '{name}': integer below minimum value. Expected a value >= 1, "
            f"but got {value} instead.",
            param=name,
            code="integer_below_min_value",
        )
    return value


def parse_chat_request(body: bytes, default_model: str) -> GenerationRequest:
    """Read a chat completion request body; raise InvalidRequest when unusable."""
    payload = json_object(
        body,
        "We could not parse the JSON body of your request. The API expects a JSON "
        "payload, but what was sent was not valid JSON.",
        "The request body must be a JSON object.",
    )
    messages = payload.get("messages")
    if messages is None:
        raise InvalidRequest("Missing required parameter: 'messages'.", "messages", "missing")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest(
            "Invalid 'messages': expected a non-empty array of messages.", "messages"
        )

    model = payload.get("model")
    if model is None:
        model = default_model
    elif not isinstance(model, str):
        raise InvalidRequest("Invalid type for 'model': expected a string.", "model")

    max_tokens = _optional_max(payload, "max_completion_tokens")
    if max_tokens is None:
        max_tokens = _optional_max(payload, "max_tokens")

    stream = payload.get("stream")
    if stream is None:
        stream = False
    elif not isinstance(stream, bool):
        raise InvalidRequest("Invalid type for 'stream': expected a boolean.", "stream")

    include_usage = False
    options = payload.get("stream_options")
    if isinstance(options, dict):
        include_usage = options.get("include_usage") is True

    functions = [t.get("function") for t in listed(payload, "tools") if isinstance(t, dict)]
    last = messages[-1]
    return GenerationRequest(
        model=model,
        max_tokens=max_tokens,
        stream=stream,
        include_usage=stream and include_usage,
        input_tokens=count_input_tokens(messages),
        reasoning=REASONER_MARK in model,
        tools=specs(
            tool_spec(f.get("name"), f.get("parameters")) for f in functions if isinstance(f, dict)
        ),
        tool_results_last=isinstance(last, dict) and last.get("role") == "tool",
    )


def usage_object(usage: TokenCounts) -> dict[str, Any]:
    """OpenAI's ``usage``; the details objects appear only when they count something."""
    found: dict[str, Any] = {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }
    if usage.cached_input_tokens:
        found["prompt_tokens_details"] = {"cached_tokens": usage.cached_input_tokens}
    if usage.reasoning_tokens:
        found["completion_tokens_details"] = {"reasoning_tokens": usage.reasoning_tokens}
    return found


def _finish_reason(generation: Generation) -> str:
    if generation.tool_call is not None:
        return "tool_calls"
    return "length" if generation.reached_limit else "stop"


def completion_body(completion_id: str, model: str, generation: Generation) -> bytes:
    """The JSON of a non-streaming ``chat.completion``."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": output_text(generation.answer_tokens),
        "refusal": None,
    }
    if generation.reasoning_tokens:
        message["reasoning_content"] = output_text(generation.reasoning_tokens)
    call = generation.tool_call
    if call is not None:
        message["content"] = None
        function = {"name": call.name, "arguments": call.arguments}
        message["tool_calls"] = [{"id": call.id, "type": "function", "function": function}]
    body: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion",
        "created": generation.created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": _finish_reason(generation),
            }
        ],
    }
    if generation.usage is not None:
        body["usage"] = usage_object(generation.usage)
    body["system_fingerprint"] = None
    return orjson.dumps(body)


class ChunkEncoder(TemplateEncoder):
    """Builds the SSE events of one streamed completion."""

    __slots__ = ("_choice_head", "_generation", "_head", "_include_usage", "_tail")

    def __init__(
        self, completion_id: str, model: str, include_usage: bool, generation: Generation
    ) -> None:
        self._generation = generation
        self._include_usage = include_usage
        self._head = (
            b'data: {"id":'
            + orjson.dumps(completion_id)
            + b',"object":"chat.completion.chunk","created":'
            + str(generation.created).encode()
            + b',"model":'
            + orjson.dumps(model)
            + b',"system_fingerprint":null,"choices":'
        )
        self._choice_head = self._head + b'[{"index":0,"delta":'
        self._tail = (b',"usage":null' if include_usage else b"") + b"}\n\n"
        tail = b'},"logprobs":null,"finish_reason":null}]' + self._tail
        call = generation.tool_call
        header = b""
        if call is not None:
            # The call's first chunk names it; the argument fragments follow by index.
            function = {"name": call.name, "arguments": ""}
            first = {"index": 0, "id": call.id, "type": "function", "function": function}
            header = self._choice_head + b'{"tool_calls":' + orjson.dumps([first]) + tail
        super().__init__(
            generation,
            answer=(self._choice_head + b'{"content":', tail),
            reasoning=(self._choice_head + b'{"content":null,"reasoning_content":', tail),
            tool=(
                self._choice_head + b'{"tool_calls":[{"index":0,"function":{"arguments":',
                b"}}]" + tail,
            ),
            tool_prefix=header,
        )

    def opening(self) -> bytes:
        """The first event: the assistant role, no output yet."""
        return (
            self._choice_head
            + b'{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]'
            + self._tail
        )

    def closing(self) -> bytes:
        """The finish chunk, the usage chunk when asked for, and ``[DONE]``."""
        finish = self.finish(_finish_reason(self._generation))
        usage = self._generation.usage
        if self._include_usage and usage is not None:
            finish += self.usage(usage)
        return finish + DONE_EVENT

    def finish(self, finish_reason: str) -> bytes:
        return (
            self._choice_head
            + b'{},"logprobs":null,"finish_reason":'
            + orjson.dumps(finish_reason)
            + b"}]"
            + self._tail
        )

    def usage(self, usage: TokenCounts) -> bytes:
        """The ``choices: []`` chunk sent when ``include_usage`` is true."""
        return self._head + b'[],"usage":' + orjson.dumps(usage_object(usage)) + b"}\n\n"


def error_body(message: str, error_type: str, code: str | None, param: str | None = None) -> bytes:
    """OpenAI's error envelope."""
    return orjson.dumps(
        {"error": {"message": message, "type": error_type, "param": param, "code": code}}
    )


_STATUS_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Bad request (injected by the simulator).", "invalid_request_error", None),
    401: (
        "Incorrect API key provided (injected by the simulator).",
        "invalid_request_error",
        "invalid_api_key",
    ),
    403: ("You are not allowed to sample from this model.", "invalid_request_error", None),
    404: (
        "The model does not exist or you do not have access to it.",
        "invalid_request_error",
        "model_not_found",
    ),
    429: (
        "Rate limit reached for requests (injected by the simulator).",
        "requests",
        "rate_limit_exceeded",
    ),
    500: (
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    ),
    503: (
        "The engine is currently overloaded, please try again later.",
        "server_error",
        None,
    ),
    529: ("Overloaded.", "server_error", "overloaded"),
}


def status_error_body(status: int) -> bytes:
    """The error body for an injected ``http:STATUS`` fault."""
    known = _STATUS_ERRORS.get(status)
    if known is not None:
        return error_body(*known)
    if status >= 500:
        return error_body(
            f"Server error {status} (injected by the simulator).", "server_error", None
        )
    return error_body(
        f"Request failed with status {status} (injected by the simulator).",
        "invalid_request_error",
        None,
    )


def rate_limit_body(retry_after_s: float) -> bytes:
    """The body OpenAI sends with a 429 for too many requests."""
    return error_body(
        f"Rate limit reached for requests. Please try again in {retry_after_s:g}s.",
        "requests",
        "rate_limit_exceeded",
    )


def models_body(models: tuple[str, ...]) -> bytes:
    """``GET /v1/models``."""
    return orjson.dumps(
        {
            "object": "list",
            "data": [
                {"id": name, "object": "model", "created": 0, "owned_by": "harness-mock"}
                for name in models
            ],
        }
    )


def not_found_body(method: str, path: str) -> bytes:
    return error_body(
        f"Unknown request URL: {method} {path}.", "invalid_request_error", "unknown_url"
    )


def method_not_allowed_body(method: str, path: str) -> bytes:
    return error_body(
        f"Method {method} is not allowed for {path}.", "invalid_request_error", "method_not_allowed"
    )


OVERLOAD_EVENT = (
    b"data: "
    + error_body(
        "The engine is currently overloaded, please try again later.", "server_error", "overloaded"
    )
    + b"\n\n"
)


def invalid_request_body(invalid: InvalidRequest) -> bytes:
    """The HTTP 400 body for a request :func:`parse_chat_request` refused."""
    return error_body(invalid.message, "invalid_request_error", invalid.code, invalid.param)


class OpenAIDialect:
    """OpenAI Chat Completions as a :class:`~harness.mock.dialect.Dialect`."""

    name = "openai"
    chat_paths: tuple[str, ...] = ("/v1/chat/completions", "/chat/completions")
    chat_prefixes: tuple[str, ...] = ()
    malformed_event = MALFORMED_EVENT
    malformed_body = MALFORMED_BODY
    overload_event = OVERLOAD_EVENT
    overload_status = 503

    def parse_request(
        self, path: str, query: str, body: bytes, default_model: str
    ) -> GenerationRequest:
        return parse_chat_request(body, default_model)

    def invalid_request_body(self, invalid: InvalidRequest) -> bytes:
        return invalid_request_body(invalid)

    def stream_encoder(self, request: GenerationRequest, generation: Generation) -> ChunkEncoder:
        return ChunkEncoder(
            _completion_id(generation), request.model, request.include_usage, generation
        )

    def completion_body(self, request: GenerationRequest, generation: Generation) -> bytes:
        return completion_body(_completion_id(generation), request.model, generation)

    def status_error_body(self, status: int) -> bytes:
        return status_error_body(status)

    def rate_limit_body(self, retry_after_s: float) -> bytes:
        return rate_limit_body(retry_after_s)

    def blocked_answer(self, request: GenerationRequest) -> bytes | None:
        return None


def _completion_id(generation: Generation) -> str:
    return f"chatcmpl-sim{generation.number}"
