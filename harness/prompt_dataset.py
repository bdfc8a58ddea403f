"""Prompt datasets: JSONL files of OpenAI-style ``messages``, read once per run.

Each line is ``{"messages": [{"role": ..., "content": ...}, ...]}`` with an
optional positive ``"max_tokens"``; blank lines are skipped. A file is parsed
once per process and shared by every user (they only read it), so a
thousand users cost one copy. A bad line fails the whole file with
``file:line: what was expected``.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from harness.contracts import ChatRequest, WorkloadSettings
from harness.distributions import Distribution
from harness.errors import HarnessConfigError
from harness.workload_knobs import WorkloadKnobs

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})


@dataclass(frozen=True)
class PromptRow:
    messages: tuple[dict[str, Any], ...]
    max_tokens: int | None


def load_dataset(path: str | Path) -> tuple[PromptRow, ...]:
    """The rows of a JSONL dataset, parsed and checked once per file and change."""
    resolved = Path(path).resolve()
    try:
        stamp = resolved.stat().st_mtime_ns
    except OSError:
        raise HarnessConfigError(f"{path}: no such dataset file") from None
    return _load(resolved, str(path), stamp)


@lru_cache(maxsize=16)
def _load(resolved: Path, shown: str, stamp: int) -> tuple[PromptRow, ...]:
    # ``stamp`` is part of the cache key only: an edited file is read again.
    rows = []
    with resolved.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                rows.append(_row(line, f"{shown}:{number}"))
    if not rows:
        raise HarnessConfigError(f"{shown}: expected at least one prompt line, the file is empty")
    return tuple(rows)


def json_object(line: str, where: str, expected: str) -> dict[str, Any]:
    """One JSONL line that must be an object; ``expected`` says what it should hold."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise HarnessConfigError(f"{where}: expected a JSON object: {exc.msg}") from None
    if not isinstance(data, dict):
        raise HarnessConfigError(f"{where}: expected a JSON object with {expected}")
    return data


def _row(line: str, where: str) -> PromptRow:
    data = json_object(line, where, '"messages"')
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise HarnessConfigError(f'{where}: expected "messages": a non-empty list')
    for index, message in enumerate(messages):
        check_message(message, f"{where}: messages[{index}]")
    max_tokens = data.get("max_tokens")
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise HarnessConfigError(f'{where}: expected "max_tokens" a whole number >= 1')
    return PromptRow(tuple(messages), max_tokens)


def check_message(message: Any, where: str) -> None:
    if not isinstance(message, dict):
        raise HarnessConfigError(f'{where}: expected an object with "role" and "content"')
    if message.get("role") not in _ROLES:
        raise HarnessConfigError(f'{where}: expected "role" one of {", ".join(sorted(_ROLES))}')
    content = message.get("content")
    if not isinstance(content, (str, list)):
        raise HarnessConfigError(f'{where}: expected "content" a string or a list of parts')


class DatasetChat:
    """Cycles through ``rows`` in an order of its own, reshuffled after each pass.

    Rows without ``max_tokens`` ask for a length drawn from ``output``.
    """

    def __init__(
        self,
        rows: tuple[PromptRow, ...],
        model: str,
        output: Distribution,
        rng: random.Random,
        stream: bool = True,
        scenario: str = "dataset",
    ) -> None:
        self.rows = rows
        self.model = model
        self.output = output
        self.stream = stream
        self.scenario = scenario
        self._random = rng
        self._order: list[int] = []

    def next_request(self) -> ChatRequest:
        if not self._order:
            self._order = list(range(len(self.rows)))
            self._random.shuffle(self._order)
        row = self.rows[self._order.pop()]
        return ChatRequest(
            # Copies: adapters and later turns may change a message; the rows are shared.
            messages=[dict(message) for message in row.messages],
            model=self.model,
            max_tokens=row.max_tokens or self.output.sample(self._random),
            stream=self.stream,
            tags={"scenario": self.scenario},
        )


class RowsWorkload:
    """A workload replaying prompt rows (a Workload); subclasses say where the rows come from."""

    name = ""
    description = ""

    def __init__(self) -> None:
        self._users = itertools.count()

    def rows(self, settings: WorkloadSettings) -> tuple[PromptRow, ...]:
        raise NotImplementedError

    def create(self, settings: WorkloadSettings) -> DatasetChat:
        rows = self.rows(settings)
        knobs = WorkloadKnobs.from_settings(settings)
        return DatasetChat(
            rows,
            model=settings.model,
            output=knobs.output,
            rng=knobs.user_random(next(self._users)),
            stream=settings.stream,
            scenario=self.name,
        )
