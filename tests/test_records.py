from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest

from harness.contracts import ErrorInfo, RequestRecord, Usage
from harness.records import (
    JsonlRecordWriter,
    RecordFileError,
    TruncatedRecordWarning,
    read_records,
)


def sample(index: int, **overrides: Any) -> RequestRecord:
    fields: dict[str, Any] = {
        "request_id": f"req-{index}",
        "attempt": 1,
        "started_at": 1_700_000_000.0 + index,
        "target": "alpha",
        "provider": "openai",
        "model": "gpt-test",
        "stream": True,
        "ok": True,
        "ttft_s": 0.125,
        "e2e_s": 1.5,
        "itl_buckets": {-350: 4, -340: 2},
        "itl_sum_s": 0.2,
        "itl_min_s": 0.01,
        "itl_max_s": 0.05,
        "usage": Usage(input_tokens=10, output_tokens=7, source="estimated"),
        "tags": {"role": "planner"},
    }
    fields.update(overrides)
    return RequestRecord(**fields)


def failed_sample(index: int) -> RequestRecord:
    error = ErrorInfo(kind="rate_limited", message="429", http_status=429, retry_after_s=2.0)
    return sample(index, ok=False, error=error, usage=None, itl_buckets={})


def test_written_records_read_back_equal(tmp_path):
    path = tmp_path / "deep" / "dir" / "records.jsonl"
    records = [sample(1), failed_sample(2), sample(3, stream=False)]

    with JsonlRecordWriter(path) as writer:
        for record in records:
            writer.write(record)

    assert writer.written == 3
    assert list(read_records([path])) == records


def test_usage_estimate_and_rate_limit_round_trip(tmp_path):
    path = tmp_path / "records.jsonl"
    record = sample(
        1,
        usage=Usage(input_tokens=10, output_tokens=7),
        usage_estimate=Usage(input_tokens=9, output_tokens=7, source="estimated"),
        rate_limit={"remaining_requests": 4, "remaining_tokens": None, "reset_tokens_s": 0.5},
    )
    with JsonlRecordWriter(path) as writer:
        writer.write(record)

    (revived,) = read_records([path])
    assert revived == record
    assert isinstance(revived.usage_estimate, Usage)


def test_records_written_before_usage_estimates_still_load(tmp_path):
    data = sample(1).to_dict()
    del data["usage_estimate"], data["rate_limit"]
    path = tmp_path / "old.jsonl"
    path.write_bytes(orjson.dumps(data) + b"\n")

    (revived,) = read_records([path])
    assert revived.usage_estimate is None and revived.rate_limit is None
    assert revived.usage == sample(1).usage


def test_each_record_is_on_disk_before_the_writer_closes(tmp_path):
    path = tmp_path / "records.jsonl"
    writer = JsonlRecordWriter(path)
    writer.write(sample(1))
    writer.write(sample(2))

    assert path.read_bytes().count(b"\n") == 2
    assert [r.request_id for r in read_records([path])] == ["req-1", "req-2"]
    writer.close()


def test_writer_truncates_unless_appending(tmp_path):
    path = tmp_path / "records.jsonl"
    with JsonlRecordWriter(path) as writer:
        writer.write(sample(1))
    with JsonlRecordWriter(path) as writer:
        writer.write(sample(2))
    with JsonlRecordWriter(path, append=True) as writer:
        writer.write(sample(3))

    assert [r.request_id for r in read_records([path])] == ["req-2", "req-3"]


def test_several_files_and_gzip_are_read_in_turn(tmp_path):
    plain = tmp_path / "worker-1.jsonl"
    with JsonlRecordWriter(plain) as writer:
        writer.write(sample(1))
    packed = tmp_path / "worker-2.jsonl.gz"
    with gzip.open(packed, "wb") as out:
        for index in (2, 3):
            out.write(orjson.dumps(sample(index).to_dict()) + b"\n")

    ids = [r.request_id for r in read_records([str(plain), packed])]

    assert ids == ["req-1", "req-2", "req-3"]


def write_lines(path: Path, *lines: bytes) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def good_line(index: int) -> bytes:
    return orjson.dumps(sample(index).to_dict()) + b"\n"


def test_a_truncated_last_line_is_skipped_and_reported(tmp_path):
    cut = good_line(3)[:40]
    path = write_lines(tmp_path / "killed.jsonl", good_line(1), good_line(2), cut)
    reported: list[str] = []

    records = list(read_records([path], on_truncated=reported.append))

    assert [r.request_id for r in records] == ["req-1", "req-2"]
    assert len(reported) == 1
    assert reported[0].startswith(f"{path}:3: truncated last line")


def test_a_truncated_last_line_warns_by_default(tmp_path):
    path = write_lines(tmp_path / "killed.jsonl", good_line(1), b'{"request_id": "re')

    with pytest.warns(TruncatedRecordWarning, match=r"killed\.jsonl:2:"):
        records = list(read_records([path]))

    assert len(records) == 1


