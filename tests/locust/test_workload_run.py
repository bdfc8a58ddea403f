"""Issue acceptance: a local run with --workload dataset sends exactly the dataset's prompts."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from locust.env import Environment

from harness.mock.process import SimulatorProcess
from harness.records import read_records

StartSimulator = Callable[..., SimulatorProcess]
RunHeadless = Callable[..., Environment]

# Each row asks for its own max_tokens, so a record's output count says which row it sent.
ROWS: list[dict[str, Any]] = [
    {"messages": [{"role": "user", "content": "why is the queue slow"}], "max_tokens": 4},
    {
        "messages": [
            {"role": "system", "content": "answer as a terse on call engineer"},
            {"role": "user", "content": "the p99 doubled after deploy what changed"},
        ],
        "max_tokens": 6,
    },
    {"messages": [{"role": "user", "content": "summarize the incident"}], "max_tokens": 9},
]
WORDS_BY_MAX_TOKENS = {
    row["max_tokens"]: sum(len(m["content"].split()) for m in row["messages"]) for row in ROWS
}


@pytest.mark.slow
def test_dataset_prompts_are_what_the_simulator_counted(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    dataset = tmp_path / "prompts.jsonl"
    dataset.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    simulator = start_simulator(ttft_ms=20, itl_ms=2, seed=3)
    args = ["--host", simulator.url, "--report-dir", str(tmp_path / "report")]
    args += ["--workload", "dataset", "--dataset", str(dataset), "--workload-seed", "1"]
    run_headless(args, 4, 3, host=simulator.url)

    served = simulator.stats()
    records = list(read_records([tmp_path / "report" / "records.jsonl"]))
    assert len(records) == served["chat_requests"] > 30
    assert all(r.ok and r.usage is not None for r in records)
    sent = Counter(r.usage.output_tokens for r in records if r.usage)
    assert set(sent) == set(WORDS_BY_MAX_TOKENS)
    # Rows cycle: each is sent once per pass, so no row lags by more than one pass per user.
    assert max(sent.values()) - min(sent.values()) <= 4
    for record in records:
        assert record.usage is not None
        assert record.usage.input_tokens == WORDS_BY_MAX_TOKENS[record.usage.output_tokens]
    expected = sum(WORDS_BY_MAX_TOKENS[tokens] * count for tokens, count in sent.items())
    assert served["input_tokens"] == expected
