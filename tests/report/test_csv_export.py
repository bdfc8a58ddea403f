from __future__ import annotations

import csv
import io

import pytest

from harness.report.csv_export import targets_csv, timeseries_csv


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_timeseries_rows_read_back_as_the_summary(summary):
    rows = read(timeseries_csv(summary["timeseries"]))

    assert len(rows) == len(summary["timeseries"])
    for line, row in zip(rows, summary["timeseries"], strict=True):
        assert int(line["t_s"]) == row["t"]
        assert (int(line["ok"]), int(line["failed"]), int(line["sent"])) == (
            row["ok"],
            row["failed"],
            row["sent"],
        )
        assert float(line["in_flight"]) == pytest.approx(row["in_flight"])
        # No data is an empty cell, never 0.
        assert line["ttft_p50_s"] == ("" if row["ttft_p50"] is None else str(row["ttft_p50"]))
        for kind in ("rate_limited", "server", "timeout"):
            assert int(line[f"failed_{kind}"]) == row["errors_by_kind"].get(kind, 0)


def test_targets_then_overall_with_latency_in_seconds(summary):
    rows = {line["target"]: line for line in read(targets_csv(summary))}

    assert list(rows) == ["alpha", "beta", "overall"]
    for name, block in [*summary["targets"].items(), ("overall", summary["overall"])]:
        assert int(rows[name]["requests"]) == block["requests"]
        assert float(rows[name]["ttft_p95_s"]) == block["latency"]["ttft"]["p95"]
        assert float(rows[name]["e2e_p50_s"]) == block["latency"]["e2e"]["p50"]
    assert rows["overall"]["itl_p50_s"] == ""  # the canned run has no ITL
