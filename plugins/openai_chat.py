"""OpenAI Chat Completions, and the servers that speak it (vLLM, llama.cpp, relays).

A built-in plugin, registered through the ``harness`` entry-point group
exactly as a third-party one would be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson

from harness import hookimpl
from harness.chunk_template import TextChunkTemplate
from harness.contracts import (
    ChatRequest,
    Completion,
    ErrorInfo,
    ErrorKind,
    HttpCall,
    SSEEvent,
    StreamEvent,
    Target,
    ToolCall,
    Usage,
)
from harness.errors import kind_for_status
from harness.sse import COMMENT_EVENT
from harness.stream_output import StreamOutput, events_from_chunks
from harness.wire import chunk_not_json, classified_error, error_detail, load_json_body

#: A chunk without a delta reads as an empty one (never modified).
_NO_DELTA: dict[str, Any] = {}

# Error codes whose meaning overrides what the HTTP status alone implies.
_CODE_KINDS: dict[str, ErrorKind] = {
    "context_length_exceeded": "context_length",
    "insufficient_quota": "quota",
    "invalid_api_key": "auth",
    "model_not_found": "not_found",
    # An overload reported inside a stream (HTTP 200), where the status says nothing.
    "overloaded": "overloaded",
}


def chat_completions_url(base_url: str) -> str:
    """``https://host/v1`` -> ``.../v1/chat/completions``; a bare host gets ``/v1``."""
    base = base_url.rstrip("/")
    path = base.split("://", 1)[-1].partition("/")[2]
    if not path:
        base += "/v1"
    return base + "/chat/completions"


def normalize_usage(raw: dict[str, Any]) -> Usage:
    """OpenAI counts cached input inside prompt_tokens and reasoning inside completion_tokens."""
    prompt_details = raw.get("prompt_tokens_details") or {}
    completion_details = raw.get("completion_tokens_details") or {}
    cached = prompt_details.get("cached_tokens") or raw.get("prompt_cache_hit_tokens") or 0
    return Usage(
        input_tokens=int(raw.get("prompt_tokens") or 0),
        output_tokens=int(raw.get("completion_tokens") or 0),
        cached_input_tokens=int(cached),
        reasoning_tokens=int(completion_details.get("reasoning_tokens") or 0),
        source="reported",
    )


def _error_info(status: int | None, error: Any, headers: Mapping[str, str]) -> ErrorInfo:
    detail = error if isinstance(error, dict) else {"message": str(error)}
    code = str(detail.get("code") or detail.get("type") or "")
    kind: ErrorKind = _CODE_KINDS.get(code) or (kind_for_status(status) if status else "server")
    message = str(detail.get("message") or code or f"HTTP {status}")
    return classified_error(kind, message, status, headers)


def _add_tool_call_pieces(entries: list[dict[str, Any]], out: StreamOutput) -> None:
    # Calls stream interleaved by index; id and name come with the first piece.
    for entry in entries:
        function = entry.get("function") or {}
        out.add_tool_call(
            int(entry.get("index") or 0),
            entry.get("id"),
            function.get("name"),
            function.get("arguments") or "",
        )


def _tool_call(entry: dict[str, Any]) -> ToolCall:
    function = entry.get("function") or {}
    return ToolCall(
        str(entry.get("id") or ""),
        str(function.get("name") or ""),
        str(function.get("arguments") or "{}"),
    )


