"""Canonical Anthropic Messages responses, for the built-in adapter's conformance suite.

The stream has Anthropic's named events in their documented order (with a
thinking block before the answer and a ``ping``); usage comes in
``message_start`` (input and cache, which Anthropic counts apart from
``input_tokens``) and ``message_delta`` (cumulative output).
"""

from __future__ import annotations

from typing import Any

from harness.contracts import Usage

from .cases import ErrorCase, SuccessCase
from .transcripts import Transcript, sse_event

MODEL = "claude-sonnet-4-5"


def _event(name: str, **fields: Any) -> bytes:
    return sse_event({"type": name, **fields}, event=name)


def _delta(kind: str, text: str) -> bytes:
    field = "thinking" if kind == "thinking_delta" else "text"
    return _event("content_block_delta", index=0, delta={"type": kind, field: text})


def _error(error_type: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": error_type, "message": message}}


ANTHROPIC_STREAMING = SuccessCase(
    transcript=Transcript.sse(
        _event(
            "message_start",
            message={
                "id": "msg_conformance",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": MODEL,
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": 12,
                    "cache_creation_input_tokens": 3,
                    "cache_read_input_tokens": 8,
                    "output_tokens": 1,
                },
            },
        ),
        _event("content_block_start", index=0, content_block={"type": "thinking", "thinking": ""}),
        _delta("thinking_delta", "Three colours."),
        _event("content_block_stop", index=0),
        _event("content_block_start", index=1, content_block={"type": "text", "text": ""}),
        _event("ping"),
        _delta("text_delta", "Red,"),
        _delta("text_delta", " green"),
        _delta("text_delta", " and blue."),
        _event("content_block_stop", index=1),
        _event(
            "message_delta",
            delta={"stop_reason": "end_turn", "stop_sequence": None},
            usage={"output_tokens": 9},
        ),
        _event("message_stop"),
    ),
    text="Red, green and blue.",
    # Anthropic's input_tokens leave out the cache: 12 + 3 written + 8 read.
    usage=Usage(input_tokens=23, output_tokens=9, cached_input_tokens=8, cache_write_tokens=3),
    finish_reason="end_turn",
    output_events=4,
)

ANTHROPIC_NON_STREAMING = SuccessCase(
    transcript=Transcript.json(
        {
            "id": "msg_conformance",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [{"type": "text", "text": "Red, green"}],
            "stop_reason": "max_tokens",
            "stop_sequence": None,
            "usage": {
                "input_tokens": 15,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "output_tokens": 2,
            },
        }
    ),
    text="Red, green",
    usage=Usage(input_tokens=15, output_tokens=2),
    finish_reason="max_tokens",
)

ANTHROPIC_ERROR_CASES: tuple[ErrorCase, ...] = (
    ErrorCase(
        400,
        {},
        _error("invalid_request_error", "max_tokens: field required"),
        "bad_request",
        name="invalid_request_error",
    ),
    ErrorCase(
        400,
        {},
        _error("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
        "context_length",
        name="prompt_too_long",
    ),
    ErrorCase(
        401, {}, _error("authentication_error", "invalid x-api-key"), "auth", name="authentication"
    ),
    ErrorCase(
        403,
        {},
        _error("permission_error", "Your API key does not have permission to use this model."),
        "permission",
    ),
    ErrorCase(404, {}, _error("not_found_error", "model: claude-nope"), "not_found"),
    ErrorCase(
        413,
        {},
        _error("request_too_large", "Request exceeds the maximum allowed number of bytes."),
        "context_length",
        name="request_too_large",
    ),
    ErrorCase(
        429,
        {"retry-after": "12", "anthropic-ratelimit-requests-remaining": "0"},
        _error("rate_limit_error", "Number of request tokens has exceeded your limit."),
        "rate_limited",
        retry_after_s=12.0,
    ),
    ErrorCase(500, {}, _error("api_error", "Internal server error"), "server"),
    ErrorCase(529, {}, _error("overloaded_error", "Overloaded"), "overloaded"),
)
