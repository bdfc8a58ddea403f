"""Issue acceptance: agent workflows and multi-turn sessions in real local Locust runs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import gevent
from locust import events
from locust.argument_parser import get_parser
from locust.env import Environment

from harness.agents.loader import builtin_catalog
from harness.contracts import RequestRecord
from harness.locust import AgentUser, SessionUser
from harness.locust.session_user import SESSION_SYSTEM_PROMPT
from harness.metrics.record_values import ended_at
from harness.mock.process import SimulatorProcess
from harness.records import read_records
from harness.token_estimate import estimate_input_tokens

StartSimulator = Callable[..., SimulatorProcess]
RunHeadless = Callable[..., Environment]


def test_every_step_of_every_workflow_is_recorded_in_dependency_order(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=30, itl_ms=5, output_tokens=6, seed=3)
    args = ["--host", simulator.url, "--report-dir", str(tmp_path), "--workflow", "all"]
    run_headless(args, 3, 3.0, host=simulator.url, user_classes=[AgentUser])
    records = list(read_records([tmp_path / "records.jsonl"]))
    workflows = builtin_catalog().workflows

    runs: dict[str, dict[str, RequestRecord]] = defaultdict(dict)
    for record in records:
        assert record.ok and record.final
        tags = record.tags
        assert tags["scenario"] == "agents"
        workflow = workflows[tags["workflow"]]
        assert tags["role"] == workflow.step(tags["step"]).role
        assert tags["step"] not in runs[tags["workflow_run"]]
        runs[tags["workflow_run"]][tags["step"]] = record
    # Users finish the workflow in hand when the run stops, so none is partial.
    finished = [r for r in records if r.workflow_e2e_s is not None]
    assert len(finished) == len(runs) >= 3
    assert {r.tags["workflow"] for r in finished} == set(workflows)
    assert len(records) == sum(len(workflows[r.tags["workflow"]].steps) for r in finished)
    overlapped = 0
    for steps in runs.values():
        workflow = workflows[next(iter(steps.values())).tags["workflow"]]
        assert set(steps) == {step.id for step in workflow.steps}
        for step in workflow.steps:
            record = steps[step.id]
            for dependency in step.depends_on:
                assert record.started_at >= ended_at(steps[dependency])
        # The workflow ends with the step recorded last, and took at least as long as
        # any step. Steps in parallel that end together are recorded in the order
        # their greenlets run, which on a busy machine can trail their ends a little.
        (last,) = [r for r in steps.values() if r.workflow_e2e_s is not None]
        assert ended_at(last) >= max(ended_at(r) for r in steps.values()) - 0.05
        assert last.workflow_e2e_s is not None
        assert last.workflow_e2e_s >= max(r.e2e_s or 0.0 for r in steps.values())
        if workflow.name == "incident-response":
            parallel = [steps[name] for name in ("signals", "database", "capacity")]
            assert max(r.started_at for r in parallel) < min(ended_at(r) for r in parallel)
            overlapped += 1
    assert overlapped

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["overall"]["workflows"] == len(finished)
    assert summary["overall"]["latency"]["workflow_e2e"]["count"] == len(finished)
    for name, workflow in workflows.items():
        block = summary["workflows"][name]
        assert block["requests"] == block["workflows"] * len(workflow.steps)
        assert block["cost"]["per_workflow"] is not None
        for step in workflow.steps:
            assert summary["steps"][f"{name}/{step.id}"]["requests"] == block["workflows"]
    assert set(summary["roles"]) >= {"incident-response", "customer-support", "testing"}


def test_session_context_grows_by_the_previous_answer_and_the_new_message(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=10, itl_ms=2, seed=5)
    args = [
        "--host", simulator.url, "--report-dir", str(tmp_path),
        "--session-turns", "4", "--prompt-tokens", "7", "--max-tokens", "5",
    ]  # fmt: skip
    run_headless(args, 2, 2.0, host=simulator.url, user_classes=[SessionUser])
    records = list(read_records([tmp_path / "records.jsonl"]))

    sessions: dict[str, dict[int, RequestRecord]] = defaultdict(dict)
    for record in records:
        assert record.ok and record.usage is not None and record.usage.source == "reported"
        sessions[record.tags["session"]][int(record.tags["turn"])] = record
    system_words = len(SESSION_SYSTEM_PROMPT.split())
    complete = [turns for turns in sessions.values() if len(turns) == 4]
    assert len(complete) >= 2
    for turns in sessions.values():
        first = turns[1].usage
        assert first is not None and first.input_tokens == system_words + 7
        for turn in range(2, len(turns) + 1):
            before, now = turns[turn - 1].usage, turns[turn].usage
            assert before is not None and now is not None
            assert now.input_tokens == before.input_tokens + before.output_tokens + 7


def test_the_session_window_caps_the_context(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=10, itl_ms=2, seed=5)
    system_words = len(SESSION_SYSTEM_PROMPT.split())
    # The window counts the harness's estimate, which counts punctuation apart
    # (the simulator counts words): room for the system prompt, the new
    # message and one earlier turn of 7 + 5 words.
    system = estimate_input_tokens([{"content": SESSION_SYSTEM_PROMPT}])
    budget = system + 7 + 12
    args = [
        "--host", simulator.url, "--report-dir", str(tmp_path), "--session-turns", "4",
        "--prompt-tokens", "7", "--max-tokens", "5",
        "--session-max-context-tokens", str(budget),
    ]  # fmt: skip
    run_headless(args, 1, 1.5, host=simulator.url, user_classes=[SessionUser])
    records = list(read_records([tmp_path / "records.jsonl"]))
    by_turn = {int(r.tags["turn"]): r.usage.input_tokens for r in records if r.usage}
    assert by_turn[1] == system_words + 7
    assert {by_turn[turn] for turn in (2, 3, 4)} == {system_words + 7 + 12}


def workflow_toml(*steps: tuple[str, str, list[str]]) -> str:
    """A workflow file with workflow "w" of (id, role, depends_on) steps."""
    return "[workflows.w]\n" + "".join(
        f'[[workflows.w.steps]]\nid = "{i}"\nrole = "{role}"\nprompt = "x"\n'
        f"depends_on = {json.dumps(deps)}\n"
        for i, role, deps in steps
    )


BAD_FILES = {
    "cycle": (
        workflow_toml(("a", "testing", ["b"]), ("b", "testing", ["a"])),
        "workflow 'w': dependency cycle: a -> b -> a",
    ),
    "role": (
        workflow_toml(("a", "astrologer", [])),
        "workflow 'w': step 'a': unknown role 'astrologer'",
    ),
    "dependency": (
        workflow_toml(("a", "testing", ["ghost"])),
        "workflow 'w': step 'a': depends on 'ghost', which is not a step of this workflow",
    ),
}


def test_bad_workflow_files_stop_harness_run_before_any_traffic(tmp_path: Path) -> None:
    for name, (text, message) in BAD_FILES.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(text)
        report_dir = tmp_path / f"report-{name}"
        result = subprocess.run(
            [sys.executable, "-m", "harness.cli", "run", "-t", "5s", "-u", "1",
             "--workflow-file", str(path), "--report-dir", str(report_dir)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 2, result.stderr[-2000:]
        assert f"harness: error: {path}: {message}" in result.stderr
        assert not (report_dir / "records.jsonl").exists()


def test_harness_run_with_one_workflow_picks_the_agents_locustfile(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "-t", "2s", "-u", "2",
         "--workflow", "customer-support-escalation", "--mock-ttft-ms", "10",
         "--mock-itl-ms", "2", "--mock-output-tokens", "4", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    records = list(read_records([tmp_path / "records.jsonl"]))
    assert records and {r.tags["workflow"] for r in records} == {"customer-support-escalation"}
    assert {r.tags["step"] for r in records} == {"first-response", "diagnose", "billing", "reply"}


def test_the_workflow_chosen_when_a_test_starts_is_the_one_run(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    # As in the web UI: options are parsed at init, then the start form changes them.
    simulator = start_simulator(ttft_ms=10, itl_ms=1, output_tokens=4, seed=5)
    args = ["--host", simulator.url, "--report-dir", str(tmp_path)]
    options = get_parser(default_config_files=[]).parse_args([*args, "--workflow", "all"])
    environment = Environment(
        user_classes=[AgentUser], events=events, host=simulator.url, parsed_options=options
    )
    environment.stop_timeout = 10
    runner = environment.create_local_runner()
    events.init.fire(environment=environment, runner=runner, web_ui=None)
    options.workflow = "incident-response"
    runner.start(2, spawn_rate=2)
    gevent.spawn_later(2.0, runner.quit)
    assert runner.greenlet is not None
    runner.greenlet.join()

    records = list(read_records([tmp_path / "records.jsonl"]))
    assert records
    assert {record.tags["workflow"] for record in records} == {"incident-response"}
