"""The Gemini ``generateContent`` wire format, as the simulator speaks it.

Request: ``POST /v1beta/models/{model}:generateContent``, or
``:streamGenerateContent?alt=sse`` to stream (``/v1/models/...`` too; the
key in ``x-goog-api-key`` or ``?key=`` is not checked). The body: ``contents``
(required, non-empty: ``[{"role", "parts": [{"text"}]}]``), optional
``systemInstruction`` (``{"parts": [...]}``) and ``generationConfig`` with
``maxOutputTokens`` (>= 1; it bounds all output, thoughts included) and
``thinkingConfig``: thinking is on when it is present and its
``thinkingBudget`` is not 0 (-1 or absent: dynamic; above 0: a cap), and the
thoughts are sent only with ``includeThoughts: true`` (otherwise they take
their time and are counted, unseen, as Gemini does). Input tokens are the
words of every text part, system instruction included.

Answer: a ``GenerateContentResponse``, ``{"candidates": [{"content": {"role":
"model", "parts": [...]}, "finishReason", "index": 0}], "usageMetadata",
"modelVersion", "responseId"}``; thought parts (``"thought": true``) come
before the answer. ``usageMetadata``: ``promptTokenCount`` (cached tokens
included, ``cachedContentTokenCount`` when some were), ``candidatesTokenCount``
(the answer), ``thoughtsTokenCount`` (apart from the candidates, when there
were thoughts) and ``totalTokenCount``.

Streaming answer: each ``data:`` is a whole response carrying one token's
part; the last one has an empty text part, ``finishReason`` (``MAX_TOKENS``
when the output reached ``maxOutputTokens``, else ``STOP``) and the
``usageMetadata``. There is no end sentinel: the stream ends at its last event.

Tool calls (:mod:`.tool_calls`): a request offering ``tools`` (``[{"functionDeclarations":
[{"name", "parameters"}]}]``) whose last content has no ``functionResponse``
part may be answered with a call: a ``{"functionCall": {"name", "args"}}``
part, whole, in the last response (streamed, after the time its argument
fragments take), with ``finishReason`` ``STOP`` as Gemini has it. A
``functionResponse`` part's input tokens are the words of the string values
of its ``response``.

Errors: ``{"error": {"code", "message", "status", "details"}}`` with the
Google RPC status of the HTTP one: 400 ``INVALID_ARGUMENT``, 401
``UNAUTHENTICATED``, 403 ``PERMISSION_DENIED``, 404 ``NOT_FOUND`` (also an
unknown method in the path), 429 ``RESOURCE_EXHAUSTED`` with a ``RetryInfo``
detail (``"retryDelay": "2s"``), 500 ``INTERNAL``, 503 (and 529)
``UNAVAILABLE``, 504 ``DEADLINE_EXCEEDED``. The ``overload`` fault ends a
stream after its first token without a ``finishReason`` (unstreamed: a 503);
``blocked`` answers HTTP 200 with ``promptFeedback.blockReason: "SAFETY"``
and no candidates.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import orjson

from .dialect import (
    Generation,
    GenerationRequest,
    InvalidRequest,
    TemplateEncoder,
    TokenCounts,
    json_object,
)
from .tokens import content_words, output_text
from .tool_calls import listed, specs, tool_spec

PREFIXES: tuple[str, ...] = ("/v1beta/models/", "/v1/models/")
METHODS: dict[str, bool] = {"generateContent": False, "streamGenerateContent": True}
"""Method name in the path -> whether it streams."""

_RPC_STATUS: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
    529: "UNAVAILABLE",
}
_MESSAGES: dict[str, str] = {
    "INVALID_ARGUMENT": "Request contains an invalid argument.",
    "UNAUTHENTICATED": "Request had invalid authentication credentials.",
    "PERMISSION_DENIED": "The caller does not have permission.",
    "NOT_FOUND": "Requested entity was not found.",
    "RESOURCE_EXHAUSTED": "Resource has been exhausted (e.g. check quota).",
    "INTERNAL": "An internal error has occurred.",
    "UNAVAILABLE": "The model is overloaded. Please try again later.",
    "DEADLINE_EXCEEDED": "The request timed out.",
}


def rpc_status(status: int) -> str:
    """The Google RPC status name of an HTTP status."""
    return _RPC_STATUS.get(status) or ("INTERNAL" if status >= 500 else "INVALID_ARGUMENT")


def error_body(status: int, message: str | None = None, details: list[Any] | None = None) -> bytes:
    """Google's error envelope for an HTTP status."""
    name = rpc_status(status)
    error = {
        "code": status,
        "message": message or _MESSAGES.get(name, f"HTTP {status} (injected by the simulator)."),
        "status": name,
        "details": details or [],
    }
    return orjson.dumps({"error": error})


