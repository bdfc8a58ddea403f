"""The ``synthetic`` workload: single-turn chats with prompts of drawn sizes.

Prompt and answer lengths come from ``--prompt-dist`` and ``--output-dist``
(default: always ``--prompt-tokens`` and ``--max-tokens``). The simulator
counts input tokens as whitespace-separated words, so a prompt of N words is
N input tokens there; real tokenizers will count differently, and reports
show what the provider reported. Each prompt starts at a random place in a
long random ring of words, so no two prompts share a cacheable prefix by
accident, without drawing every word of every prompt anew.

``--shared-prefix PCT:TOKENS`` makes PCT% of the prompts start with the same
TOKENS words, identical for every user and every worker of a run with the
same ``--workload-seed``, so a provider's prompt cache can serve them. Such a
prompt is the prefix and then its drawn length minus the prefix in fresh
words, with at least one fresh word, so it is never shorter than TOKENS + 1
words and never a whole prompt that repeats.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

from harness import hookimpl
from harness.contracts import ChatRequest, Workload, WorkloadSettings
from harness.distributions import Distribution
from harness.workload_knobs import SharedPrefix, WorkloadKnobs

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


def prefix_words(prefix: SharedPrefix, seed: int | None) -> list[str]:
    """The shared prefix: a function of the seed alone, so every user draws the same words."""
    rng = random.Random(f"shared-prefix:{seed}")
    return rng.choices(_VOCABULARY, k=prefix.tokens)


class SyntheticChat:
    """Single-turn chats whose prompt and answer lengths are drawn per request."""

    def __init__(
        self,
        model: str,
        prompt: Distribution,
        output: Distribution,
        rng: random.Random,
        stream: bool = True,
        shared_prefix: SharedPrefix | None = None,
        prefix: list[str] | None = None,
    ) -> None:
        self.model = model
        self.prompt = prompt
        self.output = output
        self.stream = stream
        self.shared_prefix = shared_prefix
        self.prefix = prefix or []
        self._random = rng
        # Twice the ring, so that a window of up to a ring's length is one slice.
        ring = rng.choices(_VOCABULARY, k=_RING_WORDS)
        self._words = ring + ring

    def _fresh_words(self, count: int) -> list[str]:
        start = self._random.randrange(_RING_WORDS)
        if count <= _RING_WORDS:
            return self._words[start : start + count]
        # Rare (a long tail of a wide distribution): wrap around the ring as often as needed.
        return list(
            itertools.islice(itertools.cycle(self._words[start : start + _RING_WORDS]), count)
        )

    def next_request(self) -> ChatRequest:
        length = self.prompt.sample(self._random)
        shared = self.shared_prefix
        if shared is not None and self._random.random() * 100 < shared.percent:
            words = self.prefix + self._fresh_words(max(length - shared.tokens, 1))
        else:
            words = self._fresh_words(length)
        return ChatRequest(
            messages=[{"role": "user", "content": " ".join(words)}],
            model=self.model,
            max_tokens=self.output.sample(self._random),
            stream=self.stream,
            tags={"scenario": "chat"},
        )


class SyntheticWorkload:
    name = "synthetic"
    description = (
        "single-turn chats of random words, lengths from --prompt-dist/--output-dist "
        "(default --prompt-tokens/--max-tokens), optional --shared-prefix"
    )

    def __init__(self) -> None:
        # Numbers the users, so each one draws its own stream from the run's seed.
        self._users = itertools.count()

    def create(self, settings: WorkloadSettings) -> SyntheticChat:
        knobs = WorkloadKnobs.from_settings(settings)
        shared = knobs.shared_prefix
        return SyntheticChat(
            model=settings.model,
            prompt=knobs.prompt,
            output=knobs.output,
            rng=knobs.user_random(next(self._users)),
            stream=settings.stream,
            shared_prefix=shared,
            prefix=prefix_words(shared, knobs.seed) if shared else None,
        )


@hookimpl
def harness_register_workloads(register: Callable[[Workload], None]) -> None:
    register(SyntheticWorkload())
