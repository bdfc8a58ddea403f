"""Trace files: rows in time order, offsets from the earliest, precise errors."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from harness.arrivals.trace import load_trace, trace_request
from harness.errors import HarnessConfigError


def write(path: Path, *lines: object) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    )
    return path


def test_absolute_timestamps_become_offsets_in_time_order(tmp_path: Path) -> None:
    trace = write(
        tmp_path / "t.jsonl",
        {"timestamp": 1_700_000_002.5, "input_tokens": 10, "output_tokens": 5, "model": "m2"},
        "",
        {"timestamp": 1_700_000_000, "input_tokens": 3, "output_tokens": 7, "extra": [1]},
    )

    rows = load_trace(trace)

    assert [(r.line, r.offset_s, r.input_tokens, r.output_tokens) for r in rows] == [
        (3, 0.0, 3, 7),
        (1, 2.5, 10, 5),
    ]
    assert rows[1].model == "m2"


def test_a_row_becomes_its_messages_or_a_prompt_of_its_size(tmp_path: Path) -> None:
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    trace = write(
        tmp_path / "t.jsonl",
        {"timestamp": 0, "input_tokens": 12, "output_tokens": 4},
        {"timestamp": 1, "input_tokens": 2, "output_tokens": 9, "messages": messages},
    )
    synthetic, given = (
        trace_request(row, "sim-gpt", True, random.Random(0)) for row in load_trace(trace)
    )

    assert len(synthetic.messages[0]["content"].split()) == 12
    assert (synthetic.max_tokens, synthetic.model) == (4, "sim-gpt")
    assert given.messages == messages
    assert given.max_tokens == 9


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"t.jsonl:2: expected a JSON object: "),
        ("[1, 2]", r't.jsonl:2: expected a JSON object with "timestamp"'),
        ('{"input_tokens": 1, "output_tokens": 1}', r"t.jsonl:2: key 'timestamp'"),
        ('{"timestamp": "x", "input_tokens": 1, "output_tokens": 1}', r"key 'timestamp'"),
        ('{"timestamp": 1, "output_tokens": 1}', r"t.jsonl:2: key 'input_tokens': expected"),
        ('{"timestamp": 1, "input_tokens": 1, "output_tokens": -2}', r"key 'output_tokens'"),
        ('{"timestamp": 1, "input_tokens": 1.5, "output_tokens": 2}', r"key 'input_tokens'"),
        ('{"timestamp": 1, "input_tokens": 1, "output_tokens": 1, "messages": []}', "'messages'"),
        (
            '{"timestamp": 1, "input_tokens": 1, "output_tokens": 1, "messages": [{"role": "x"}]}',
            r"t.jsonl:2: key 'messages'\[0\]",
        ),
        ('{"timestamp": 1, "input_tokens": 1, "output_tokens": 1, "model": 3}', "key 'model'"),
    ],
)
def test_bad_rows_name_file_line_and_key(tmp_path: Path, line: str, message: str) -> None:
    trace = write(
        tmp_path / "t.jsonl", {"timestamp": 0, "input_tokens": 1, "output_tokens": 1}, line
    )

    with pytest.raises(HarnessConfigError, match=message):
        load_trace(trace)


def test_an_empty_or_missing_trace_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessConfigError, match="no rows"):
        load_trace(write(tmp_path / "empty.jsonl", ""))
    with pytest.raises(HarnessConfigError, match="cannot read"):
        load_trace(tmp_path / "missing.jsonl")
