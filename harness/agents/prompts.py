"""A step's request: its role's system prompt, its own prompt and its inputs' outputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.agents.roles import Role
from harness.agents.workflow import Step


def truncate_words(text: str, words: int) -> str:
    """The first ``words`` words of ``text``; agents pass summaries on, not whole transcripts."""
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]) + " [truncated]"


def step_messages(
    step: Step, role: Role, outputs: Mapping[str, str], context_words: int
) -> list[dict[str, Any]]:
    """The chat messages of ``step``; ``outputs`` holds the answers of its dependencies."""
    sections = [step.prompt]
    for dependency in step.depends_on:
        text = truncate_words(outputs.get(dependency, ""), context_words)
        sections.append(f"Output of step {dependency}:\n{text}")
    return [
        {"role": "system", "content": role.system_prompt},
        {"role": "user", "content": "\n\n".join(sections)},
    ]
