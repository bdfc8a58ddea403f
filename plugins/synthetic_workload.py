"""The ``synthetic`` workload: single-turn chats with prompts of a given size.

The simulator counts input tokens as whitespace-separated words, so a prompt
of N words is N input tokens there; real tokenizers will count differently,
and reports show what the provider reported. Each prompt starts at a random
place in a long random ring of words, so no two prompts share a cacheable
prefix by accident, without drawing every word of every prompt anew.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from harness import hookimpl
from harness.contracts import ChatRequest, Workload, WorkloadSettings

_VOCABULARY = [
    "latency",
    "throughput",
    "queue",
    "token",
    "stream",
    "server",
    "client",
    "request",
    "budget",
    "retry",
    "agent",
    "workflow",
    "model",
    "cache",
    "prompt",
    "answer",
    "deploy",
    "review",
    "incident",
    "metric",
    "capacity",
    "region",
    "cluster",
    "shard",
    "replica",
    "window",
    "bucket",
    "sample",
    "report",
]


_RING_WORDS = 4096


class SyntheticChat:
    """Single-turn chats with ``prompt_tokens`` words asking for ``max_tokens``."""

    def __init__(
        self,
        model: str,
        prompt_tokens: int,
        max_tokens: int,
        stream: bool = True,
        seed: int | None = None,
    ) -> None:
        if prompt_tokens < 1:
            raise ValueError("prompt_tokens must be at least 1")
        if max_tokens < 1:
            raise ValueError("max_tokens must be at least 1")
        self.model = model
        self.prompt_tokens = prompt_tokens
        self.max_tokens = max_tokens
        self.stream = stream
        self._random = random.Random(seed)
        # Twice the ring, so that any window of prompt_tokens words is one slice.
        ring = self._random.choices(_VOCABULARY, k=max(_RING_WORDS, prompt_tokens))
        self._words = ring + ring

    def next_request(self) -> ChatRequest:
        start = self._random.randrange(len(self._words) // 2)
        words = self._words[start : start + self.prompt_tokens]
        return ChatRequest(
            messages=[{"role": "user", "content": " ".join(words)}],
            model=self.model,
            max_tokens=self.max_tokens,
            stream=self.stream,
            tags={"scenario": "chat"},
        )


class SyntheticWorkload:
    name = "synthetic"
    description = "single-turn chats of --prompt-tokens random words asking for --max-tokens"

    def create(self, settings: WorkloadSettings) -> SyntheticChat:
        return SyntheticChat(
            model=settings.model,
            prompt_tokens=settings.prompt_tokens,
            max_tokens=settings.max_tokens,
            stream=settings.stream,
            seed=settings.seed,
        )


@hookimpl
def harness_register_workloads(register: Callable[[Workload], None]) -> None:
    register(SyntheticWorkload())
