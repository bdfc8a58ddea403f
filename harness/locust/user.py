"""Locust user classes that talk to LLM chat endpoints."""

from __future__ import annotations

from locust import User, constant, task

from harness.locust.lifecycle import llm_run_for


class ChatUser(User):
    """A closed-loop client sending single-turn chats back to back.

    Subclass it to change ``wait_time`` or the workload; the harness options
    (``--model``, ``--max-tokens``, ...) configure it from the command line
    or the web UI's start form.
    """

    wait_time = constant(0)

    def on_start(self) -> None:
        run = llm_run_for(self.environment)
        self.llm_run = run
        target = run.assign_target()
        self.chat_client = run.new_client(target)
        self.workload = run.new_workload(target)

    def on_stop(self) -> None:
        self.chat_client.transport.close()

    @task
    def chat(self) -> None:
        self.llm_run.execute(self.chat_client, self.workload.next_request())
