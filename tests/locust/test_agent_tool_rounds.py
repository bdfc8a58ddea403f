"""Issue acceptance: agent steps whose roles have tools run tool rounds in a real Locust run.

The simulator answers every request that offers tools with a call, and the
follow-up carrying the results with text: so each step of a role with tools
takes exactly two requests, and the others one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from locust.env import Environment

from harness.agents.loader import builtin_catalog
from harness.contracts import RequestRecord
from harness.locust import AgentUser
from harness.metrics.record_values import ended_at
from harness.mock.process import SimulatorProcess
from harness.records import read_records

StartSimulator = Callable[..., SimulatorProcess]
RunHeadless = Callable[..., Environment]
TOOL_LATENCY_S = 0.05
RESULT_WORDS = 9


def test_steps_with_tools_follow_their_calls_up_until_a_final_answer(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    simulator = start_simulator(
        ttft_ms=10, itl_ms=2, output_tokens=6, tool_call_rate=1.0, tool_call_tokens=4, seed=4
    )
    args = [
        "--host", simulator.url, "--report-dir", str(tmp_path),
        "--workflow", "incident-response",
        "--tool-latency-ms", str(TOOL_LATENCY_S * 1000),
        "--tool-result-tokens", str(RESULT_WORDS),
    ]  # fmt: skip
    run_headless(args, 2, 3.0, host=simulator.url, user_classes=[AgentUser])
    records = list(read_records([tmp_path / "records.jsonl"]))
    catalog = builtin_catalog()
    workflow = catalog.workflows["incident-response"]
    with_tools = {s.id for s in workflow.steps if catalog.roles[s.role].tools}
    assert with_tools == {"triage", "signals", "database", "mitigate"}

    # workflow run -> step -> its records by tool round
    runs: dict[str, dict[str, dict[int, RequestRecord]]] = defaultdict(lambda: defaultdict(dict))
    for record in records:
        assert record.ok and record.final
        tags = record.tags
        rounds = runs[tags["workflow_run"]][tags["step"]]
        assert int(tags["tool_round"]) not in rounds
        rounds[int(tags["tool_round"])] = record
    finished = [r for r in records if r.workflow_e2e_s is not None]
    assert len(finished) == len(runs) >= 2
    # Workflows x steps equals the distinct steps recorded.
    assert sum(len(steps) for steps in runs.values()) == len(finished) * len(workflow.steps)

    for steps in runs.values():
        assert set(steps) == {step.id for step in workflow.steps}
        for step_id, rounds in steps.items():
            if step_id not in with_tools:
                assert list(rounds) == [0] and rounds[0].finish_reason == "stop"
                continue
            assert sorted(rounds) == [0, 1]
            called, final = rounds[0], rounds[1]
            assert called.finish_reason == "tool_calls" and final.finish_reason == "stop"
            # The tool ran between the two requests.
            assert final.started_at >= ended_at(called) + TOOL_LATENCY_S * 0.9
            # The follow-up carried the call's result: its name and RESULT_WORDS words.
            assert called.usage is not None and final.usage is not None
            assert final.usage.input_tokens == called.usage.input_tokens + 1 + RESULT_WORDS
        # Dependencies wait for the final round of the steps they depend on.
        for step in workflow.steps:
            first = steps[step.id][0]
            for dependency in step.depends_on:
                assert first.started_at >= ended_at(steps[dependency][max(steps[dependency])])

    stats = simulator.stats()
    calls = [r for r in records if r.finish_reason == "tool_calls"]
    assert stats["tool_calls"] == len(calls) == len(runs) * len(with_tools)
    # What the simulator served is what the records say, tool-call tokens included.
    assert stats["output_tokens"] == sum(r.usage.output_tokens for r in records if r.usage)

    summary = json.loads((tmp_path / "summary.json").read_text())
    block = summary["workflows"]["incident-response"]
    assert block["workflows"] == len(finished)
    assert block["requests"] == block["workflows"] * (len(workflow.steps) + len(with_tools))
    for step in workflow.steps:
        per_step = 2 if step.id in with_tools else 1
        assert summary["steps"][f"incident-response/{step.id}"]["requests"] == (
            per_step * block["workflows"]
        )
