"""The options every built-in workload shares, read once per simulated user.

Workloads get the run's options as a mapping (``WorkloadSettings.options``);
this module turns the ones for lengths, seeds and the shared prefix into
checked values, so each workload plugin stays a few lines long and every bad
value fails with the same precise message, wherever it was set.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.contracts import WorkloadSettings
from harness.distributions import Distribution, parse_distribution
from harness.errors import HarnessConfigError


@dataclass(frozen=True)
class SharedPrefix:
    """``percent`` of the requests start with the same ``tokens`` words."""

    percent: float
    tokens: int


def parse_shared_prefix(spec: str) -> SharedPrefix:
    """``PCT:TOKENS``, e.g. ``30:512``: 30% of requests share a 512-word prefix."""
    where = f"--shared-prefix {spec!r}"
    percent_text, sep, tokens_text = spec.partition(":")
    try:
        percent, tokens = float(percent_text), int(tokens_text)
    except ValueError:
        raise HarnessConfigError(f"{where}: expected PCT:TOKENS, e.g. 30:512") from None
    if not sep or not 0 <= percent <= 100:
        raise HarnessConfigError(f"{where}: expected PCT from 0 to 100 in PCT:TOKENS")
    if tokens < 1:
        raise HarnessConfigError(f"{where}: expected TOKENS >= 1 in PCT:TOKENS")
    return SharedPrefix(percent, tokens)


@dataclass(frozen=True)
class WorkloadKnobs:
    prompt: Distribution
    output: Distribution
    shared_prefix: SharedPrefix | None
    #: The run's --workload-seed (or WorkloadSettings.seed); None draws differently each run.
    seed: int | None

    @classmethod
    def from_settings(cls, settings: WorkloadSettings) -> WorkloadKnobs:
        options: Mapping[str, Any] = settings.options
        prompt = options.get("prompt_dist") or f"fixed:{settings.prompt_tokens}"
        output = options.get("output_dist") or f"fixed:{settings.max_tokens}"
        prefix = options.get("shared_prefix")
        seed = options.get("workload_seed")
        return cls(
            prompt=parse_distribution(prompt, "--prompt-dist"),
            output=parse_distribution(output, "--output-dist"),
            shared_prefix=parse_shared_prefix(prefix) if prefix else None,
            seed=settings.seed if seed is None else seed,
        )

    def user_random(self, user: int) -> random.Random:
        """Each user's own generator: seeded runs repeat, users still differ from each other."""
        # String seeds are hashed with SHA-512, so "7:0" and "7:1" give unrelated streams.
        return random.Random(None if self.seed is None else f"{self.seed}:{user}")
