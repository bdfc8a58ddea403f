"""A multi-turn conversation and the sliding window that keeps it within a token budget.

Agents and chat apps keep a long conversation inside the model's context by
dropping the oldest turns and keeping the system prompt, so the requests
they send grow turn by turn, then plateau. Token counts use the harness's
offline estimate (:mod:`harness.token_estimate`), which the simulator matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.token_estimate import estimate_input_tokens


@dataclass
class Conversation:
    system_prompt: str
    #: Completed turns, oldest first: (user message, assistant answer).
    turns: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def messages(self, user_text: str, max_context_tokens: int) -> list[dict[str, Any]]:
        """The request for the next turn: system prompt, the latest turns that fit, the question.

        The system prompt and the new message are always sent, even alone over
        the budget; whole turns are dropped oldest first, never half a turn.
        """
        system = {"role": "system", "content": self.system_prompt}
        question = {"role": "user", "content": user_text}
        budget = max_context_tokens - estimate_input_tokens((system, question))
        kept: list[dict[str, Any]] = []
        for user, answer in reversed(self.turns):
            cost = estimate_input_tokens((user, answer))
            if cost > budget:
                break
            budget -= cost
            kept[:0] = (user, answer)
        return [system, *kept, question]

    def add_turn(self, user_text: str, answer: str) -> None:
        self.turns.append(
            ({"role": "user", "content": user_text}, {"role": "assistant", "content": answer})
        )
