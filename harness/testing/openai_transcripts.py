"""Canonical OpenAI Chat Completions responses, for the built-in adapter's conformance suite.

Taken from the shapes OpenAI documents and sends: a stream with the role
chunk, content deltas, a finish chunk, the ``include_usage`` chunk
(``choices: []``) and ``[DONE]``; usage with cached and reasoning details; and
the error envelopes of each status the harness tells apart. Adapters for
OpenAI-compatible servers (vLLM, DeepSeek, relays) can reuse them.
"""

from __future__ import annotations

from typing import Any

from harness.contracts import Usage

from .cases import ErrorCase, SuccessCase
from .transcripts import Transcript, sse_event

_CHUNK_HEAD = {
    "id": "chatcmpl-conformance",
    "object": "chat.completion.chunk",
    "created": 1_760_000_000,
    "model": "gpt-4.1-mini",
}


def _chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
    return sse_event({**_CHUNK_HEAD, "choices": [choice], "usage": None})


def _error(message: str, error_type: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


OPENAI_STREAMING = SuccessCase(
    transcript=Transcript.sse(
        _chunk({"role": "assistant", "content": ""}),
        _chunk({"content": "Red,"}),
        _chunk({"content": " green"}),
        _chunk({"content": " and blue."}),
        _chunk({}, finish_reason="stop"),
        sse_event(
            {
                **_CHUNK_HEAD,
                "choices": [],
                "usage": {
                    "prompt_tokens": 20,
                    "completion_tokens": 12,
                    "total_tokens": 32,
                    "prompt_tokens_details": {"cached_tokens": 8},
                    "completion_tokens_details": {"reasoning_tokens": 9},
                },
            }
        ),
        sse_event("[DONE]"),
    ),
    text="Red, green and blue.",
    usage=Usage(input_tokens=20, output_tokens=12, cached_input_tokens=8, reasoning_tokens=9),
    finish_reason="stop",
    output_events=3,
)

OPENAI_NON_STREAMING = SuccessCase(
    transcript=Transcript.json(
        {
            "id": "chatcmpl-conformance",
            "object": "chat.completion",
            "created": 1_760_000_000,
            "model": "gpt-4.1-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Red, green", "refusal": None},
                    "logprobs": None,
                    "finish_reason": "length",
                }
            ],
            "usage": {
                "prompt_tokens": 15,
                "completion_tokens": 2,
                "total_tokens": 17,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0},
            },
        }
    ),
    text="Red, green",
    usage=Usage(input_tokens=15, output_tokens=2),
    finish_reason="length",
)

OPENAI_ERROR_CASES: tuple[ErrorCase, ...] = (
    ErrorCase(
        400,
        {},
        _error(
            "This model's maximum context length is 128000 tokens.",
            "invalid_request_error",
            "context_length_exceeded",
        ),
        "context_length",
        name="context_length_exceeded",
    ),
    ErrorCase(
        401,
        {},
        _error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
        "auth",
        name="invalid_api_key",
    ),
    ErrorCase(
        403,
        {},
        _error("You are not allowed to sample from this model.", "invalid_request_error", None),
        "permission",
    ),
    ErrorCase(
        404,
        {},
        _error("The model does not exist.", "invalid_request_error", "model_not_found"),
        "not_found",
        name="model_not_found",
    ),
    ErrorCase(
        429,
        {"Retry-After": "2", "x-ratelimit-remaining-requests": "0"},
        _error("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
        "rate_limited",
        retry_after_s=2.0,
        name="rate_limit_exceeded",
    ),
    ErrorCase(
        429,
        {"retry-after-ms": "1500", "Retry-After": "2"},
        _error("Rate limit reached for tokens.", "tokens", "rate_limit_exceeded"),
        "rate_limited",
        retry_after_s=1.5,
        name="retry-after-ms",
    ),
    ErrorCase(
        429,
        {},
        _error("You exceeded your current quota.", "insufficient_quota", "insufficient_quota"),
        "quota",
        name="insufficient_quota",
    ),
    ErrorCase(
        500,
        {},
        _error("The server had an error while processing your request.", "server_error", None),
        "server",
    ),
    ErrorCase(
        502,
        {},
        "<html><body>502 Bad Gateway</body></html>",
        "server",
        name="html_gateway_page",
        content_type="text/html",
    ),
    ErrorCase(
        503,
        {"Retry-After": "7"},
        _error("The engine is currently overloaded.", "server_error", None),
        "overloaded",
        retry_after_s=7.0,
    ),
)
