"""Trace replay: a JSONL file of timed requests, checked line by line.

Each line is an object ``{"timestamp": S, "input_tokens": N, "output_tokens": M}``
with optional ``"messages"`` (an OpenAI-style list, sent as is) and
``"model"``; other keys are ignored, so traces exported by other tools load.
Timestamps are seconds, relative or absolute (epoch): the replay keeps their
spacing, starting at the earliest. Lines may come in any order.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.contracts import ChatRequest
from harness.errors import HarnessConfigError
from harness.prompt_dataset import check_message, json_object

# The simulator counts whitespace-separated words as tokens.
_WORDS = ("trace", "replay", "request", "token", "latency", "queue", "server", "answer")


@dataclass(frozen=True)
class TraceRow:
    line: int
    #: Seconds after the trace's earliest timestamp.
    offset_s: float
    input_tokens: int
    output_tokens: int
    messages: list[dict[str, Any]] | None = None
    model: str | None = None


def load_trace(path: Path) -> list[TraceRow]:
    """Every row of the trace, by time; HarnessConfigError names the file, line and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HarnessConfigError(f"--trace {path}: cannot read ({exc.strerror})") from None
    parsed = [
        _row(f"{path}:{number}", number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]
    if not parsed:
        raise HarnessConfigError(f"--trace {path}: no rows (expected one JSON object per line)")
    origin = min(timestamp for timestamp, _ in parsed)
    rows = [
        TraceRow(
            row.line,
            timestamp - origin,
            row.input_tokens,
            row.output_tokens,
            row.messages,
            row.model,
        )
        for timestamp, row in parsed
    ]
    return sorted(rows, key=lambda row: row.offset_s)


def _row(where: str, number: int, line: str) -> tuple[float, TraceRow]:
    data = json_object(line, where, '"timestamp", "input_tokens" and "output_tokens"')
    timestamp = data.get("timestamp")
    if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)):
        raise HarnessConfigError(f"{where}: key 'timestamp': expected seconds, got {timestamp!r}")
    if not math.isfinite(timestamp):
        raise HarnessConfigError(f"{where}: key 'timestamp': expected a finite number")
    messages = data.get("messages")
    if messages is not None:
        if not isinstance(messages, list) or not messages:
            raise HarnessConfigError(f"{where}: key 'messages': expected a non-empty list")
        for index, message in enumerate(messages):
            check_message(message, f"{where}: key 'messages'[{index}]")
    model = data.get("model")
    if model is not None and (not isinstance(model, str) or not model):
        raise HarnessConfigError(f"{where}: key 'model': expected a model name, got {model!r}")
    row = TraceRow(
        number,
        0.0,
        _count(where, data, "input_tokens"),
        _count(where, data, "output_tokens"),
        messages,
        model,
    )
    return float(timestamp), row


def _count(where: str, data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise HarnessConfigError(f"{where}: key {key!r}: expected an integer >= 0, got {value!r}")
    return value


def trace_request(row: TraceRow, model: str, stream: bool, rng: random.Random) -> ChatRequest:
    """The request a row stands for: its messages, or a prompt of ``input_tokens`` words."""
    messages = row.messages or [
        {"role": "user", "content": " ".join(rng.choices(_WORDS, k=max(row.input_tokens, 1)))}
    ]
    return ChatRequest(
        messages=messages,
        model=row.model or model,
        max_tokens=row.output_tokens,
        stream=stream,
        tags={"scenario": "trace"},
    )
