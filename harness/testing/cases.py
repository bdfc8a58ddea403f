"""What a provider conformance suite expects of an adapter, case by case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.contracts import ErrorKind, Usage

from .transcripts import Transcript


@dataclass(frozen=True)
class SuccessCase:
    """A successful response and what the adapter must make of it.

    ``text`` is the answer (the ``content`` events of a stream joined, or
    ``Completion.text``); ``usage`` is the normalized usage; ``output_events``,
    when given, is how many output-bearing stream events the record counts.
    """

    transcript: Transcript
    text: str
    usage: Usage
    finish_reason: str | None
    output_events: int | None = None


@dataclass(frozen=True)
class ErrorCase:
    """An HTTP error response and the :class:`~harness.contracts.ErrorInfo` it must become.

    ``body`` is bytes, text, or anything JSON-serializable (sent as JSON).
    ``name`` labels the case in test ids and failure messages.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes | str | Any
    kind: ErrorKind
    retry_after_s: float | None = None
    name: str = ""
    content_type: str = field(default="application/json", kw_only=True)

    @property
    def label(self) -> str:
        return f"{self.status} {self.name or self.kind}"

    def transcript(self) -> Transcript:
        return Transcript.json(
            self.body, self.status, dict(self.headers), content_type=self.content_type
        )