def _duration(seconds: float) -> str:
    """A protobuf Duration as JSON: ``"2s"``, ``"1.5s"``."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


def _optional(payload: dict[str, Any], name: str, kind: type, where: str) -> Any:
    value = payload.get(name)
    if value is not None and type(value) is not kind:
        raise InvalidRequest(
            f"Invalid value at '{where}' ({value!r}): expected a {kind.__name__}", where
        )
    return value


def _thinking(config: dict[str, Any]) -> tuple[bool, int | None, bool]:
    """(thinking on, budget cap, thoughts shown) from ``generationConfig``."""
    thinking = _optional(config, "thinkingConfig", dict, "generation_config.thinking_config")
    if thinking is None:
        return False, None, False
    where = "generation_config.thinking_config.thinking_budget"
    budget = _optional(thinking, "thinkingBudget", int, where)
    if budget is not None and budget < -1:
        raise InvalidRequest(f"Invalid value at '{where}': must be -1 or more", where)
    shown = _optional(thinking, "includeThoughts", bool, "thinking_config.include_thoughts")
    cap = budget if budget is not None and budget > 0 else None
    return budget != 0, cap, bool(shown)


def parse_generate_request(path: str, query: str, body: bytes) -> GenerationRequest:
    """Read a ``models/{model}:method`` request; raise InvalidRequest when unusable."""
    rest = next((path[len(p) :] for p in PREFIXES if path.startswith(p)), "")
    model, _, method = rest.rpartition(":")
    if not model or method not in METHODS:
        raise InvalidRequest(f"Method not found: {path}", status=404)
    stream = METHODS[method]
    if stream and parse_qs(query).get("alt") != ["sse"]:
        raise InvalidRequest("The simulator streams only with the query alt=sse.", "alt")
    payload = json_object(
        body,
        "Invalid JSON payload received. Unexpected token.",
        "Invalid JSON payload received. Expected an object.",
    )
    contents = payload.get("contents")
    if not isinstance(contents, list) or not contents:
        raise InvalidRequest("* GenerateContentRequest.contents: contents is not specified")
    system = _optional(payload, "systemInstruction", dict, "system_instruction") or {}
    config = _optional(payload, "generationConfig", dict, "generation_config") or {}
    max_tokens = _optional(config, "maxOutputTokens", int, "generation_config.max_output_tokens")
    if max_tokens is not None and max_tokens < 1:
        raise InvalidRequest("max_output_tokens must be positive", "maxOutputTokens")
    reasoning, budget, shown = _thinking(config)
    words = sum(content_words(c.get("parts")) for c in contents if isinstance(c, dict))
    declarations = [
        d
        for tool in listed(payload, "tools")
        if isinstance(tool, dict)
        for d in listed(tool, "functionDeclarations")
        if isinstance(d, dict)
    ]
    return GenerationRequest(
        model=model,
        max_tokens=max_tokens,
        stream=stream,
        input_tokens=words + content_words(system.get("parts")),
        reasoning=reasoning,
        reasoning_budget=budget,
        show_reasoning=shown,
        tools=specs(tool_spec(d.get("name"), d.get("parameters")) for d in declarations),
        tool_results_last=_has_function_responses(contents[-1]),
    )


def _has_function_responses(content: Any) -> bool:
    parts = content.get("parts") if isinstance(content, dict) else None
    return isinstance(parts, list) and any(
        isinstance(part, dict) and "functionResponse" in part for part in parts
    )


def _answer_part(generation: Generation) -> dict[str, Any]:
    """The answer's part: the whole text, or the tool call."""
    call = generation.tool_call
    if call is None:
        return {"text": output_text(generation.answer_tokens)}
    return {"functionCall": {"name": call.name, "args": call.input}}


