"""Locust user classes that talk to LLM chat endpoints."""

from __future__ import annotations

from locust import User, constant, task
from locust.exception import StopUser

from harness.locust.lifecycle import llm_run_for


class LlmUser(User):
    """A closed-loop user of the harness: its run, its target, workload and connections."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.llm_run = llm_run_for(self.environment)
        self.session = self.llm_run.new_session()

    def on_stop(self) -> None:
        self.session.close()


class ChatUser(LlmUser):
    """A closed-loop client sending single-turn chats back to back.

    Subclass it to change ``wait_time`` or the workload; the harness options
    (``--model``, ``--max-tokens``, ...) configure it from the command line
    or the web UI's start form.
    """

    @task
    def chat(self) -> None:
        if self.llm_run.execute(self.session, self.session.workload.next_request()) is None:
            raise StopUser()  # the run is full (--max-requests) and is stopping
