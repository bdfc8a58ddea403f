"""The built-in workloads: synthetic (distributions, shared prefix), dataset and pack."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from locust.argument_parser import get_parser

import harness.locust  # noqa: F401  (adds the harness's options to Locust's parser)
from harness.contracts import ChatRequest, RequestSource, WorkloadSettings
from harness.errors import HarnessConfigError
from harness.mock.tokens import count_input_tokens
from harness.plugins import PluginHost, PluginSettings

HOST = PluginHost(PluginSettings())


def source(name: str, seed: int | None = 3, **options: Any) -> RequestSource:
    settings = WorkloadSettings(
        model="sim-gpt",
        prompt_tokens=128,
        max_tokens=64,
        options={"workload_seed": seed, **options},
    )
    return HOST.workloads.get(name).create(settings)


def requests(workload: RequestSource, count: int) -> list[ChatRequest]:
    return [workload.next_request() for _ in range(count)]


def words(request: ChatRequest) -> list[str]:
    return " ".join(str(m["content"]) for m in request.messages).split()


def test_synthetic_defaults_keep_fixed_prompt_and_max_tokens() -> None:
    sent = requests(source("synthetic"), 50)
    assert {count_input_tokens(r.messages) for r in sent} == {128}
    assert {r.max_tokens for r in sent} == {64}
    # Prompts start at random places in a ring of 4,096 words: few start alike.
    assert len({tuple(words(r)[:8]) for r in sent}) >= 45


def test_synthetic_lengths_follow_the_distributions() -> None:
    workload = source("synthetic", prompt_dist="lognormal:300,1", output_dist="uniform:10-20")
    sent = requests(workload, 4000)
    prompt_lengths = [count_input_tokens(r.messages) for r in sent]
    assert statistics.median(prompt_lengths) == pytest.approx(300, rel=0.06)
    assert max(prompt_lengths) > 4096  # longer than the word ring: it wraps
    outputs = [r.max_tokens or 0 for r in sent]
    assert min(outputs) == 10 and max(outputs) == 20
    assert statistics.fmean(outputs) == pytest.approx(15, rel=0.03)


def test_synthetic_seed_repeats_per_user_and_users_differ() -> None:
    settings = WorkloadSettings(
        "m", 128, 64, options={"workload_seed": 9, "prompt_dist": "uniform:5-50"}
    )

    def first_users() -> list[list[Any]]:
        # A fresh workload numbers its users from 0 again, as a new run does.
        workload = type(HOST.workloads.get("synthetic"))()
        users = [workload.create(settings) for _ in range(2)]
        return [[r.messages for r in requests(user, 5)] for user in users]

    run, rerun = first_users(), first_users()
    assert run == rerun
    assert run[0] != run[1]


def test_shared_prefix_fraction_and_identical_prefix_across_users() -> None:
    options: dict[str, Any] = {"prompt_dist": "uniform:100-900", "shared_prefix": "30:512"}
    users = [source("synthetic", **options) for _ in range(4)]
    sent = [request for user in users for request in requests(user, 1000)]
    prefixes = [tuple(words(r)[:512]) for r in sent]
    common, _ = Counter(prefixes).most_common(1)[0]
    shared = [r for r, prefix in zip(sent, prefixes, strict=True) if prefix == common]
    assert len(shared) / len(sent) == pytest.approx(0.30, abs=0.03)
    # Each shared prompt keeps its drawn length, with at least one fresh word after the prefix.
    assert all(513 <= count_input_tokens(r.messages) <= 900 for r in shared)
    assert min(count_input_tokens(r.messages) for r in sent) < 200


def test_synthetic_rejects_bad_options_when_created() -> None:
    with pytest.raises(HarnessConfigError, match=r"--output-dist 'uniform:9-1': expected LO <= HI"):
        source("synthetic", output_dist="uniform:9-1")
    with pytest.raises(HarnessConfigError, match=r"--shared-prefix '130:5': expected PCT from 0"):
        source("synthetic", shared_prefix="130:5")


def write_dataset(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


ROWS: list[dict[str, Any]] = [
    {"messages": [{"role": "user", "content": "one two three"}], "max_tokens": 7},
    {
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "four five"}]},
        ]
    },
    {"messages": [{"role": "user", "content": "six"}], "max_tokens": 3},
]


def test_dataset_cycles_every_row_per_pass_in_a_user_order(tmp_path: Path) -> None:
    path = write_dataset(tmp_path / "prompts.jsonl", ROWS)
    workload = source("dataset", dataset=str(path), output_dist="fixed:11")
    sent = requests(workload, 30)
    expected = sorted(json.dumps(row["messages"]) for row in ROWS)
    for start in range(0, 30, 3):
        assert sorted(json.dumps(r.messages) for r in sent[start : start + 3]) == expected
    by_text = {json.dumps(r.messages): r.max_tokens or 0 for r in sent}
    # max_tokens from the row, else drawn from --output-dist.
    assert sorted(by_text.values()) == [3, 7, 11]
    assert {r.tags["scenario"] for r in sent} == {"dataset"}
    # Another user walks the rows in another order.
    other = requests(source("dataset", dataset=str(path)), 30)
    assert [r.messages for r in other] != [r.messages for r in sent]


def test_dataset_is_read_once_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_dataset(tmp_path / "prompts.jsonl", ROWS)
    first = source("dataset", dataset=str(path))
    opened: list[Path] = []
    original = Path.open

    def counting_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    second = source("dataset", dataset=str(path))
    assert opened == []
    assert first.rows is second.rows  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "expected a JSON object"),
        ("[1, 2]", 'expected a JSON object with "messages"'),
        ('{"messages": []}', 'expected "messages": a non-empty list'),
        ('{"messages": ["hi"]}', 'messages[0]: expected an object with "role"'),
        ('{"messages": [{"role": "robot", "content": "x"}]}', 'messages[0]: expected "role"'),
        ('{"messages": [{"role": "user", "content": 5}]}', 'expected "content" a string'),
        ('{"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}', '"max_tokens"'),
    ],
)
def test_bad_dataset_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n\n" + line + "\n")
    with pytest.raises(HarnessConfigError) as error:
        source("dataset", dataset=str(path))
    assert str(error.value).startswith(f"{path}:3: ")
    assert message in str(error.value)


def test_dataset_needs_a_file(tmp_path: Path) -> None:
    with pytest.raises(HarnessConfigError, match="--workload dataset needs --dataset"):
        source("dataset")
    with pytest.raises(HarnessConfigError, match="no such dataset file"):
        source("dataset", dataset=str(tmp_path / "missing.jsonl"))
    with pytest.raises(HarnessConfigError, match="expected at least one prompt line"):
        source("dataset", dataset=str(write_dataset(tmp_path / "empty.jsonl", [])))


def test_bad_options_stop_the_command_line_before_any_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"messages": "hello"}\n')
    for args, message in (
        (["--dataset", str(path)], f"argument --dataset: {path}:1: expected"),
        (["--prompt-dist", "uniform:1"], "argument --prompt-dist: --prompt-dist 'uniform:1'"),
        (["--shared-prefix", "x"], "argument --shared-prefix: --shared-prefix 'x': expected"),
    ):
        with pytest.raises(SystemExit):
            get_parser(default_config_files=[]).parse_args(args)
        assert message in capsys.readouterr().err


@pytest.mark.parametrize("pack", ["coding", "support", "analysis"])
def test_packs_load_with_a_few_dozen_prompts(pack: str) -> None:
    workload = source("pack", prompt_pack=pack)
    sent = requests(workload, 24)
    assert len(workload.rows) >= 20  # type: ignore[attr-defined]
    assert {r.tags["scenario"] for r in sent} == {"pack"}
    assert all(r.messages[0]["role"] == "system" and r.messages[-1]["role"] == "user" for r in sent)
    assert all(len(words(r)) >= 20 and (r.max_tokens or 0) >= 64 for r in sent)


def test_unknown_pack_lists_the_packs() -> None:
    with pytest.raises(HarnessConfigError, match="--prompt-pack 'legal': expected one of analysis"):
        source("pack", prompt_pack="legal")
    with pytest.raises(HarnessConfigError, match="--workload pack needs --prompt-pack"):
        source("pack")
