"""SessionUser: multi-turn conversations whose context grows with the real answers."""

from __future__ import annotations

import uuid
from dataclasses import replace

import gevent
from locust import task
from locust.exception import StopUser

from harness.agents.roles import BUILTIN_ROLES
from harness.contracts import ChatRequest
from harness.conversation import Conversation
from harness.locust.user import LlmUser
from harness.slo.sessions import SessionVerdict
from harness.token_estimate import content_text

#: A support chat is the typical long conversation; its role's prompt opens every session.
SESSION_SYSTEM_PROMPT = BUILTIN_ROLES["customer-support"].system_prompt


def _user_text(request: ChatRequest) -> str:
    """The workload's latest user message: the next thing this user says."""
    for message in reversed(request.messages):
        if message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


class SessionUser(LlmUser):
    """Holds conversations of ``--session-turns`` turns, one after the other.

    Each turn sends the system prompt, the earlier turns (each with the answer
    the endpoint really gave) that fit in ``--session-max-context-tokens``,
    and the workload's next message; ``--think-time`` passes between turns.
    Records carry the tags ``session`` and ``turn``, and the turn that ends a
    conversation ``session_end`` (session goodput, see harness.slo.sessions).
    A failed turn ends its conversation, as a user facing an error would
    start over.
    """

    @task
    def conversation(self) -> None:
        options = self.llm_run.options
        chat = Conversation(SESSION_SYSTEM_PROMPT)
        session_id = uuid.uuid4().hex[:16]
        verdict = SessionVerdict(options.session_turns)
        for turn in range(1, options.session_turns + 1):
            if turn > 1 and options.think_time > 0:
                gevent.sleep(options.think_time)
            template = self.session.workload.next_request()
            text = _user_text(template)
            request = replace(
                template,
                messages=chat.messages(text, options.session_max_context_tokens),
                tags={
                    **template.tags,
                    "scenario": "session",
                    "session": session_id,
                    "turn": str(turn),
                },
            )
            outcome = self.llm_run.execute(self.session, request, verdict.annotate_turn(turn))
            if outcome is None:
                raise StopUser()  # the run is full (--max-requests) and is stopping
            if not outcome.record.ok:
                return
            verdict.turn_done(outcome.record)
            chat.add_turn(text, outcome.answer)
