"""An llm-load-harness plugin for the "echo" wire format.

The harness's embedded simulator serves the format at ``POST
/echo/v1/generate`` (see ``harness.mock.echo_dialect``), so this adapter can
be load-tested with no network: ``harness run --provider echo``. Found by the
harness through the entry point ``echo = "harness_echo_provider"`` in the
``harness`` group; this module's :func:`harness_register_providers` hook
registers :class:`EchoAdapter`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import orjson
from harness import hookimpl
from harness.contracts import (
    ChatRequest,
    Completion,
    ErrorInfo,
    ErrorKind,
    HttpCall,
    ProviderAdapter,
    SSEEvent,
    StreamEvent,
    Target,
    Usage,
)
from harness.errors import kind_for_status
from harness.sse import COMMENT_EVENT
from harness.wire import (
    classified_error,
    error_detail,
    load_json_body,
    load_json_chunk,
    stream_error,
)

__version__ = "0.1.0"

# Failure codes whose meaning is finer than the HTTP status alone.
_CODE_KINDS: dict[str, ErrorKind] = {
    "bad_request": "bad_request",
    "unauthenticated": "auth",
    "forbidden": "permission",
    "unknown_model": "not_found",
    "prompt_too_long": "context_length",
    "slow_down": "rate_limited",
    "out_of_credit": "quota",
    "overloaded": "overloaded",
    "internal": "server",
}
# Reports compare finish reasons across providers in OpenAI's words.
_FINISH_REASONS = {"end": "stop", "length": "length"}


def generate_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/echo/v1/generate"


def prompt_text(messages: Iterable[dict[str, Any]]) -> str:
    """The echo API takes one prompt: every message's text, one per line."""
    lines = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            lines.append(content)
        elif isinstance(content, list):
            lines.extend(part["text"] for part in content if isinstance(part.get("text"), str))
    return "\n".join(lines)


def _usage(done: dict[str, Any]) -> Usage:
    return Usage(
        input_tokens=int(done.get("tokens_in") or 0),
        output_tokens=int(done.get("tokens_out") or 0),
    )


def _finish_reason(stop: Any) -> str | None:
    return _FINISH_REASONS.get(stop, stop) if isinstance(stop, str) else None


def _error_info(status: int | None, failure: Any, headers: Mapping[str, str]) -> ErrorInfo:
    detail = failure if isinstance(failure, dict) else {"detail": str(failure)}
    code = str(detail.get("code") or "")
    kind = _CODE_KINDS.get(code) or (kind_for_status(status) if status else "server")
    # error_detail describes a body without a failure object as {"message": text}.
    message = str(detail.get("detail") or detail.get("message") or code or f"HTTP {status}")
    retry_in = detail.get("retry_in_s")
    # The body's hint is finer than a whole-seconds Retry-After; headers are the fallback.
    retry_after = float(retry_in) if isinstance(retry_in, (int, float)) else None
    return classified_error(kind, message, status, headers, retry_after)


class EchoAdapter:
    name = "echo"

    def build_request(self, request: ChatRequest, target: Target, api_key: str | None) -> HttpCall:
        body: dict[str, Any] = {
            "model": request.model,
            "prompt": prompt_text(request.messages),
            "stream": request.stream,
        }
        if request.max_tokens is not None:
            body["max_output"] = request.max_tokens
        body.update(request.extra)
        headers = {"Content-Type": "application/json", **dict(target.headers)}
        headers["Accept"] = "text/event-stream" if request.stream else "application/json"
        if api_key:
            headers["X-Echo-Key"] = api_key
        return HttpCall("POST", generate_url(target.base_url), headers, orjson.dumps(body))

    def parse_response(self, status: int, headers: dict[str, str], body: bytes) -> Completion:
        data, bad_body = load_json_body(body, status)
        if bad_body is not None:
            return Completion("", None, None, error=bad_body)
        if "failure" in data:
            return Completion("", None, None, error=_error_info(status, data["failure"], headers))
        return Completion(
            text=str(data.get("output") or ""),
            usage=_usage(data),
            finish_reason=_finish_reason(data.get("stop")),
        )

    def parse_stream(self, events: Iterable[SSEEvent]) -> Iterator[StreamEvent]:
        done = False
        for sse in events:
            if sse.event == COMMENT_EVENT:
                yield StreamEvent("keepalive", tokens=0)
                continue
            data, bad_chunk = load_json_chunk(sse.data, f"{sse.event} event")
            if bad_chunk is not None:
                yield bad_chunk
                return
            if sse.event == "token":
                yield StreamEvent("content", text=str(data.get("t") or ""))
            elif sse.event == "done":
                done = True
                yield StreamEvent("usage", tokens=0, usage=_usage(data))
                yield StreamEvent(
                    "finish", tokens=0, finish_reason=_finish_reason(data.get("stop"))
                )
            elif sse.event == "failure":
                yield StreamEvent(
                    "error", tokens=0, error=_error_info(None, data.get("failure"), {})
                )
                return
        if not done:
            yield stream_error("stream_broken", "stream ended before its done event")

    def classify_error(self, status: int, headers: dict[str, str], body: bytes) -> ErrorInfo:
        return _error_info(status, error_detail(body, status, key="failure"), headers)


@hookimpl
def harness_register_providers(register: Callable[[ProviderAdapter], None]) -> None:
    register(EchoAdapter())
