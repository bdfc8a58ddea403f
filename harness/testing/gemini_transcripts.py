"""Canonical Gemini ``generateContent`` responses, for the built-in adapter's conformance suite.

Each streamed ``data`` is a whole response object carrying the usage so far;
a thought part comes first, the last chunk has the ``finishReason``, and
there is no end sentinel. Gemini counts thoughts apart from
``candidatesTokenCount``; errors are Google RPC statuses, with the retry
delay in a ``RetryInfo`` detail.
"""

from __future__ import annotations

from typing import Any

from harness.contracts import Usage

from .cases import ErrorCase, SuccessCase
from .transcripts import Transcript, sse_event

MODEL_VERSION = "gemini-2.5-flash"


def _chunk(
    text: str, candidates_tokens: int, thought: bool = False, finish: str | None = None
) -> bytes:
    part: dict[str, Any] = {"text": text, "thought": True} if thought else {"text": text}
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": [part]}, "index": 0}
    if finish is not None:
        candidate["finishReason"] = finish
    usage = {
        "promptTokenCount": 20,
        "cachedContentTokenCount": 8,
        "candidatesTokenCount": candidates_tokens,
        "thoughtsTokenCount": 9,
        "totalTokenCount": 29 + candidates_tokens,
    }
    return sse_event(
        {"candidates": [candidate], "usageMetadata": usage, "modelVersion": MODEL_VERSION}
    )


def _error(status: int, grpc_status: str, message: str, *details: dict[str, Any]) -> Any:
    return {
        "error": {"code": status, "message": message, "status": grpc_status, "details": details}
    }


GEMINI_STREAMING = SuccessCase(
    transcript=Transcript.sse(
        _chunk("Listing three colours.", 0, thought=True),
        _chunk("Red,", 2),
        _chunk(" green", 3),
        _chunk(" and blue.", 5, finish="STOP"),
    ),
    text="Red, green and blue.",
    # Thoughts are outside candidatesTokenCount: output = 5 + 9.
    usage=Usage(input_tokens=20, output_tokens=14, cached_input_tokens=8, reasoning_tokens=9),
    finish_reason="STOP",
    output_events=4,
)

GEMINI_NON_STREAMING = SuccessCase(
    transcript=Transcript.json(
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": "Red, green"}]},
                    "finishReason": "MAX_TOKENS",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 15,
                "candidatesTokenCount": 2,
                "totalTokenCount": 17,
            },
            "modelVersion": MODEL_VERSION,
        }
    ),
    text="Red, green",
    usage=Usage(input_tokens=15, output_tokens=2),
    finish_reason="MAX_TOKENS",
)

GEMINI_ERROR_CASES: tuple[ErrorCase, ...] = (
    ErrorCase(
        400,
        {},
        _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."),
        "bad_request",
        name="INVALID_ARGUMENT",
    ),
    ErrorCase(
        400,
        {},
        _error(
            400,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"},
        ),
        "auth",
        name="API_KEY_INVALID",
    ),
    ErrorCase(
        403,
        {},
        _error(403, "PERMISSION_DENIED", "The caller does not have permission."),
        "permission",
    ),
    ErrorCase(
        404,
        {},
        _error(404, "NOT_FOUND", "models/gemini-nope is not found."),
        "not_found",
    ),
    ErrorCase(
        429,
        {},
        _error(
            429,
            "RESOURCE_EXHAUSTED",
            "Resource has been exhausted (e.g. check quota).",
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "47s"},
        ),
        "rate_limited",
        retry_after_s=47.0,
        name="RESOURCE_EXHAUSTED",
    ),
    ErrorCase(
        429,
        {},
        _error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota: 250 requests per day."),
        "quota",
        name="daily quota",
    ),
    ErrorCase(500, {}, _error(500, "INTERNAL", "An internal error has occurred."), "server"),
    ErrorCase(503, {}, _error(503, "UNAVAILABLE", "The model is overloaded."), "overloaded"),
    ErrorCase(504, {}, _error(504, "DEADLINE_EXCEEDED", "Deadline expired."), "timeout"),
)
