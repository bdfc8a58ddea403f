"""Gemini ``generateContent`` / ``streamGenerateContent?alt=sse``.

Every SSE ``data`` is a whole response object; there is no end sentinel, so
a stream is complete when a candidate carried a ``finishReason``. Gemini
counts cached tokens inside ``promptTokenCount`` (as the harness does) but
thinking *outside* ``candidatesTokenCount``: output = candidates + thoughts.
A blocked prompt is an HTTP 200 with ``promptFeedback.blockReason`` and no
candidates, recorded as a ``bad_request`` failure.

Tool calls: neutral tools (OpenAI form) become one ``{"functionDeclarations":
[...]}``; a neutral assistant message with ``tool_calls`` becomes a model
turn of ``functionCall`` parts, and consecutive ``role: "tool"`` messages one
user turn of ``functionResponse`` parts (``{"name", "response": {"content"}}``,
the name found from the call id). Gemini sends each call whole and gives it
no id when the model did not: the adapter numbers them (``call_0``, ...).
Gemini finishes a tool-calling answer with ``STOP``; it is recorded as
``tool_calls``.
"""

from __future__ import annotations

import re
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
    ToolCall,
    Usage,
)
from harness.errors import kind_for_status
from harness.sse import COMMENT_EVENT
from harness.tool_calls import called_functions, grouped_tool_results, is_neutral_tool
from harness.wire import (
    classified_error,
    error_detail,
    load_json_body,
    load_json_chunk,
    stream_error,
)

