"""Several targets in one run: users spread by weight, figures kept apart per target."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from locust.env import Environment

from harness.mock.process import SimulatorProcess
from harness.records import read_records

StartSimulator = Callable[..., SimulatorProcess]
RunHeadless = Callable[..., Environment]

CONFIG = """
[targets.quick]
provider = "openai"
model = "quick-model"

[targets.slow]
provider = "openai"
model = "slow-model"
weight = 3
"""


@pytest.mark.slow
def test_two_targets_with_different_latency(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    quick = start_simulator(ttft_ms=50, itl_ms=5)
    slow = start_simulator(ttft_ms=250, itl_ms=5)
    config = tmp_path / "harness.toml"
    config.write_text(CONFIG)
    args = [
        "--targets", "quick,slow", "--harness-config", str(config),
        "--simulated-targets", json.dumps({"quick": quick.url, "slow": slow.url}),
        "--report-dir", str(tmp_path / "out"), "--max-tokens", "8",
    ]  # fmt: skip
    run_headless(args, users=8, seconds=5)

    records = list(read_records([tmp_path / "out" / "records.jsonl"]))
    per_target = Counter(r.target for r in records)
    assert per_target["quick"] == quick.stats()["chat_requests"] > 0
    assert per_target["slow"] == slow.stats()["chat_requests"] > 0
    assert {r.model for r in records if r.target == "slow"} == {"slow-model"}

    summary = orjson.loads((tmp_path / "out" / "summary.json").read_bytes())
    ttft = {name: block["latency"]["ttft"]["p50"] for name, block in summary["targets"].items()}
    assert ttft["quick"] == pytest.approx(0.050, abs=0.01)
    assert ttft["slow"] == pytest.approx(0.250, abs=0.01)
    assert [t["name"] for t in summary["run"]["targets"]] == ["quick", "slow"]
    # Weight 1:3 over 8 users puts 2 on quick and 6 on slow. Little's law recovers
    # each target's concurrency: completions per second times mean latency.
    for name, users in (("quick", 2), ("slow", 6)):
        block = summary["targets"][name]
        concurrency = block["throughput"]["requests_per_s"] * block["latency"]["e2e"]["mean"]
        assert concurrency == pytest.approx(users, abs=0.5), name


ROUTED = """
[routing]
policy = "prompt-size"
small_target = "mini"
max_input_tokens = 20

[targets.big]
provider = "openai"
model = "big-model"
fallbacks = ["spare"]

[targets.mini]
provider = "openai"
model = "mini-model"

[targets.spare]
provider = "openai"
model = "spare-model"
"""


@pytest.mark.slow
def test_small_prompts_are_routed_and_the_router_is_recorded(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    big = start_simulator(ttft_ms=10, itl_ms=1)
    mini = start_simulator(ttft_ms=10, itl_ms=1)
    spare = start_simulator(ttft_ms=10, itl_ms=1)
    config = tmp_path / "harness.toml"
    config.write_text(ROUTED)
    urls = {"big": big.url, "mini": mini.url, "spare": spare.url}
    args = [
        "--targets", "big", "--harness-config", str(config),
        "--simulated-targets", json.dumps(urls), "--report-dir", str(tmp_path / "out"),
        "--max-tokens", "4", "--prompt-tokens", "10", "--max-requests", "20",
    ]  # fmt: skip
    run_headless(args, users=2, seconds=10)

    records = list(read_records([tmp_path / "out" / "records.jsonl"]))
    assert len(records) == 20
    assert {(r.target, r.model, r.routed_by) for r in records} == {
        ("mini", "mini-model", "prompt-size")
    }
    assert big.stats()["chat_requests"] == spare.stats()["chat_requests"] == 0
    assert mini.stats()["chat_requests"] == 20
