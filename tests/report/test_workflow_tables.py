"""The HTML report's agent tables: per workflow (E2E, cost per workflow) and per step."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import orjson

from harness.contracts import ErrorInfo, RequestRecord, Usage
from harness.metrics.aggregate import RunAggregate
from harness.report.formatting import format_cost, format_count, format_ms, format_percent
from harness.report.render import write_reports
from harness.report.run_info import RunInfo
from harness.report.summary import build_summary

from .conftest import T0


class RowCells(HTMLParser):
    """(row attribute value, data-key) -> cell text, for rows carrying ``attribute``."""

    def __init__(self, attribute: str) -> None:
        super().__init__()
        self.attribute = attribute
        self.cells: dict[tuple[str, str], str] = {}
        self._row = ""
        self._key = ""
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "tr" and self.attribute in found:
            self._row = found[self.attribute]
        if tag == "td" and self._row and "data-key" in found:
            self._key, self._text = found["data-key"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._key:
            self.cells[(self._row, self._key)] = "".join(self._text).strip()
            self._key = ""
        if tag == "tr":
            self._row = ""

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def cells(html: str, attribute: str) -> dict[tuple[str, str], str]:
    reader = RowCells(attribute)
    reader.feed(html)
    return reader.cells


def step_record(run: int, step: str, offset: float, **fields: Any) -> RequestRecord:
    workflow = "triage" if step != "reply" else "support"
    return RequestRecord(
        request_id=f"{run}-{step}-{offset}",
        attempt=1,
        started_at=T0 + offset,
        target="sim",
        provider="openai",
        model="sim-gpt",
        stream=True,
        ok=fields.pop("ok", True),
        tags={"workflow": workflow, "workflow_run": str(run), "step": step, "role": "r"},
        ttft_s=0.1,
        e2e_s=0.2 + offset / 100,
        usage=fields.pop("usage", Usage(input_tokens=50, output_tokens=10)),
        **fields,
    )


def test_workflow_and_step_tables_match_the_summary(run_info: RunInfo, tmp_path: Path) -> None:
    records = [
        step_record(1, "look", 0.0),
        step_record(1, "look", 0.5),  # a tool round of the same step
        step_record(1, "fix", 1.0, workflow_e2e_s=1.4),
        step_record(2, "look", 2.0),
        step_record(2, "fix", 3.0, ok=False, error=ErrorInfo("server", "500"), usage=None),
        step_record(2, "fix", 3.5, workflow_e2e_s=2.1),
        step_record(3, "reply", 4.0, workflow_e2e_s=0.3),
    ]
    aggregate = RunAggregate()
    aggregate.add_all(records)
    summary = build_summary(aggregate, run_info)
    write_reports(summary, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())

    workflow_cells = cells(html, "data-workflow")
    assert (
        {name for name, _ in workflow_cells} == set(summary["workflows"]) == {"triage", "support"}
    )
    for name, block in summary["workflows"].items():
        cost = block["cost"]
        assert workflow_cells[(name, "workflows")] == format_count(block["workflows"])
        assert workflow_cells[(name, "requests")] == format_count(block["requests"])
        assert workflow_cells[(name, "failed")] == format_count(block["failed"])
        for q in ("p50", "p95", "p99"):
            expected = format_ms(block["latency"]["workflow_e2e"][q])
            assert workflow_cells[(name, f"workflow_e2e_{q}")] == expected
        unpriced = cost["unpriced_records"]
        assert workflow_cells[(name, "cost_per_workflow")] == format_cost(
            cost["per_workflow"], unpriced
        )
        assert workflow_cells[(name, "cost_total")] == format_cost(cost["total"], unpriced)
    assert workflow_cells[("triage", "workflows")] == "2"
    assert workflow_cells[("triage", "requests")] == "6"

    step_cells = cells(html, "data-step")
    assert {name for name, _ in step_cells} == set(summary["steps"])
    assert set(summary["steps"]) == {"triage/look", "triage/fix", "support/reply"}
    for name, block in summary["steps"].items():
        assert step_cells[(name, "requests")] == format_count(block["requests"])
        assert step_cells[(name, "success_rate")] == format_percent(block["success_rate"])
        assert step_cells[(name, "failed")] == format_count(block["failed"])
        assert step_cells[(name, "ttft_p50")] == format_ms(block["latency"]["ttft"]["p50"])
        for q in ("p50", "p95"):
            assert step_cells[(name, f"e2e_{q}")] == format_ms(block["latency"]["e2e"][q])
        assert step_cells[(name, "input_tokens")] == format_count(block["tokens"]["input"])
        assert step_cells[(name, "output_tokens")] == format_count(block["tokens"]["output"])
    assert step_cells[("triage/look", "requests")] == "3"
    assert step_cells[("triage/fix", "failed")] == "1"


def test_no_agent_tables_without_workflow_tags(summary: dict[str, Any], tmp_path: Path) -> None:
    write_reports(summary, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="workflow-table"' not in html and 'id="step-table"' not in html
