"""Anthropic Messages API: named SSE events, thinking blocks, cache usage, 529 overload.

Anthropic counts ``input_tokens`` *without* the cache; the harness's input
is everything the model read: input + cache creation + cache read. Thinking
is inside ``output_tokens`` (``output_tokens_details.thinking_tokens`` breaks
it out, when present). The counts of ``message_delta.usage`` are cumulative
and override those of ``message_start``, so the last one is the total.

Tool calls: neutral tools (OpenAI form) become ``{"name", "description",
"input_schema"}``; a neutral assistant message with ``tool_calls`` becomes
``tool_use`` blocks, and consecutive ``role: "tool"`` messages one user
message of ``tool_result`` blocks. A streamed ``tool_use`` block start
yields the call's id and name, its ``input_json_delta`` fragments the
arguments; the stop reason ``tool_use`` is recorded as ``tool_calls``.
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

API_VERSION = "2023-06-01"
#: The Messages API requires max_tokens; this is used when a request sets none.
DEFAULT_MAX_TOKENS = 1024
_TYPE_KINDS: dict[str, ErrorKind] = {
    "authentication_error": "auth",
    "permission_error": "permission",
    "not_found_error": "not_found",
    "rate_limit_error": "rate_limited",
    "overloaded_error": "overloaded",
    "api_error": "server",
    "request_too_large": "context_length",
}


def messages_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base + ("/messages" if base.endswith("/v1") else "/v1/messages")


def normalize_usage(raw: dict[str, Any]) -> Usage:
    cache_read = int(raw.get("cache_read_input_tokens") or 0)
    cache_write = int(raw.get("cache_creation_input_tokens") or 0)
    details = raw.get("output_tokens_details") or {}
    return Usage(
        input_tokens=int(raw.get("input_tokens") or 0) + cache_read + cache_write,
        output_tokens=int(raw.get("output_tokens") or 0),
        cached_input_tokens=cache_read,
        cache_write_tokens=cache_write,
        reasoning_tokens=int(details.get("thinking_tokens") or 0),
    )


def _split_system(messages: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
    system = [m["content"] for m in messages if m.get("role") == "system"]
    rest = _wire_messages([m for m in messages if m.get("role") != "system"])
    return ("\n\n".join(system) if system else None), rest


def _wire_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Neutral tool rounds as Messages API content blocks; other messages unchanged."""
    wire: list[dict[str, Any]] = []
    for item in grouped_tool_results(messages):
        if isinstance(item, list):
            results = [
                {
                    "type": "tool_result",
                    "tool_use_id": message.get("tool_call_id"),
                    "content": message.get("content") or "",
                }
                for message in item
            ]
            wire.append({"role": "user", "content": results})
        elif item.get("role") == "assistant" and item.get("tool_calls"):
            text = item.get("content")
            blocks: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
            blocks += [
                {"type": "tool_use", "id": call_id, "name": name, "input": arguments}
                for call_id, name, arguments in called_functions(item)
            ]
            wire.append({"role": "assistant", "content": blocks})
        else:
            wire.append(item)
    return wire


def _wire_tool(tool: dict[str, Any]) -> dict[str, Any]:
    if not is_neutral_tool(tool):
        return tool
    function = tool["function"]
    found = {"name": function.get("name")}
    if function.get("description"):
        found["description"] = function["description"]
    found["input_schema"] = function.get("parameters") or {"type": "object", "properties": {}}
    return found


def _finish_reason(stop_reason: str | None) -> str | None:
    """``tool_use`` in the neutral spelling every provider's tool rounds share."""
    return "tool_calls" if stop_reason == "tool_use" else stop_reason


def _error_info(status: int | None, error: dict[str, Any], headers: Mapping[str, str]) -> ErrorInfo:
    error_type = str(error.get("type") or "")
    message = str(error.get("message") or error_type or f"HTTP {status}")
    kind: ErrorKind = _TYPE_KINDS.get(error_type) or (
        kind_for_status(status) if status else "server"
    )
    if kind == "bad_request" and "prompt is too long" in message:
        kind = "context_length"
    return classified_error(kind, message, status, headers)


