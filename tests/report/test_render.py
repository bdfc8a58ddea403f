from __future__ import annotations

import os
import re
from html.parser import HTMLParser

import orjson
import pytest
from jinja2 import UndefinedError

from harness.metrics.aggregate import RunAggregate
from harness.report import render
from harness.report.formatting import format_count, format_ms, format_percent, format_ratio
from harness.report.html_report import RETRY_LATENCIES
from harness.report.render import write_reports
from harness.report.summary import build_summary
from harness.report.time_charts import errors_by_kind_chart


class ReportReader(HTMLParser):
    """Collects what the tests check: card values, table cells, links, elements."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, str] = {}
        self.latency: dict[tuple[str, str, str, str], str] = {}
        #: (target, data-key) -> (text, class) of the cells in rows without a metric
        #: (the volume and retries tables; their keys differ).
        self.volume: dict[tuple[str, str], tuple[str, str]] = {}
        self.references: list[str] = []
        self.tags: set[str] = set()
        self.ids: set[str] = set()
        self._card: str | None = None
        self._in_value = False
        self._row: dict[str, str] = {}
        self._cell: str | None = None
        self._volume_target = ""
        self._volume_cell: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.add(tag)
        self.ids.add(attributes.get("id", ""))
        self.references += [attributes[key] for key in ("src", "href") if key in attributes]
        if "card" in attributes.get("class", "").split():
            self._card = attributes["data-key"]
        if self._card and attributes.get("class") == "value":
            self._in_value, self._text = True, []
        if tag == "tr" and "data-metric" in attributes:
            self._row = attributes
        if tag == "td" and self._row and "data-q" in attributes:
            self._cell, self._text = attributes["data-q"], []
        if tag == "tr" and "data-target" in attributes and "data-metric" not in attributes:
            self._volume_target = attributes["data-target"]
        if tag == "td" and self._volume_target and "data-key" in attributes:
            self._volume_cell = (attributes["data-key"], attributes.get("class", ""))
            self._text = []
        if tag == "span" and self._in_value:
            self._in_value = False  # the unit, not the number
            self.cards[self._card or ""] = "".join(self._text).strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._in_value:
            self._in_value = False
            self.cards[self._card or ""] = "".join(self._text).strip()
        if tag == "td" and self._cell:
            key = (self._row["data-scope"], self._row["data-target"], self._row["data-metric"])
            self.latency[(*key, self._cell)] = "".join(self._text).strip()
            self._cell = None
        if tag == "td" and self._volume_cell:
            key, css_class = self._volume_cell
            self.volume[(self._volume_target, key)] = ("".join(self._text).strip(), css_class)
            self._volume_cell = None
        if tag == "tr":
            self._row = {}
            self._volume_target = ""

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def read_report(path) -> ReportReader:
    reader = ReportReader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader


def test_every_file_is_written(summary, tmp_path):
    paths = write_reports(summary, tmp_path / "out")

    assert [p.name for p in paths] == [
        "summary.json",
        "report.html",
        "summary.md",
        "timeseries.csv",
        "targets.csv",
    ]
    assert orjson.loads(paths[0].read_bytes()) == summary
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


def test_headline_cards_show_the_summary_numbers(summary, tmp_path):
    write_reports(summary, tmp_path)
    cards = read_report(tmp_path / "report.html").cards
    overall = summary["overall"]

    assert cards["requests"] == "10"
    assert cards["success_rate"] == "70.00%"
    assert cards["errors"] == "3"
    assert float(cards["ttft_p50"]) == pytest.approx(
        overall["latency"]["ttft"]["p50"] * 1000, abs=0.05
    )
    assert float(cards["ttft_p95"]) == pytest.approx(
        overall["latency"]["ttft"]["p95"] * 1000, abs=0.05
    )
    assert float(cards["output_tokens_per_s"]) == pytest.approx(107 / 9, abs=0.05)


def test_latency_table_cells_match_the_summary(summary, tmp_path):
    write_reports(summary, tmp_path)
    cells = read_report(tmp_path / "report.html").latency

    blocks = {("target", name): block for name, block in summary["targets"].items()}
    blocks[("overall", "overall")] = summary["overall"]
    for (scope, name), block in blocks.items():
        for metric in ("ttft", "itl", "tpot", "e2e"):
            stats = block["latency"][metric]
            assert cells[(scope, name, metric, "count")] == str(stats["count"])
            for q in ("p50", "p90", "p95", "p99", "max"):
                assert cells[(scope, name, metric, q)] == format_ms(stats[q]), (name, metric, q)
    assert float(cells[("target", "beta", "e2e", "max")]) == pytest.approx(2000.0)


def test_report_is_self_contained(summary, tmp_path):
    write_reports(summary, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    reader = read_report(tmp_path / "report.html")

    assert not [ref for ref in reader.references if ref.startswith(("http://", "https://", "//"))]
    assert "script" not in reader.tags
    assert "link" not in reader.tags
    assert "@import" not in html and "url(" not in html
    assert "svg" in reader.tags and "style" in reader.tags


def test_user_text_is_escaped(summary, tmp_path):
    write_reports(summary, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")

    assert "&lt;b&gt;generator was busy&lt;/b&gt;" in html
    assert "<b>generator" not in html


def test_partial_runs_get_a_banner(summary, tmp_path):
    write_reports(summary, tmp_path)
    assert "partial-banner" not in read_report(tmp_path / "report.html").ids

    summary["run"]["partial"] = True
    write_reports(summary, tmp_path)
    assert "partial-banner" in read_report(tmp_path / "report.html").ids


def test_a_distributed_run_lists_its_workers(summary, tmp_path):
    write_reports(summary, tmp_path)
    assert "workers" not in read_report(tmp_path / "report.html").ids

    summary["run"]["workers"] = [
        {
            "name": "box-0",
            "index": 0,
            "state": "finished",
            "last_report_at": 1.7e9,
            "reports": 3,
            "stopped_at": None,
            "stop_reason": None,
        },
        {
            "name": "box-1",
            "index": 1,
            "state": "missing",
            "last_report_at": None,
            "reports": 0,
            "stopped_at": 1.7e9,
            "stop_reason": None,
        },
    ]
    write_reports(summary, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "workers" in read_report(tmp_path / "report.html").ids
    assert '<tr data-worker="box-1"><td>box-1</td><td>missing</td>' in html


def test_a_failing_render_leaves_the_previous_report_intact(summary, tmp_path):
    write_reports(summary, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    del summary["run"]["harness_version"]
    with pytest.raises(UndefinedError):
        write_reports(summary, tmp_path)

    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_failing_replace_leaves_no_temp_file(summary, tmp_path, monkeypatch):
    write_reports(summary, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def refuse(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    summary["overall"]["requests"] = 12345
    with pytest.raises(OSError, match="disk full"):
        write_reports(summary, tmp_path)

    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_files_are_readable_by_others(summary, tmp_path):
    for path in render.write_reports(summary, tmp_path):
        assert path.stat().st_mode & 0o044 == 0o044


def test_a_run_without_records_still_renders(run_info, tmp_path):
    empty = build_summary(RunAggregate(), run_info)

    write_reports(empty, tmp_path)

    reader = read_report(tmp_path / "report.html")
    assert reader.cards["requests"] == "0"
    assert reader.cards["ttft_p50"] == "-"
    assert "no data" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_plugin_sections_are_rendered_after_the_builtin_ones(summary, tmp_path):
    from harness.contracts import ReportSection

    sections = [ReportSection("Queue depth", '<p id="from-plugin">deep</p>', "deep")]
    write_reports(summary, tmp_path, sections)
    html = (tmp_path / "report.html").read_text()
    assert '<section class="plugin-section" data-title="Queue depth">' in html
    assert '<p id="from-plugin">deep</p>' in html
    assert html.index("Queue depth") > html.index("Over time") > 0


def test_usage_diff_is_shown_and_flagged_beyond_the_tolerance(summary, tmp_path):
    write_reports(summary, tmp_path)
    report = tmp_path / "report.html"

    cells = read_report(report).volume
    assert cells[("alpha", "usage_diff_output")] == ("+10.0%", "off-estimate")
    assert cells[("overall", "usage_diff_output")] == ("+10.0%", "off-estimate")
    assert cells[("beta", "usage_diff_output")] == ("-", "")
    assert cells[("alpha", "usage_diff_input")] == ("+0.0%", "")
    assert cells[("beta", "estimated_records")] == ("3", "")


def test_headroom_charts_only_when_the_run_saw_rate_limit_headers(
    summary, run_records, run_info, tmp_path
):
    write_reports(summary, tmp_path / "without")
    assert "rate-limit-headroom" not in read_report(tmp_path / "without" / "report.html").ids

    for index, record in enumerate(run_records):
        record.rate_limit = {"remaining_requests": 100 - index, "remaining_tokens": None}
    aggregate = RunAggregate()
    aggregate.add_all(run_records)
    write_reports(build_summary(aggregate, run_info), tmp_path / "with")

    html = (tmp_path / "with" / "report.html").read_text(encoding="utf-8")
    assert "rate-limit-headroom" in read_report(tmp_path / "with" / "report.html").ids
    assert 'data-series="remaining requests"' in html
    # No response said anything about tokens: no empty tokens chart.
    assert "remaining tokens" not in html


def test_retries_table_matches_the_summary(retry_summary, tmp_path):
    write_reports(retry_summary, tmp_path)
    cells = read_report(tmp_path / "report.html").volume

    blocks = {**retry_summary["targets"], "overall": retry_summary["overall"]}
    for name, block in blocks.items():
        retries = block["retries"]
        shown = {
            "attempts": format_count(retries["attempts"]),
            "logical_requests": format_count(retries["logical_requests"]),
            "amplification": format_ratio(retries["amplification"]),
            "logical_success_rate": format_percent(retries["logical_success_rate"]),
            "retried_requests": format_count(retries["retried_requests"]),
            "succeeded_after_retry": format_count(retries["succeeded_after_retry"]),
            "denied_by_budget": format_count(retries["denied_by_budget"]),
            "limited_attempts": format_count(retries["limited_attempts"]),
        }
        for key, _ in RETRY_LATENCIES:
            for q in ("p50", "p95"):
                shown[f"{key}_{q}"] = format_ms(block["latency"][key][q])
        assert {key: cells[(name, key)][0] for key in shown} == shown, name
    assert cells[("overall", "amplification")][0] == "1.60x"
    assert cells[("beta", "first_attempt_e2e_p50")][0] == "-"
    assert float(cells[("alpha", "limiter_wait_p95")][0]) == pytest.approx(300.0, rel=0.01)


def test_retries_section_is_one_note_when_nothing_was_retried(summary, retry_summary, tmp_path):
    write_reports(summary, tmp_path / "without")
    html = (tmp_path / "without" / "report.html").read_text(encoding="utf-8")
    assert ("overall", "amplification") not in read_report(
        tmp_path / "without" / "report.html"
    ).volume
    assert "No retries, no retries denied by a budget and no rate-limiter waits." in html
    assert 'data-series="retries"' not in html

    write_reports(retry_summary, tmp_path / "with")
    html = (tmp_path / "with" / "report.html").read_text(encoding="utf-8")
    assert "No retries" not in html
    assert 'data-series="retries"' in html


def test_errors_by_kind_over_time_has_a_line_per_kind(retry_summary, tmp_path):
    write_reports(retry_summary, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")

    assert "errors-over-time" in read_report(tmp_path / "report.html").ids
    for kind in ("overloaded", "rate_limited", "server"):
        assert f'data-series="{kind}"' in html


def test_no_errors_chart_without_failures(retry_records, run_info, tmp_path):
    aggregate = RunAggregate()
    aggregate.add_all(record for record in retry_records if record.ok)
    write_reports(build_summary(aggregate, run_info), tmp_path)

    reader = read_report(tmp_path / "report.html")
    assert "errors-over-time" not in reader.ids
    assert ("overall", "amplification") in reader.volume


def test_rare_error_kinds_share_one_line():
    kinds = ["auth", "overloaded", "quota", "rate_limited", "server", "timeout", "protocol"]
    rows = [
        {"t": t, "errors_by_kind": {kind: t + i for i, kind in enumerate(kinds)}} for t in (0, 1)
    ]

    chart = errors_by_kind_chart(rows)

    assert chart is not None
    lines = list(dict.fromkeys(re.findall(r'data-series="([^"]+)"', chart)))
    assert lines == ["protocol", "timeout", "server", "rate_limited", "other kinds"]
    assert errors_by_kind_chart([{"t": 0, "errors_by_kind": {}}]) is None
