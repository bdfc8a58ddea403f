"""A few example messages per error kind, so a report can say what the errors said.

Keeps the first ``SAMPLES_PER_KIND`` distinct messages seen of each kind and
how often each occurred; merging adds the counts of a message both sides
kept. Messages pass
through :func:`harness.secrets.redact` again on the way in, because a record
file may come from anywhere.
"""

from __future__ import annotations

from typing import Any

from harness.contracts import RequestRecord
from harness.metrics import record_values
from harness.secrets import redact

SAMPLES_PER_KIND = 3
#: Long messages (an HTML error page) are cut to this many characters.
MESSAGE_CHARS = 300


class ErrorSamples:
    """kind -> message -> [count, http status of its first occurrence]."""

    __slots__ = ("kinds",)

    def __init__(self) -> None:
        self.kinds: dict[str, dict[str, list[Any]]] = {}

    def add(self, record: RequestRecord) -> None:
        error = record.error
        message = error.message if error is not None else ""
        status = record.http_status if error is None else error.http_status
        self._count(record_values.error_kind(record), _clean(message), 1, status)

    def _count(self, kind: str, message: str, count: int, status: int | None) -> None:
        messages = self.kinds.setdefault(kind, {})
        entry = messages.get(message)
        if entry is not None:
            entry[0] += count
            return
        if len(messages) < SAMPLES_PER_KIND:
            messages[message] = [count, status]

    def merge(self, other: ErrorSamples) -> None:
        for kind, messages in other.kinds.items():
            for message, (count, status) in messages.items():
                self._count(kind, message, count, status)

    def summary(self) -> dict[str, list[dict[str, Any]]]:
        """Per kind, the kept messages, most frequent first."""
        return {
            kind: [
                {"message": message, "count": count, "http_status": status}
                for message, (count, status) in sorted(
                    messages.items(), key=lambda item: (-item[1][0], item[0])
                )
            ]
            for kind, messages in sorted(self.kinds.items())
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            kind: {m: list(entry) for m, entry in msgs.items()} for kind, msgs in self.kinds.items()
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ErrorSamples:
        samples = cls()
        for kind, messages in data.items():
            for message, (count, status) in messages.items():
                samples._count(str(kind), _clean(str(message)), int(count), status)
        return samples


def _clean(message: str) -> str:
    return redact(message)[:MESSAGE_CHARS]
