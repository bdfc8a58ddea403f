from __future__ import annotations

import orjson

from harness.records import JsonlRecordWriter
from harness.report.rebuild import rebuild_reports


def write_records(path, records) -> None:
    with JsonlRecordWriter(path) as writer:
        for record in records:
            writer.write(record)


def test_rebuilding_from_jsonl_gives_the_same_summary(run_records, run_info, summary, tmp_path):
    write_records(tmp_path / "records.jsonl", run_records)

    rebuilt = rebuild_reports([tmp_path / "records.jsonl"], tmp_path / "report", run_info)

    assert rebuilt == summary
    assert orjson.loads((tmp_path / "report" / "summary.json").read_bytes()) == summary
    assert (tmp_path / "report" / "report.html").exists()


def test_worker_files_merge_into_the_same_summary(run_records, run_info, summary, tmp_path):
    write_records(tmp_path / "w1.jsonl", run_records[::2])
    write_records(tmp_path / "w2.jsonl", run_records[1::2])

    rebuilt = rebuild_reports([tmp_path / "w1.jsonl", tmp_path / "w2.jsonl"], tmp_path, run_info)

    # Only histogram sums could differ (float addition order); counts and buckets cannot.
    assert rebuilt["overall"]["requests"] == summary["overall"]["requests"]
    assert rebuilt["targets"].keys() == summary["targets"].keys()
    assert rebuilt["timeseries"] == summary["timeseries"]
    for name, hist in summary["histograms"].items():
        assert rebuilt["histograms"][name]["buckets"] == hist["buckets"]


def test_run_info_is_derived_from_the_records(run_records, tmp_path):
    write_records(tmp_path / "records.jsonl", run_records)

    rebuilt = rebuild_reports([tmp_path / "records.jsonl"], tmp_path / "report")

    run = rebuilt["run"]
    assert run["started_at"] == min(r.started_at for r in run_records)
    assert run["ended_at"] == max(r.started_at + (r.e2e_s or 0) for r in run_records)
    assert [t["name"] for t in run["targets"]] == ["alpha", "beta"]
    assert run["targets"][0]["model"] == "sim-small"
    assert run["stream"] is True
    assert run["partial"] is False


def test_a_truncated_file_makes_the_run_partial(run_records, run_info, tmp_path):
    path = tmp_path / "records.jsonl"
    write_records(path, run_records)
    with open(path, "ab") as killed:
        killed.write(b'{"request_id": "half')

    rebuilt = rebuild_reports([path], tmp_path / "report", run_info)

    assert rebuilt["run"]["partial"] is True
    assert rebuilt["overall"]["requests"] == len(run_records)
    assert any(f"{path}:{len(run_records) + 1}:" in w for w in rebuilt["run"]["warnings"])
    assert "partial-banner" in (tmp_path / "report" / "report.html").read_text()


def test_cost_rebuilt_from_worker_files_is_exactly_the_same(cost_records, cost_summary, tmp_path):
    write_records(tmp_path / "w1.jsonl", cost_records[::2])
    write_records(tmp_path / "w2.jsonl", cost_records[1::2])

    rebuilt = rebuild_reports([tmp_path / "w1.jsonl", tmp_path / "w2.jsonl"], tmp_path)

    assert rebuilt["overall"]["cost"] == cost_summary["overall"]["cost"]
    for grouping in ("targets", "models"):
        for name, block in cost_summary[grouping].items():
            assert rebuilt[grouping][name]["cost"] == block["cost"], name
    html = (tmp_path / "report.html").read_text()
    assert "currency: CNY (as recorded; the FX rates used are not known" in html
