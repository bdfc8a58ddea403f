from __future__ import annotations

import pytest

from harness.records import JsonlRecordWriter, RecordFileError
from harness.report import record_scan
from harness.report.record_scan import scan_records
from harness.report.summary import build_summary


def write(path, records, gzip=False):
    with JsonlRecordWriter(path, gzip=gzip) as writer:
        for record in records:
            writer.write(record)


@pytest.fixture
def many_records(run_records):
    """The canned run fifty times over, so a file splits into several slices."""
    return [record for _ in range(50) for record in run_records]


def test_parallel_slices_merge_into_the_sequential_result(
    many_records, run_info, tmp_path, monkeypatch
):
    write(tmp_path / "a.jsonl", many_records)
    write(tmp_path / "b.jsonl.gz", many_records[:40], gzip=True)
    monkeypatch.setattr(record_scan, "PARALLEL_FROM_BYTES", 0)
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"]

    alone = scan_records(paths, processes=1)
    spread = scan_records(paths, processes=3)

    one, other = build_summary(alone.aggregate, run_info), build_summary(spread.aggregate, run_info)
    assert other["overall"]["requests"] == len(many_records) + 40
    for key in ("requests", "ok", "failed", "errors_by_kind", "error_samples", "tokens"):
        assert other["overall"][key] == one["overall"][key], key
    for metric, histogram in one["histograms"].items():
        assert other["histograms"][metric]["buckets"] == histogram["buckets"], metric
    assert [row["ok"] for row in other["timeseries"]] == [row["ok"] for row in one["timeseries"]]
    assert spread.observed.describe() == alone.observed.describe()


def test_a_truncated_tail_is_reported_with_its_real_line_number(
    many_records, tmp_path, monkeypatch
):
    path = tmp_path / "records.jsonl"
    write(path, many_records)
    with path.open("ab") as tail:
        tail.write(b'{"request_id": "cut')
    monkeypatch.setattr(record_scan, "PARALLEL_FROM_BYTES", 0)

    scan = scan_records([path], processes=2)

    assert scan.aggregate.overall.requests == len(many_records)
    assert len(scan.truncated) == 1
    assert scan.truncated[0].startswith(f"{path}:{len(many_records) + 1}: truncated last line")


def test_a_malformed_line_in_a_slice_names_its_real_line(many_records, tmp_path, monkeypatch):
    path = tmp_path / "records.jsonl"
    bad = len(many_records) - 3
    lines = path.parent / "lines"
    write(lines, many_records)
    content = lines.read_bytes().splitlines(keepends=True)
    content[bad - 1] = b'{"not": "a record"}\n'
    path.write_bytes(b"".join(content))
    monkeypatch.setattr(record_scan, "PARALLEL_FROM_BYTES", 0)

    with pytest.raises(RecordFileError, match=rf"records.jsonl:{bad}: not a RequestRecord"):
        scan_records([path], processes=2)
