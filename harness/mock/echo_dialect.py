"""The "echo" wire format: a small API unlike OpenAI's, for the example plugin.

It exists so that ``examples/harness-echo-provider`` (a third-party plugin
with an adapter of its own) has a server to talk to, with the same latency,
slot and fault model as the OpenAI dialect. Nothing real speaks it.

Request: ``POST /echo/v1/generate``, key in the ``X-Echo-Key`` header (not
checked), JSON body::

    {"model": str, "prompt": str, "max_output": int, "stream": bool}

``prompt`` is required; ``model`` (any name), ``max_output`` (>= 1) and
``stream`` (default false) are optional. Input tokens are the words of the
prompt (the rule of :mod:`.tokens`).

Streaming answer, ``text/event-stream``, one named event per output token and
a final one::

    event: token
    data: {"t": " word"}

    event: done
    data: {"stop": "length", "tokens_in": 12, "tokens_out": 8}

``stop`` is ``"length"`` when the output reached ``max_output``, else
``"end"``. A server may also end a stream with ``event: failure`` carrying an
error object (below); the simulator does so for the ``overload`` fault.

Non-streaming answer::

    {"output": " the load ...", "stop": "end", "tokens_in": 12, "tokens_out": 8}

Errors: the HTTP status and ``{"failure": {"code": SLUG, "detail": str,
"retry_in_s": float | null}}``. Slugs: ``bad_request`` (400),
``unauthenticated`` (401), ``forbidden`` (403), ``unknown_model`` (404),
``slow_down`` (429, with ``retry_in_s`` and ``Retry-After``), ``overloaded``
(503, 529), ``internal`` (other 5xx). Faults: ``malformed`` sends
``event: token`` / ``data: {not json`` in a stream and ``{not json`` as a whole
body; ``overload`` ends a stream with ``event: failure`` (code ``overloaded``)
and is a 503 unstreamed; ``blocked`` is a 400 ``bad_request``; ``cut``,
``stall`` and ``wrong_usage`` act as in every dialect. The format has no
reasoning or cache: those settings do not change it.
"""

from __future__ import annotations

from typing import Any

import orjson

from .dialect import Generation, GenerationRequest, InvalidRequest, TemplateEncoder, json_object
from .tokens import count_words, output_text

GENERATE_PATH = "/echo/v1/generate"

_STATUS_SLUGS: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "unknown_model",
    429: "slow_down",
    503: "overloaded",
    529: "overloaded",
}


def failure_body(code: str, detail: str, retry_in_s: float | None = None) -> bytes:
    """The echo error envelope."""
    return orjson.dumps({"failure": {"code": code, "detail": detail, "retry_in_s": retry_in_s}})


def _stop(reached_limit: bool) -> str:
    return "length" if reached_limit else "end"


def _optional(payload: dict[str, Any], name: str, kind: type, default: Any) -> Any:
    value = payload.get(name)
    if value is None:
        return default
    # Decoded JSON holds exact types; a check by identity keeps true from passing as 1.
    if type(value) is not kind:
        raise InvalidRequest(f"'{name}' must be a {kind.__name__}", name, "bad_request")
    return value


def parse_generate_request(body: bytes, default_model: str) -> GenerationRequest:
    """Read a ``/echo/v1/generate`` body; raise InvalidRequest when unusable."""
    payload = json_object(body, "body is not JSON", "body must be a JSON object", "bad_request")
    prompt = payload.get("prompt")
    if not isinstance(prompt, str):
        raise InvalidRequest("'prompt' is required and must be a string", "prompt", "bad_request")
    max_output = _optional(payload, "max_output", int, None)
    if max_output is not None and max_output < 1:
        raise InvalidRequest("'max_output' must be >= 1", "max_output", "bad_request")
    return GenerationRequest(
        model=_optional(payload, "model", str, default_model),
        max_tokens=max_output,
        stream=_optional(payload, "stream", bool, False),
        input_tokens=count_words(prompt),
    )


def _token_counts(generation: Generation) -> dict[str, int]:
    """The format's usage fields; none under a ``no_usage`` fault."""
    usage = generation.usage
    if usage is None:
        return {}
    return {"tokens_in": usage.input_tokens, "tokens_out": usage.output_tokens}


class EchoStreamEncoder(TemplateEncoder):
    """The token and done events of one echo stream."""

    __slots__ = ("_generation",)

    def __init__(self, generation: Generation) -> None:
        super().__init__(generation, answer=(b'event: token\ndata: {"t":', b"}\n\n"))
        self._generation = generation

    def opening(self) -> bytes:
        return b""

    def closing(self) -> bytes:
        generation = self._generation
        done = {"stop": _stop(generation.reached_limit), **_token_counts(generation)}
        return b"event: done\ndata: " + orjson.dumps(done) + b"\n\n"


class EchoDialect:
    """The echo format as a :class:`~harness.mock.dialect.Dialect`."""

    name = "echo"
    chat_paths: tuple[str, ...] = (GENERATE_PATH,)
    chat_prefixes: tuple[str, ...] = ()
    malformed_event = b"event: token\ndata: {not json\n\n"
    malformed_body = b"{not json"
    overload_event = (
        b"event: failure\ndata: " + failure_body("overloaded", "overloaded, try again") + b"\n\n"
    )
    overload_status = 503

    def parse_request(
        self, path: str, query: str, body: bytes, default_model: str
    ) -> GenerationRequest:
        return parse_generate_request(body, default_model)

    def invalid_request_body(self, invalid: InvalidRequest) -> bytes:
        return failure_body(invalid.code or "bad_request", invalid.message)

    def stream_encoder(
        self, request: GenerationRequest, generation: Generation
    ) -> EchoStreamEncoder:
        return EchoStreamEncoder(generation)

    def completion_body(self, request: GenerationRequest, generation: Generation) -> bytes:
        return orjson.dumps(
            {
                "output": output_text(generation.answer_tokens),
                "stop": _stop(generation.reached_limit),
                **_token_counts(generation),
            }
        )

    def status_error_body(self, status: int) -> bytes:
        slug = _STATUS_SLUGS.get(status) or ("internal" if status >= 500 else "bad_request")
        return failure_body(slug, f"HTTP {status} (injected by the simulator)")

    def rate_limit_body(self, retry_after_s: float) -> bytes:
        return failure_body("slow_down", "too many requests", retry_after_s)

    def blocked_answer(self, request: GenerationRequest) -> bytes | None:
        return None
