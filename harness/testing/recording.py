"""An adapter wrapper that remembers what the wrapped adapter produced.

The conformance kit drives adapters through the real :class:`ChatClient`, and
a record alone does not hold the answer's text; this wrapper keeps every
StreamEvent, Completion, ErrorInfo and HttpCall on the way through, and
changes nothing: each StreamEvent is yielded before the next SSE event is
pulled, as the client's timing requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from harness.contracts import (
    ChatRequest,
    Completion,
    ErrorInfo,
    HttpCall,
    ProviderAdapter,
    SSEEvent,
    StreamEvent,
    Target,
)


class RecordingAdapter:
    def __init__(self, adapter: ProviderAdapter) -> None:
        self.adapter = adapter
        self.name = adapter.name
        self.calls: list[HttpCall] = []
        self.stream_events: list[StreamEvent] = []
        self.completions: list[Completion] = []
        self.classified: list[ErrorInfo] = []

    def build_request(self, request: ChatRequest, target: Target, api_key: str | None) -> HttpCall:
        call = self.adapter.build_request(request, target, api_key)
        self.calls.append(call)
        return call

    def parse_response(self, status: int, headers: dict[str, str], body: bytes) -> Completion:
        completion = self.adapter.parse_response(status, headers, body)
        self.completions.append(completion)
        return completion

    def parse_stream(self, events: Iterable[SSEEvent]) -> Iterator[StreamEvent]:
        for event in self.adapter.parse_stream(events):
            self.stream_events.append(event)
            yield event

    def classify_error(self, status: int, headers: dict[str, str], body: bytes) -> ErrorInfo:
        info = self.adapter.classify_error(status, headers, body)
        self.classified.append(info)
        return info

    @property
    def text(self) -> str:
        """The answer: the content events of a stream, or the completion's text."""
        if self.completions:
            return self.completions[-1].text
        return "".join(event.text for event in self.stream_events if event.kind == "content")