def usage_metadata(usage: TokenCounts) -> dict[str, Any]:
    """Gemini's ``usageMetadata``: thoughts apart from the candidates, cache inside the prompt."""
    found: dict[str, Any] = {
        "promptTokenCount": usage.input_tokens,
        "candidatesTokenCount": usage.output_tokens - usage.reasoning_tokens,
        "totalTokenCount": usage.input_tokens + usage.output_tokens,
    }
    if usage.cached_input_tokens:
        found["cachedContentTokenCount"] = usage.cached_input_tokens
    if usage.reasoning_tokens:
        found["thoughtsTokenCount"] = usage.reasoning_tokens
    return found


def _finish_reason(generation: Generation) -> str:
    return "MAX_TOKENS" if generation.reached_limit else "STOP"


def _response(
    request: GenerationRequest, generation: Generation, parts: list[Any], last: bool = True
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    found: dict[str, Any] = {"candidates": [candidate]}
    if last:
        candidate["finishReason"] = _finish_reason(generation)
        if generation.usage is not None:
            found["usageMetadata"] = usage_metadata(generation.usage)
    found["modelVersion"] = request.model
    found["responseId"] = f"sim{generation.number}"
    return found


class GeminiStreamEncoder(TemplateEncoder):
    """The ``data:`` responses of one ``streamGenerateContent?alt=sse``."""

    __slots__ = ("_generation", "_request")

    def __init__(self, request: GenerationRequest, generation: Generation) -> None:
        self._request = request
        self._generation = generation
        # The response of one token, split around the token's JSON string.
        marker = "\x00"
        template = orjson.dumps(_response(request, generation, [{"text": marker}], last=False))
        head, _, tail = template.partition(orjson.dumps(marker))
        thought = (b"data: " + head, b',"thought":true' + tail + b"\n\n")
        super().__init__(
            generation,
            answer=(b"data: " + head, tail + b"\n\n"),
            reasoning=thought if request.show_reasoning else None,
        )

    def opening(self) -> bytes:
        return b""

    def closing(self) -> bytes:
        generation = self._generation
        # A call arrives whole, in the last response (its fragments only took their time).
        last = _answer_part(generation) if generation.tool_call is not None else {"text": ""}
        final = _response(self._request, generation, [last])
        return b"data: " + orjson.dumps(final) + b"\n\n"


class GeminiDialect:
    """Gemini generateContent as a :class:`~harness.mock.dialect.Dialect`."""

    name = "gemini"
    chat_paths: tuple[str, ...] = ()
    chat_prefixes: tuple[str, ...] = PREFIXES
    malformed_event = b"data: {not json\n\n"
    malformed_body = b"{not json"
    overload_event = b""
    overload_status = 503

    def parse_request(
        self, path: str, query: str, body: bytes, default_model: str
    ) -> GenerationRequest:
        return parse_generate_request(path, query, body)

    def invalid_request_body(self, invalid: InvalidRequest) -> bytes:
        return error_body(invalid.status, invalid.message)

    def stream_encoder(
        self, request: GenerationRequest, generation: Generation
    ) -> GeminiStreamEncoder:
        return GeminiStreamEncoder(request, generation)

    def completion_body(self, request: GenerationRequest, generation: Generation) -> bytes:
        parts: list[Any] = []
        if generation.reasoning_tokens and request.show_reasoning:
            parts.append({"text": output_text(generation.reasoning_tokens), "thought": True})
        parts.append(_answer_part(generation))
        return orjson.dumps(_response(request, generation, parts))

    def status_error_body(self, status: int) -> bytes:
        return error_body(status)

    def rate_limit_body(self, retry_after_s: float) -> bytes:
        retry = {
            "@type": "type.googleapis.com/google.rpc.RetryInfo",
            "retryDelay": _duration(retry_after_s),
        }
        return error_body(429, details=[retry])

    def blocked_answer(self, request: GenerationRequest) -> bytes | None:
        body = orjson.dumps(
            {
                "promptFeedback": {"blockReason": "SAFETY"},
                "usageMetadata": {
                    "promptTokenCount": request.input_tokens,
                    "totalTokenCount": request.input_tokens,
                },
                "modelVersion": request.model,
            }
        )
        return b"data: " + body + b"\n\n" if request.stream else body
