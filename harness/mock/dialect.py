"""What a wire format must provide for the simulator to speak it.

The server owns everything a dialect shares: routing, the latency model,
generation slots, faults and counters. A dialect only turns bytes into a
:class:`GenerationRequest` and a generation back into bytes: the events of a
stream, a whole response body, and its error bodies. Registered dialects live
in :mod:`.dialects`; each is served on its own paths, all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class GenerationRequest:
    """The parts of a chat request the simulator acts on, whatever the dialect."""

    model: str
    max_tokens: int | None
    stream: bool
    input_tokens: int
    include_usage: bool = False
    """OpenAI's ``stream_options.include_usage``; dialects that always report usage ignore it."""


class InvalidRequest(ValueError):
    """A request the dialect's API would refuse with HTTP 400."""

    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


class StreamEncoder(Protocol):
    """Builds the server-sent events of one streamed generation."""

    def opening(self) -> bytes:
        """Events sent with the first token (or alone, for an empty output); may be empty."""
        ...

    def token(self, index: int) -> bytes:
        """The event carrying output token ``index`` (0-based)."""
        ...

    def closing(self, reached_limit: bool, input_tokens: int, output_tokens: int) -> bytes:
        """Every event after the last token: finish reason, usage, end marker."""
        ...


class Dialect(Protocol):
    """One wire format, served on ``chat_paths``."""

    name: str
    chat_paths: tuple[str, ...]
    malformed_event: bytes
    """A stream event that is not valid for the format (the ``malformed`` fault)."""
    malformed_body: bytes
    """A 200 body that is not valid for the format (the ``malformed`` fault, unstreamed)."""

    def parse_request(self, body: bytes, default_model: str) -> GenerationRequest:
        """Read a request body; raise :class:`InvalidRequest` when it is unusable."""
        ...

    def invalid_request_body(self, invalid: InvalidRequest) -> bytes: ...

    def stream_encoder(
        self, request: GenerationRequest, number: int, created: int
    ) -> StreamEncoder: ...

    def completion_body(
        self,
        request: GenerationRequest,
        number: int,
        created: int,
        output_tokens: int,
        reached_limit: bool,
    ) -> bytes:
        """The whole unstreamed answer; ``number`` counts generations, for ids."""
        ...

    def status_error_body(self, status: int) -> bytes:
        """The error body of an injected ``http:STATUS`` fault."""
        ...

    def rate_limit_body(self, retry_after_s: float) -> bytes:
        """The body of an injected ``429:S`` fault (the server adds Retry-After)."""
        ...