class OpenAIChatAdapter:
    """One OpenAI-compatible preset: its name, defaults, and how it spells max tokens.

    OpenAI's newer models take ``max_completion_tokens`` (reasoning models
    reject ``max_tokens``); DeepSeek, vLLM, llama.cpp and most relays take the
    legacy ``max_tokens``.
    """

    def __init__(
        self,
        name: str = "openai",
        default_base_url: str | None = None,
        default_api_key_env: str | None = None,
        max_tokens_field: str = "max_tokens",
    ) -> None:
        self.name = name
        self.default_base_url = default_base_url
        self.default_api_key_env = default_api_key_env
        self.max_tokens_field = max_tokens_field

    def build_request(self, request: ChatRequest, target: Target, api_key: str | None) -> HttpCall:
        body: dict[str, Any] = {"model": request.model, "messages": request.messages}
        if request.max_tokens is not None:
            body[self.max_tokens_field] = request.max_tokens
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.tools:
            body["tools"] = request.tools
        if request.stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        body.update(request.extra)
        headers = {"Content-Type": "application/json", **dict(target.headers)}
        headers["Accept"] = "text/event-stream" if request.stream else "application/json"
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        return HttpCall("POST", chat_completions_url(target.base_url), headers, orjson.dumps(body))

    def parse_response(self, status: int, headers: dict[str, str], body: bytes) -> Completion:
        data, bad_body = load_json_body(body, status)
        if bad_body is not None:
            return Completion("", None, None, error=bad_body)
        if "error" in data:
            return Completion("", None, None, error=_error_info(status, data["error"], headers))
        choices = data.get("choices") or [{}]
        message = choices[0].get("message") or {}
        usage = data.get("usage")
        return Completion(
            text=message.get("content") or "",
            reasoning_text=message.get("reasoning_content") or "",
            tool_calls=[_tool_call(entry) for entry in message.get("tool_calls") or ()],
            finish_reason=choices[0].get("finish_reason"),
            usage=normalize_usage(usage) if usage else None,
        )

    def parse_stream(self, events: Iterable[SSEEvent]) -> Iterator[StreamEvent]:
        return events_from_chunks(self, events)

    def parse_chunks(self, chunks: Sequence[tuple[str, str]], out: StreamOutput) -> int:
        # Runs for every chunk of every stream: a run of token chunks in the
        # stream's envelope is read without a parse (harness.chunk_template);
        # any other chunk is parsed, orjson called in place, each field looked up once.
        loads = orjson.loads
        output_chunks = 0
        index, count = 0, len(chunks)
        while index < count:
            template = out.text_template
            if template is not None and not template.retired:
                texts, index = template.take_texts(chunks, index)
                if texts:
                    out.add_contents(texts)
                    output_chunks += len(texts)
                if index == count:
                    break
            event, data = chunks[index]
            index += 1
            if event == COMMENT_EVENT:
                out.keepalive()
                continue
            if data == "[DONE]":
                out.ended = True
                continue
            try:
                chunk = loads(data)
            except orjson.JSONDecodeError:
                out.fail(chunk_not_json(data))
                break
            if "error" in chunk:
                out.fail(_error_info(None, chunk["error"], {}))
                break
            usage = chunk.get("usage")
            if usage:
                out.report_usage(normalize_usage(usage))
            carried = out.output_events
            choices = chunk.get("choices") or ()
            for choice in choices:
                delta = choice.get("delta") or _NO_DELTA
                reasoning = delta.get("reasoning_content")
                if reasoning:
                    out.add_reasoning(reasoning)
                content = delta.get("content")
                if content:
                    out.add_content(content)
                tool_calls = delta.get("tool_calls")
                if tool_calls:
                    _add_tool_call_pieces(tool_calls, out)
                finish_reason = choice.get("finish_reason")
                if finish_reason:
                    out.finish(finish_reason)
            if out.output_events != carried:
                output_chunks += 1
                # A chunk of one choice whose one event is its content (the loop's
                # last values are that choice's) shows the stream's token envelope.
                template = out.text_template
                if (
                    len(choices) == 1
                    and out.output_events == carried + 1
                    and content
                    and not (usage or reasoning or tool_calls or finish_reason)
                    and (template is None or not template.retired)
                ):
                    out.text_template = (
                        TextChunkTemplate.learn(data, "content", content)
                        if template is None
                        else template.next_for(data, "content", content)
                    )
        return output_chunks

    def end_of_stream(self, out: StreamOutput) -> None:
        if not (out.ended or out.finish_reason):
            out.fail(ErrorInfo("stream_broken", "stream ended before a finish_reason or [DONE]"))

    def classify_error(self, status: int, headers: dict[str, str], body: bytes) -> ErrorInfo:
        return _error_info(status, error_detail(body, status), headers)


PRESETS = (
    OpenAIChatAdapter(
        "openai", "https://api.openai.com/v1", "OPENAI_API_KEY", "max_completion_tokens"
    ),
    OpenAIChatAdapter("deepseek", "https://api.deepseek.com", "DEEPSEEK_API_KEY"),
    OpenAIChatAdapter("vllm", "http://127.0.0.1:8000/v1"),
    OpenAIChatAdapter("llamacpp", "http://127.0.0.1:8080/v1"),
    # Any other server or relay: give its base URL and key variable.
    OpenAIChatAdapter("openai-compatible"),
)


@hookimpl
def harness_register_providers(register: Callable[[Any], None]) -> None:
    for preset in PRESETS:
        register(preset)
