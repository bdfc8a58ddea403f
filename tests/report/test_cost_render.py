"""Cost in report.html and on the console: figures, unknown said as unknown, currency and FX."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from harness.metrics.aggregate import RunAggregate
from harness.report.console import format_console_summary
from harness.report.formatting import format_cost, format_money
from harness.report.html_report import render_html
from harness.report.summary import build_summary


class CostCells(HTMLParser):
    """(row, data-key) -> (text, class) for the Cost table, the comparison table and the card."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], tuple[str, str]] = {}
        self._row = ""
        self._cell: tuple[str, str] | None = None
        self._text: list[str] = []
        self._card_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "tr" and "data-group" in attributes:
            self._row = f"{attributes['data-scope']}:{attributes['data-group']}"
        elif tag == "tr" and "data-target" in attributes and "data-scope" not in attributes:
            self._row = f"compared:{attributes['data-target']}"
        if tag == "td" and self._row and "data-key" in attributes:
            self._cell, self._text = (attributes["data-key"], attributes.get("class", "")), []
        if tag == "div" and attributes.get("data-key") == "cost":
            self._card_depth, self._text = 1, []
            self._cell = ("cost", attributes.get("class", ""))
            self._row = "card"
        elif tag == "div" and self._card_depth:
            self._card_depth += 1

    def handle_endtag(self, tag: str) -> None:
        closes_card = tag == "div" and self._card_depth == 1
        if tag == "div" and self._card_depth:
            self._card_depth -= 1
        if (tag == "td" or closes_card) and self._cell:
            key, css_class = self._cell
            text = " ".join("".join(self._text).split())
            self.cells[(self._row, key)] = (text, css_class)
            self._cell = None
        if tag == "tr" or closes_card:
            self._row = ""

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def cells(summary: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    reader = CostCells()
    reader.feed(render_html(summary))
    return reader.cells


def text_of(summary: dict[str, Any]) -> str:
    """The page's text, without tags and with whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", render_html(summary)).split())


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "-"),
        ("0", "0"),
        ("0.0040004", "0.00400"),
        ("0.000511", "0.000511"),
        ("5.3874", "5.39"),
        ("10618.5654", "10,618.57"),
    ],
)
def test_money_is_rounded_only_for_reading(value, shown):
    assert format_money(value) == shown


def test_unknown_cost_reads_unknown_never_zero():
    assert format_cost(None, 2) == "unknown"
    assert format_cost(None, 0) == "-"
    assert format_cost("0.0177622", 2) == "0.0178 + unknown"
    assert format_cost("0", 0) == "0"


def shown(table: dict[tuple[str, str], tuple[str, str]], row: str, **expected: str) -> None:
    """Each data-key of ``row`` reads as expected (text, or "text|css class")."""
    got = {key: "|".join(filter(None, table[(row, key)])) for key in expected}
    assert got == expected, row


def test_cost_table_rows_by_target_and_model(cost_summary):
    table = cells(cost_summary)
    shown(
        table,
        "target:gpt",
        cost_total="0.0162",
        cost_cached_input="0.000511",
        cost_per_1k_requests="5.39",
        cost_per_million_tokens="3.21",
        cost_per_day="349.10",
        cost_per_month="10,618.57",
        unpriced_records="0",
    )
    shown(table, "model:sim-gpt", cost_total="0.0178", priced_records="4")


def test_unpriced_attempts_show_unknown_highlighted_with_a_note(cost_summary):
    table = cells(cost_summary)
    shown(
        table,
        "target:mystery",
        cost_total="unknown",
        cost_per_month="unknown",
        unpriced_records="2|unpriced",
    )
    shown(table, "overall:overall", cost_total="0.0178 + unknown", cost_per_day="unknown")
    html = render_html(cost_summary)
    note = re.search(r'<p class="note unpriced" id="unpriced-note">(.*?)</p>', html, re.S)
    assert note is not None
    assert "<code>mystery-model</code>" in note.group(1)
    assert 'href="#warnings"' in note.group(1)
    assert "no price for model &#39;mystery-model&#39;" in html  # the run warning itself


def test_headline_card_shows_total_currency_and_what_is_unknown(cost_summary):
    assert cells(cost_summary)[("card", "cost")] == ("Cost 0.0178 CNY + unknown", "card bad")


def test_headline_card_of_a_fully_priced_run(cost_summary):
    only_gpt = dict(cost_summary, overall=cost_summary["targets"]["gpt"])
    assert cells(only_gpt)[("card", "cost")] == ("Cost 0.0162 CNY", "card")


def test_a_run_without_usage_has_no_cost_table(summary_without_usage):
    html = render_html(summary_without_usage)
    assert 'id="cost-table">No attempt reported usage' in html
    assert cells(summary_without_usage)[("card", "cost")] == ("Cost -", "card")


def test_currency_and_fx_are_stated(cost_summary):
    text = text_of(cost_summary)
    line = (
        "currency: CNY; USD\u2192CNY 7.3; target relay billed at 1 CNY per unit of "
        "list-price currency"
    )
    assert text.count(line) == 2  # under the Cost table and in the Run section


def test_comparison_table_shows_cost_and_projection(cost_summary):
    table = cells(cost_summary)
    shown(
        table,
        "compared:gpt",
        cost_total="0.0162",
        cost_per_day="349.10",
        cost_per_month="10,618.57",
    )
    shown(table, "compared:relay", cost_per_1k_requests="1.60")
    shown(table, "compared:mystery", cost_total="unknown|unpriced", cost_per_day="unknown|unpriced")
    assert "<th>cost (CNY)</th>" in render_html(cost_summary)


def test_groupings_that_repeat_the_overall_row_are_left_out(summary):
    """One model serves every attempt and no role tags: only target and overall rows."""
    scopes = {row.split(":")[0] for row, _ in cells(summary)}
    assert scopes == {"target", "overall", "card", "compared"}


def test_roles_and_workflows_get_rows_once_requests_are_tagged(cost_records, run_info):
    for record in cost_records[:2]:
        record.tags = {"role": "planner", "workflow": "fix-bug"}
    cost_records[2].tags = {"role": "coder", "workflow": "fix-bug"}
    aggregate = RunAggregate()
    aggregate.add_all(cost_records)
    table = cells(build_summary(aggregate, run_info))

    assert table[("role:planner", "cost_total")] == ("0.0157", "")  # 0.0040004 + 0.01168
    assert table[("role:coder", "cost_total")] == ("0.000482", "")
    # The workflow covers only part of the run, so it says something the overall row does not.
    assert table[("workflow:fix-bug", "cost_total")] == ("0.0162", "")


def test_console_prints_cost_per_target_and_warns_about_unpriced(cost_summary):
    text = format_console_summary(cost_summary)
    lines = text.splitlines()
    header = lines.index(
        "cost (currency: CNY; USD\u2192CNY 7.3; target relay billed at 1 CNY per unit of "
        "list-price currency):"
    )
    assert lines[header + 1 : header + 5] == [
        "  overall: 0.0178 + unknown; per 1k requests unknown, per day unknown, per month unknown",
        "  gpt: 0.0162; per 1k requests 5.39, per day 349.10, per month 10,618.57",
        "  mystery: unknown",
        "  relay: 0.00160; per 1k requests 1.60, per day 138.24, per month 4,204.80",
    ]
    assert lines[header + 5] == (
        "warning: 2 attempts have no price (models: mystery-model): their cost is unknown, "
        "not 0; add prices with [[pricing.models]] in harness.toml or --prices FILE"
    )


def test_console_says_nothing_about_cost_without_usage(summary_without_usage):
    assert "cost (" not in format_console_summary(summary_without_usage)
