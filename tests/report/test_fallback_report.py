"""Fallbacks and routing in summary.json, report.html and the console summary."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest

from harness.metrics.aggregate import RunAggregate
from harness.report.console import format_console_summary
from harness.report.formatting import (
    format_count,
    format_counts,
    format_money,
    format_ms,
    format_percent,
)
from harness.report.html_report import FALLBACK_LATENCIES, RETRY_QUANTILES
from harness.report.render import write_reports
from harness.report.summary import build_summary

#: The fallbacks table's cells from the retries block, with how each is shown.
RETRY_CELLS: tuple[tuple[str, Callable[[Any], str]], ...] = (
    ("routed", format_count),
    ("routed_rate", format_percent),
    ("fallback_attempts", format_count),
    ("fallback_rate", format_percent),
    ("fallbacks_from", format_counts),
)


class TableCells(HTMLParser):
    """(row target, data-key) -> text of the cells of the table with one id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.cells: dict[tuple[str, str], str] = {}
        self._inside = False
        self._target = ""
        self._key: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "table":
            self._inside = attributes.get("id") == self.table_id
        if self._inside and tag == "tr":
            self._target = attributes.get("data-target", "")
        if self._inside and self._target and tag == "td" and "data-key" in attributes:
            self._key, self._text = attributes["data-key"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._key is not None:
            self.cells[(self._target, self._key)] = "".join(self._text).strip()
            self._key = None
        if tag == "table":
            self._inside = False

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def fallback_cells(summary: dict[str, Any], directory) -> tuple[str, dict[tuple[str, str], str]]:
    write_reports(summary, directory)
    html = (directory / "report.html").read_text(encoding="utf-8")
    reader = TableCells("fallbacks")
    reader.feed(html)
    reader.close()
    return html, reader.cells


def test_retries_block_counts_fallbacks_and_routing(fallback_summary):
    overall = fallback_summary["overall"]["retries"]
    claude = fallback_summary["targets"]["claude"]["retries"]
    relay = fallback_summary["targets"]["relay"]["retries"]
    gpt = fallback_summary["targets"]["gpt"]["retries"]

    assert (overall["fallback_attempts"], overall["routed"]) == (4, 1)
    assert (overall["fallback_rate"], overall["routed_rate"]) == (0.75, 0.25)
    assert overall["fallbacks_from"] == {"gpt": 3}
    assert (claude["fallback_attempts"], claude["fallbacks_from"]) == (3, {"gpt": 2})
    assert claude["fallback_rate"] == pytest.approx(2 / 3)
    assert claude["routed_rate"] == pytest.approx(1 / 3)
    assert (relay["fallback_rate"], relay["fallbacks_from"]) == (1.0, {"gpt": 1})
    # gpt ended no logical request: its rates do not exist.
    assert (gpt["fallback_rate"], gpt["routed_rate"], gpt["fallbacks_from"]) == (None, None, {})


def test_fallback_latency_and_cost_blocks(fallback_summary):
    claude = fallback_summary["targets"]["claude"]
    fallen = claude["latency"]["fallback_logical_e2e"]
    assert (fallen["count"], fallen["min"], fallen["max"]) == (2, 2.0, 3.0)
    assert claude["latency"]["logical_e2e"]["count"] == 3

    assert fallback_summary["overall"]["cost"]["fallback_cost"] == "0.0012301"
    assert Decimal(claude["cost"]["fallback_cost"]) == Decimal("0.0012301")
    # relay's one fallback attempt had no price; gpt had no fallback attempt.
    assert fallback_summary["targets"]["relay"]["cost"]["fallback_cost"] is None
    assert fallback_summary["targets"]["gpt"]["cost"]["fallback_cost"] is None


def test_runs_without_fallbacks_have_zero_rates_and_no_fallback_cost(retry_summary, cost_summary):
    retries = retry_summary["overall"]["retries"]
    assert (retries["fallback_rate"], retries["routed_rate"], retries["fallbacks_from"]) == (
        0.0,
        0.0,
        {},
    )
    assert retry_summary["overall"]["latency"]["fallback_logical_e2e"]["count"] == 0
    assert cost_summary["overall"]["cost"]["fallback_cost"] is None


def test_fallbacks_table_matches_the_summary(fallback_summary, tmp_path):
    html, cells = fallback_cells(fallback_summary, tmp_path)

    assert "No fallbacks and no routed requests." not in html
    blocks = {**fallback_summary["targets"], "overall": fallback_summary["overall"]}
    latencies = [(key, q) for key, _ in FALLBACK_LATENCIES for q in RETRY_QUANTILES]
    for name, block in blocks.items():
        expected = {key: show(block["retries"][key]) for key, show in RETRY_CELLS}
        expected["fallback_cost"] = format_money(block["cost"]["fallback_cost"])
        expected |= {f"{k}_{q}": format_ms(block["latency"][k][q]) for k, q in latencies}
        assert {key: cells[(name, key)] for key in expected} == expected, name
    assert cells[("claude", "fallbacks_from")] == "gpt 2"
    assert cells[("overall", "fallback_rate")] == "75.00%"
    assert cells[("relay", "fallback_cost")] == "-"


def test_fallbacks_table_is_one_note_without_fallbacks_or_routing(retry_summary, tmp_path):
    html, cells = fallback_cells(retry_summary, tmp_path)

    assert cells == {}
    assert 'id="fallbacks"' in html
    assert "No fallbacks and no routed requests." in html


def test_routing_alone_shows_the_table(fallback_records, run_info, tmp_path):
    aggregate = RunAggregate()
    aggregate.add_all(record for record in fallback_records if record.routed_by)
    summary = build_summary(aggregate, run_info)

    html, cells = fallback_cells(summary, tmp_path)

    assert cells[("claude", "routed_rate")] == "100.00%"
    assert cells[("claude", "fallback_rate")] == "0.00%"
    # Nothing was retried, so the retries table gives way to its note.
    assert "No retries" in html


def test_console_says_which_target_served_as_fallback_for_which(fallback_summary, summary):
    text = format_console_summary(fallback_summary)

    section = text.split("fallbacks and routing")[1].split("\n\n")[0].splitlines()[1:]
    # gpt neither served a fallback nor was routed to: no line of its own.
    assert [line.split(":")[0] for line in section] == ["  overall", "  claude", "  relay"]
    claude, latency = section[1], fallback_summary["targets"]["claude"]["latency"]
    assert "2 requests (66.67%) served as fallback for gpt 2" in claude
    assert "3 fallback attempts costing 0.00123; 1 routed (33.33%)" in claude
    fallen, logical = latency["fallback_logical_e2e"]["p50"], latency["logical_e2e"]["p50"]
    assert f"E2E p50 {format_ms(fallen)} vs {format_ms(logical)}" in claude

    assert "fallbacks and routing" not in format_console_summary(summary)