class AnthropicMessagesAdapter:
    name = "anthropic"

    def build_request(self, request: ChatRequest, target: Target, api_key: str | None) -> HttpCall:
        system, messages = _split_system(request.messages)
        body: dict[str, Any] = {
            "model": request.model,
            "messages": messages,
            "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
        }
        if system is not None:
            body["system"] = system
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.tools:
            body["tools"] = [_wire_tool(tool) for tool in request.tools]
        if request.stream:
            body["stream"] = True
        body.update(request.extra)
        headers = {
            "Content-Type": "application/json",
            "anthropic-version": API_VERSION,
            **dict(target.headers),
        }
        if api_key:
            headers["x-api-key"] = api_key
        return HttpCall("POST", messages_url(target.base_url), headers, orjson.dumps(body))

    def parse_response(self, status: int, headers: dict[str, str], body: bytes) -> Completion:
        data, bad_body = load_json_body(body, status)
        if bad_body is not None:
            return Completion("", None, None, error=bad_body)
        if data.get("type") == "error":
            return Completion("", None, None, error=_error_info(status, data["error"], headers))
        blocks = data.get("content") or []
        usage = data.get("usage")
        return Completion(
            text="".join(b.get("text", "") for b in blocks if b.get("type") == "text"),
            reasoning_text="".join(
                b.get("thinking", "") for b in blocks if b.get("type") == "thinking"
            ),
            tool_calls=[
                ToolCall(
                    str(b.get("id") or ""),
                    str(b.get("name") or ""),
                    orjson.dumps(b.get("input") or {}).decode(),
                )
                for b in blocks
                if b.get("type") == "tool_use"
            ],
            finish_reason=_finish_reason(data.get("stop_reason")),
            usage=normalize_usage(usage) if usage else None,
        )

    def parse_stream(self, events: Iterable[SSEEvent]) -> Iterator[StreamEvent]:
        usage: dict[str, Any] = {}
        stopped = False
        for sse in events:
            if sse.event in (COMMENT_EVENT, "ping"):
                yield StreamEvent("keepalive", tokens=0)
                continue
            data, bad_chunk = load_json_chunk(sse.data, f"event {sse.event!r}")
            if bad_chunk is not None:
                yield bad_chunk
                return
            kind = data.get("type", sse.event)
            if kind == "content_block_delta":
                delta = data.get("delta") or {}
                delta_type = delta.get("type")
                if delta_type == "text_delta" and delta.get("text"):
                    yield StreamEvent("content", text=delta["text"])
                elif delta_type == "thinking_delta" and delta.get("thinking"):
                    yield StreamEvent("reasoning", text=delta["thinking"])
                elif delta_type == "input_json_delta":
                    yield StreamEvent(
                        "tool_call",
                        text=delta.get("partial_json") or "",
                        tool_index=int(data.get("index") or 0),
                    )
            elif kind == "content_block_start":
                block = data.get("content_block") or {}
                if block.get("type") == "tool_use":
                    yield StreamEvent(
                        "tool_call",
                        tool_index=int(data.get("index") or 0),
                        tool_id=block.get("id"),
                        tool_name=block.get("name"),
                    )
            elif kind == "message_start":
                usage = dict((data.get("message") or {}).get("usage") or {})
            elif kind == "message_delta":
                # Cumulative counts; a field left out keeps the message_start value.
                delta_usage = data.get("usage") or {}
                usage.update((k, v) for k, v in delta_usage.items() if v is not None)
                reason = (data.get("delta") or {}).get("stop_reason")
                if reason:
                    yield StreamEvent("finish", tokens=0, finish_reason=_finish_reason(reason))
            elif kind == "message_stop":
                stopped = True
            elif kind == "error":
                yield StreamEvent("error", tokens=0, error=_error_info(None, data["error"], {}))
                return
        if usage:
            yield StreamEvent("usage", tokens=0, usage=normalize_usage(usage))
        if not stopped:
            yield stream_error("stream_broken", "stream ended before message_stop")

    def classify_error(self, status: int, headers: dict[str, str], body: bytes) -> ErrorInfo:
        return _error_info(status, error_detail(body, status), headers)


@hookimpl
def harness_register_providers(register: Callable[[ProviderAdapter], None]) -> None:
    register(AnthropicMessagesAdapter())