def test_a_malformed_middle_line_names_file_and_line(tmp_path):
    path = write_lines(tmp_path / "bad.jsonl", good_line(1), b"{not json\n", good_line(3))

    with pytest.raises(RecordFileError, match=rf"^{path}:2: invalid JSON"):
        list(read_records([path]))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b"[1, 2]\n", "expected a JSON object, got list"),
        (b'{"request_id": "x"}\n', "not a RequestRecord"),
        (
            orjson.dumps({**sample(1).to_dict(), "started_at": "yesterday"}) + b"\n",
            "started_at must be a number",
        ),
        (orjson.dumps({**sample(1).to_dict(), "ok": "yes"}) + b"\n", "ok must be true or false"),
        (
            orjson.dumps({**sample(1).to_dict(), "itl_buckets": {"x": 1}}) + b"\n",
            "not a RequestRecord",
        ),
    ],
)
def test_a_wrong_record_says_what_was_wrong(tmp_path, line, problem):
    path = write_lines(tmp_path / "wrong.jsonl", good_line(1), line, good_line(2))

    with pytest.raises(RecordFileError) as caught:
        list(read_records([path]))

    assert str(caught.value).startswith(f"{path}:2: {problem}")


def test_a_malformed_last_line_with_its_newline_is_an_error(tmp_path):
    path = write_lines(tmp_path / "bad.jsonl", good_line(1), b"{oops}\n")

    with pytest.raises(RecordFileError, match=":2:"):
        list(read_records([path]))


def test_blank_lines_are_ignored(tmp_path):
    path = write_lines(tmp_path / "blank.jsonl", good_line(1), b"\n", b"  \n", good_line(2))
    assert len(list(read_records([path]))) == 2


def test_a_cut_gzip_stream_keeps_what_it_could_read(tmp_path):
    packed = gzip.compress(b"".join(good_line(i) for i in range(200)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) - 20])
    reported: list[str] = []

    records = list(read_records([path], on_truncated=reported.append))

    assert 0 < len(records) < 200
    assert len(reported) == 1 and "cut short" in reported[0]


def test_writer_bytes_equal_the_documented_dict_form(tmp_path) -> None:
    """The fast path (orjson on the dataclass) writes exactly what to_dict() describes."""
    import orjson as _orjson

    from harness.contracts import ErrorInfo, RequestRecord, Usage
    from harness.records import JsonlRecordWriter

    record = RequestRecord(
        "id", 2, 1.5, "t", "openai", "m", True, False,
        tags={"role": "r"}, error=ErrorInfo("server", "boom", 500, True, 1.0),
        itl_buckets={-300: 3, 12: 1}, usage=Usage(3, 4), cost={"total": "0.1", "currency": "USD"},
    )  # fmt: skip
    with JsonlRecordWriter(tmp_path / "r.jsonl") as writer:
        writer.write(record)
    line = (tmp_path / "r.jsonl").read_bytes()
    assert line == _orjson.dumps(record.to_dict()) + b"\n"


def test_gzip_writer_round_trips_and_compresses(tmp_path):
    plain, packed = tmp_path / "records.jsonl", tmp_path / "records.jsonl.gz"
    records = [sample(i) if i % 5 else failed_sample(i) for i in range(500)]
    with JsonlRecordWriter(plain) as a, JsonlRecordWriter(packed, gzip=True) as b:
        for record in records:
            a.write(record)
            b.write(record)

    assert list(read_records([packed])) == records
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    assert packed.stat().st_size < plain.stat().st_size / 3


def test_gzip_writer_hands_every_line_to_the_os_before_closing(tmp_path):
    """A killed run (no gzip trailer) still reads back every record written."""
    path = tmp_path / "records.jsonl.gz"
    writer = JsonlRecordWriter(path, gzip=True)
    for i in range(50):
        writer.write(sample(i))
    copy = tmp_path / "killed.jsonl.gz"
    copy.write_bytes(path.read_bytes())  # what a crash would leave on disk
    writer.close()
    reported: list[str] = []

    records = list(read_records([copy], on_truncated=reported.append))

    assert [r.request_id for r in records] == [f"req-{i}" for i in range(50)]
    assert len(reported) == 1 and "cut short" in reported[0]


def test_gzip_file_cut_mid_line_keeps_every_complete_line(tmp_path):
    path = tmp_path / "records.jsonl.gz"
    with JsonlRecordWriter(path, gzip=True) as writer:
        for i in range(300):
            writer.write(sample(i))
    data = path.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    for size in (len(data) // 3, len(data) // 2, len(data) - 30):
        cut.write_bytes(data[:size])
        complete = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:size]).count(b"\n")

        records = list(read_records([cut], on_truncated=lambda message: None))

        assert len(records) == complete > 0