_STATUS_KINDS: dict[str, ErrorKind] = {
    "UNAUTHENTICATED": "auth",
    "PERMISSION_DENIED": "permission",
    "NOT_FOUND": "not_found",
    "INVALID_ARGUMENT": "bad_request",
    "FAILED_PRECONDITION": "bad_request",
    "RESOURCE_EXHAUSTED": "rate_limited",
    "UNAVAILABLE": "overloaded",
    "INTERNAL": "server",
    "DEADLINE_EXCEEDED": "timeout",
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def generate_url(base_url: str, model: str, stream: bool) -> str:
    base = base_url.rstrip("/")
    if not base.endswith(("/v1beta", "/v1")):
        base += "/v1beta"
    if stream:
        return f"{base}/models/{model}:streamGenerateContent?alt=sse"
    return f"{base}/models/{model}:generateContent"


def normalize_usage(raw: dict[str, Any]) -> Usage:
    thoughts = int(raw.get("thoughtsTokenCount") or 0)
    return Usage(
        input_tokens=int(raw.get("promptTokenCount") or 0),
        output_tokens=int(raw.get("candidatesTokenCount") or 0) + thoughts,
        cached_input_tokens=int(raw.get("cachedContentTokenCount") or 0),
        reasoning_tokens=thoughts,
    )


def _contents(messages: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    system = [m["content"] for m in messages if m.get("role") == "system"]
    contents: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # call id -> tool name, for the function responses
    for item in grouped_tool_results([m for m in messages if m.get("role") != "system"]):
        if isinstance(item, list):
            responses = [_function_response(message, names) for message in item]
            contents.append({"role": "user", "parts": responses})
            continue
        text = item.get("content")
        parts: list[dict[str, Any]] = [{"text": text}] if text or not item.get("tool_calls") else []
        for call_id, name, arguments in called_functions(item):
            names[call_id] = name
            parts.append({"functionCall": {"name": name, "args": arguments}})
        contents.append(
            {"role": "model" if item.get("role") == "assistant" else "user", "parts": parts}
        )
    instruction = {"parts": [{"text": "\n\n".join(system)}]} if system else None
    return instruction, contents


def _function_response(message: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    call_id = str(message.get("tool_call_id") or "")
    # A result whose call is not in the conversation keeps its id as the name.
    response = {"content": message.get("content") or ""}
    return {"functionResponse": {"name": names.get(call_id, call_id), "response": response}}


def _wire_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Neutral tools as one functionDeclarations entry; any other entry as written."""
    declarations = [tool["function"] for tool in tools if is_neutral_tool(tool)]
    others = [tool for tool in tools if not is_neutral_tool(tool)]
    return ([{"functionDeclarations": declarations}] if declarations else []) + others


def _tool_call(call: dict[str, Any], index: int) -> ToolCall:
    """A ``functionCall`` part's call; numbered when Gemini gave it no id."""
    return ToolCall(
        str(call.get("id") or f"call_{index}"),
        str(call.get("name") or ""),
        orjson.dumps(call.get("args") or {}).decode(),
    )


def _finish_reason(reason: str | None, made_calls: bool) -> str | None:
    return "tool_calls" if made_calls and reason == "STOP" else reason


def _retry_delay(error: dict[str, Any]) -> float | None:
    for detail in error.get("details") or ():
        match = _DURATION.match(str(detail.get("retryDelay", "")))
        if match:
            return float(match.group(1))
    return None


def _error_info(status: int | None, error: dict[str, Any], headers: Mapping[str, str]) -> ErrorInfo:
    grpc_status = str(error.get("status") or "")
    message = str(error.get("message") or grpc_status or f"HTTP {status}")
    reasons = {str(d.get("reason")) for d in error.get("details") or () if isinstance(d, dict)}
    kind: ErrorKind = _STATUS_KINDS.get(grpc_status) or (
        kind_for_status(status) if status else "server"
    )
    if "API_KEY_INVALID" in reasons:
        kind = "auth"
    elif kind == "rate_limited" and "quota" in message.lower() and "per day" in message.lower():
        kind = "quota"
    return classified_error(kind, message, status, headers, _retry_delay(error))


def _blocked(data: dict[str, Any], status: int | None) -> ErrorInfo | None:
    reason = (data.get("promptFeedback") or {}).get("blockReason")
    if reason and not data.get("candidates"):
        return ErrorInfo("bad_request", f"prompt blocked: {reason}", status)
    return None


class GeminiAdapter:
    name = "gemini"

    def build_request(self, request: ChatRequest, target: Target, api_key: str | None) -> HttpCall:
        instruction, contents = _contents(request.messages)
        body: dict[str, Any] = {"contents": contents}
        if instruction is not None:
            body["systemInstruction"] = instruction
        config: dict[str, Any] = {}
        if request.max_tokens is not None:
            config["maxOutputTokens"] = request.max_tokens
        if request.temperature is not None:
            config["temperature"] = request.temperature
        if config:
            body["generationConfig"] = config
        if request.tools:
            body["tools"] = _wire_tools(request.tools)
        body.update(request.extra)
        headers = {"Content-Type": "application/json", **dict(target.headers)}
        if api_key:
            headers["x-goog-api-key"] = api_key
        url = generate_url(target.base_url, request.model, request.stream)
        return HttpCall("POST", url, headers, orjson.dumps(body))

    def parse_response(self, status: int, headers: dict[str, str], body: bytes) -> Completion:
        data, bad_body = load_json_body(body, status)
        if bad_body is not None:
            return Completion("", None, None, error=bad_body)
        if "error" in data:
            return Completion("", None, None, error=_error_info(status, data["error"], headers))
        blocked = _blocked(data, status)
        if blocked is not None:
            return Completion("", None, None, error=blocked)
        candidate = (data.get("candidates") or [{}])[0]
        parts = (candidate.get("content") or {}).get("parts") or []
        usage = data.get("usageMetadata")
        calls = [p["functionCall"] for p in parts if isinstance(p.get("functionCall"), dict)]
        return Completion(
            text="".join(p.get("text", "") for p in parts if not p.get("thought")),
            reasoning_text="".join(p.get("text", "") for p in parts if p.get("thought")),
            tool_calls=[_tool_call(call, index) for index, call in enumerate(calls)],
            finish_reason=_finish_reason(candidate.get("finishReason"), bool(calls)),
            usage=normalize_usage(usage) if usage else None,
        )

    def parse_stream(self, events: Iterable[SSEEvent]) -> Iterator[StreamEvent]:
        usage: dict[str, Any] | None = None
        finished = False
        calls = 0  # calls come whole, each chunk numbering its parts afresh
        for sse in events:
            if sse.event == COMMENT_EVENT:
                yield StreamEvent("keepalive", tokens=0)
                continue
            data, bad_chunk = load_json_chunk(sse.data)
            if bad_chunk is not None:
                yield bad_chunk
                return
            if "error" in data:
                yield StreamEvent("error", tokens=0, error=_error_info(None, data["error"], {}))
                return
            blocked = _blocked(data, None)
            if blocked is not None:
                yield StreamEvent("error", tokens=0, error=blocked)
                return
            usage = data.get("usageMetadata") or usage
            for candidate in data.get("candidates") or ():
                for part in (candidate.get("content") or {}).get("parts") or ():
                    if isinstance(part.get("functionCall"), dict):
                        call = _tool_call(part["functionCall"], calls)
                        yield StreamEvent(
                            "tool_call",
                            text=call.arguments,
                            tool_index=calls,
                            tool_id=call.id,
                            tool_name=call.name,
                        )
                        calls += 1
                    elif part.get("text"):
                        if part.get("thought"):
                            yield StreamEvent("reasoning", text=part["text"])
                        else:
                            yield StreamEvent("content", text=part["text"])
                if candidate.get("finishReason"):
                    finished = True
                    reason = _finish_reason(candidate["finishReason"], calls > 0)
                    yield StreamEvent("finish", tokens=0, finish_reason=reason)
        if usage:
            yield StreamEvent("usage", tokens=0, usage=normalize_usage(usage))
        if not finished:
            yield stream_error("stream_broken", "stream ended without a finishReason")

    def classify_error(self, status: int, headers: dict[str, str], body: bytes) -> ErrorInfo:
        return _error_info(status, error_detail(body, status), headers)


@hookimpl
def harness_register_providers(register: Callable[[ProviderAdapter], None]) -> None:
    register(GeminiAdapter())
