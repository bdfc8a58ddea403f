"""Workflow files, their validation, step prompts and the session's sliding window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.agents.loader import builtin_catalog, load_catalog, parse_catalog
from harness.agents.prompts import step_messages, truncate_words
from harness.agents.roles import BUILTIN_ROLES
from harness.agents.workflow import Step, WorkflowError
from harness.conversation import Conversation
from harness.token_estimate import estimate_input_tokens

ROLES_OF_THE_BRIEF = {
    "code-generation", "data-analysis", "security-audit", "documentation", "testing",
    "devops", "api-design", "performance-profiling", "incident-response",
    "cost-optimization", "database-design", "mlops", "observability", "compliance",
    "capacity-planning", "disaster-recovery", "customer-support",
}  # fmt: skip


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "flows.toml"
    path.write_text(text)
    return path


def test_the_seventeen_roles_and_the_built_in_workflows_are_valid() -> None:
    assert set(BUILTIN_ROLES) == ROLES_OF_THE_BRIEF
    catalog = builtin_catalog()
    assert {
        "code-review-pipeline",
        "incident-response",
        "customer-support-escalation",
    } <= set(catalog.workflows)


def test_a_user_file_adds_roles_and_workflows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[roles.release-manager]
system_prompt = "You coordinate releases."
max_tokens = 64

[workflows.release]
[[workflows.release.steps]]
id = "plan"
role = "release-manager"
prompt = "Plan it."
[[workflows.release.steps]]
id = "check"
role = "testing"
prompt = "Check it."
depends_on = ["plan"]
priority = 3
max_tokens = 20
""",
    )
    catalog = load_catalog(path)
    release = catalog.workflows["release"]
    assert release.source == str(path)
    assert release.step("check") == Step("check", "testing", "Check it.", ("plan",), 3, 20)
    assert catalog.roles["release-manager"].max_tokens == 64
    assert "incident-response" in catalog.workflows


def loop(*steps: tuple[str, str, list[str]]) -> dict[str, Any]:
    """A file's data with workflow "loop" of (id, role, depends_on) steps."""
    rows = [{"id": i, "role": role, "prompt": "x", "depends_on": deps} for i, role, deps in steps]
    return {"workflows": {"loop": {"steps": rows}}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            loop(("a", "testing", ["c"]), ("b", "testing", ["a"]), ("c", "testing", ["b"])),
            "workflow 'loop': dependency cycle: a -> c -> b -> a (each step depends on the next)",
        ),
        (
            loop(("a", "testing", []), ("c", "testing", ["z"])),
            "workflow 'loop': step 'c': depends on 'z', which is not a step of this workflow",
        ),
        (
            loop(("a", "wizard", [])),
            "workflow 'loop': step 'a': unknown role 'wizard' (known roles: api-design,",
        ),
        (
            loop(("a", "testing", []), ("a", "testing", [])),
            "workflow 'loop': duplicate step id 'a'",
        ),
        (
            {"workflows": {"loop": {"steps": [{"id": "a", "role": "testing", "when": 1}]}}},
            "workflow 'loop': step 'a': unknown key 'when'",
        ),
    ],
)
def test_bad_workflows_are_rejected_naming_file_workflow_and_step(
    data: dict[str, Any], message: str
) -> None:
    with pytest.raises(WorkflowError) as caught:
        parse_catalog(data, "flows.toml", BUILTIN_ROLES)
    assert str(caught.value).startswith(f"flows.toml: {message}")


def test_a_step_prompt_carries_its_dependencies_outputs_truncated() -> None:
    step = Step("verdict", "code-generation", "Decide.", ("tests", "docs"))
    messages = step_messages(
        step,
        BUILTIN_ROLES["code-generation"],
        {"tests": "one two three four", "docs": "five six", "other": "never"},
        context_words=3,
    )
    assert messages[0] == {
        "role": "system",
        "content": BUILTIN_ROLES["code-generation"].system_prompt,
    }
    assert messages[1]["content"] == (
        "Decide.\n\nOutput of step tests:\none two three [truncated]"
        "\n\nOutput of step docs:\nfive six"
    )
    assert truncate_words("a  b\nc", 5) == "a b c"


def test_the_sliding_window_keeps_the_system_prompt_and_the_latest_whole_turns() -> None:
    chat = Conversation("be brief")  # 2 words
    for turn in range(1, 5):
        chat.add_turn(f"question {turn}", f"answer number {turn}")  # 2 + 3 words a turn
    # Budget 2 (system) + 2 (new question) + two turns of 5 words, plus 4 to spare.
    messages = chat.messages("next one", max_context_tokens=18)
    assert [m["content"] for m in messages] == [
        "be brief",
        "question 3",
        "answer number 3",
        "question 4",
        "answer number 4",
        "next one",
    ]
    assert estimate_input_tokens(messages) == 14
    # Everything fits: the whole conversation is sent.
    assert len(chat.messages("next one", max_context_tokens=10_000)) == 2 + 8
    # Nothing fits: the system prompt and the new message still go.
    assert [m["role"] for m in chat.messages("next one", max_context_tokens=1)] == [
        "system",
        "user",
    ]
