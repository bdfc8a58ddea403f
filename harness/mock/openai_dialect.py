"""The OpenAI Chat Completions wire format, as the simulator speaks it.

Requests: ``model`` (optional; any name is accepted), ``messages`` (required,
non-empty list), ``max_completion_tokens`` or the legacy ``max_tokens`` (the
former wins; >= 1), ``stream`` and ``stream_options.include_usage``. Other
fields are ignored. A body that is not a JSON object, or a field of the wrong
type, gets HTTP 400 with ``{"error": {"message", "type":
"invalid_request_error", "param", "code"}}``.

Non-streaming answer: one ``chat.completion`` object with ``usage``
(``prompt_tokens``, ``completion_tokens``, ``total_tokens``).

Streaming answer, as ``data: ...`` server-sent events:

1. ``delta: {"role": "assistant", "content": ""}`` (it carries no output, so the
   server writes it together with the first content chunk, at TTFT);
2. one chunk per output token, ``delta: {"content": " word"}``;
3. a chunk with an empty delta and ``finish_reason`` (``"length"`` when the
   output reached the request's max tokens, else ``"stop"``);
4. only with ``stream_options.include_usage``: a chunk with ``choices: []`` and
   ``usage`` (every earlier chunk then carries ``"usage": null``, as OpenAI's do);
5. ``data: [DONE]``.

Event bodies are assembled from per-request byte templates rather than
serialized one by one: a stream costs one JSON encoding per request, not per
token, which keeps the simulator far from being the bottleneck.
"""

from __future__ import annotations

from typing import Any

import orjson

from .dialect import GenerationRequest, InvalidRequest
from .tokens import VOCABULARY, count_input_tokens, output_text

DONE_EVENT = b"data: [DONE]\n\n"
MALFORMED_EVENT = b"data: {not json\n\n"
MALFORMED_BODY = b"{not json"

# The JSON string of every output token, encoded once at import.
_TOKEN_JSON: tuple[bytes, ...] = tuple(orjson.dumps(" " + word) for word in VOCABULARY)


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
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidRequest(
            "We could not parse the JSON body of your request. The API expects a JSON "
            "payload, but what was sent was not valid JSON."
        ) from None
    if not isinstance(payload, dict):
        raise InvalidRequest("The request body must be a JSON object.")

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

    return GenerationRequest(
        model=model,
        max_tokens=max_tokens,
        stream=stream,
        include_usage=stream and include_usage,
        input_tokens=count_input_tokens(messages),
    )


def usage_object(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def completion_body(
    completion_id: str,
    created: int,
    model: str,
    output_tokens: int,
    finish_reason: str,
    prompt_tokens: int,
) -> bytes:
    """The JSON of a non-streaming ``chat.completion``."""
    return orjson.dumps(
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": output_text(output_tokens),
                        "refusal": None,
                    },
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": usage_object(prompt_tokens, output_tokens),
            "system_fingerprint": None,
        }
    )


class ChunkEncoder:
    """Builds the SSE events of one streamed completion."""

    __slots__ = (
        "_choice_head",
        "_content_head",
        "_content_tail",
        "_head",
        "_include_usage",
        "_tail",
    )

    def __init__(self, completion_id: str, created: int, model: str, include_usage: bool) -> None:
        self._include_usage = include_usage
        self._head = (
            b'data: {"id":'
            + orjson.dumps(completion_id)
            + b',"object":"chat.completion.chunk","created":'
            + str(created).encode()
            + b',"model":'
            + orjson.dumps(model)
            + b',"system_fingerprint":null,"choices":'
        )
        self._choice_head = self._head + b'[{"index":0,"delta":'
        self._tail = (b',"usage":null' if include_usage else b"") + b"}\n\n"
        self._content_head = self._choice_head + b'{"content":'
        self._content_tail = b'},"logprobs":null,"finish_reason":null}]' + self._tail

    def opening(self) -> bytes:
        """The first event: the assistant role, no output yet."""
        return (
            self._choice_head
            + b'{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]'
            + self._tail
        )

    def token(self, index: int) -> bytes:
        """The event carrying output token ``index`` (0-based)."""
        return self._content_head + _TOKEN_JSON[index % len(_TOKEN_JSON)] + self._content_tail

    def closing(self, reached_limit: bool, input_tokens: int, output_tokens: int) -> bytes:
        """The finish chunk, the usage chunk when asked for, and ``[DONE]``."""
        finish = self.finish("length" if reached_limit else "stop")
        if self._include_usage:
            finish += self.usage(input_tokens, output_tokens)
        return finish + DONE_EVENT

    def finish(self, finish_reason: str) -> bytes:
        return (
            self._choice_head
            + b'{},"logprobs":null,"finish_reason":'
            + orjson.dumps(finish_reason)
            + b"}]"
            + self._tail
        )

    def usage(self, prompt_tokens: int, completion_tokens: int) -> bytes:
        """The ``choices: []`` chunk sent when ``include_usage`` is true."""
        return (
            self._head
            + b'[],"usage":'
            + orjson.dumps(usage_object(prompt_tokens, completion_tokens))
            + b"}\n\n"
        )


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


def invalid_request_body(invalid: InvalidRequest) -> bytes:
    """The HTTP 400 body for a request :func:`parse_chat_request` refused."""
    return error_body(invalid.message, "invalid_request_error", invalid.code, invalid.param)


class OpenAIDialect:
    """OpenAI Chat Completions as a :class:`~harness.mock.dialect.Dialect`."""

    name = "openai"
    chat_paths: tuple[str, ...] = ("/v1/chat/completions", "/chat/completions")
    malformed_event = MALFORMED_EVENT
    malformed_body = MALFORMED_BODY

    def parse_request(self, body: bytes, default_model: str) -> GenerationRequest:
        return parse_chat_request(body, default_model)

    def invalid_request_body(self, invalid: InvalidRequest) -> bytes:
        return invalid_request_body(invalid)

    def stream_encoder(self, request: GenerationRequest, number: int, created: int) -> ChunkEncoder:
        return ChunkEncoder(_completion_id(number), created, request.model, request.include_usage)

    def completion_body(
        self,
        request: GenerationRequest,
        number: int,
        created: int,
        output_tokens: int,
        reached_limit: bool,
    ) -> bytes:
        return completion_body(
            _completion_id(number),
            created,
            request.model,
            output_tokens,
            "length" if reached_limit else "stop",
            request.input_tokens,
        )

    def status_error_body(self, status: int) -> bytes:
        return status_error_body(status)

    def rate_limit_body(self, retry_after_s: float) -> bytes:
        return rate_limit_body(retry_after_s)


def _completion_id(number: int) -> str:
    return f"chatcmpl-sim{number}"
