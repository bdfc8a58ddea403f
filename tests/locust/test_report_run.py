"""Issue acceptance: report.html, summary.md and the CSVs of a real run, parsed back.

One run of a few seconds against two simulators (two targets), with agent
workflows (several roles), scripted faults (several error kinds), retries
and rate-limit headers. Every section of the
report is then read back with the standard library's HTML parser and its
numbers compared with summary.json.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import orjson
import pytest

from harness.locust import AgentUser
from harness.mock.config import SimulatorConfig
from harness.mock.process import SimulatorProcess
from harness.report.formatting import format_count, format_ms, format_percent

from .conftest import run_headless

CONFIG = """
[targets.quick]
provider = "openai"
model = "sim-gpt"

[targets.slow]
provider = "openai"
model = "sim-claude"
"""
FAULTS = ("http:500@every=7", "http:401@every=11", "reset@every=13")
SECTIONS = (
    "headline", "comparison", "latency", "distributions", "volume", "cost-table",
    "breakdown-models", "breakdown-roles", "breakdown-workflows", "errors", "error-samples",
    "errors-over-time", "retries", "over-time", "rate-limit-headroom", "run", "targets",
    "plugins", "config",
)  # fmt: skip


class Page(HTMLParser):
    """Ids, cells by (table id, row key, data-key), cards, and every SVG's drawn marks."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.cards: dict[str, str] = {}
        self.cells: dict[tuple[str, str, str], str] = {}
        self.svgs: list[dict[str, int]] = []
        self._table = ""
        self._row = ""
        self._card: str | None = None
        self._card_depth = 0
        self._cell: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if "id" in attr:
            self.ids.add(attr["id"])
        if tag == "table":
            self._table = attr.get("id", "")
        elif tag == "tr":
            keys = ("data-target", "data-name", "data-kind", "data-metric")
            self._row = ":".join(attr[k] for k in keys if k in attr)
        elif tag == "div" and self._card is not None:
            self._card_depth += 1
        elif tag == "div" and attr.get("class", "").split()[:1] == ["card"]:
            self._card, self._card_depth, self._buffer = attr["data-key"], 1, []
        elif tag == "td" and "data-key" in attr and self._card is None:
            self._cell, self._buffer = attr["data-key"], []
        elif tag == "svg":
            self.svgs.append({})
        elif tag in ("polyline", "rect") and self.svgs:
            drawn = tag == "rect" or len(attr.get("points", "").split()) > 1
            self.svgs[-1][tag] = self.svgs[-1].get(tag, 0) + int(drawn)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._card is not None:
            self._card_depth -= 1
            if not self._card_depth:
                self.cards[self._card] = " ".join("".join(self._buffer).split())
                self._card = None
        elif tag == "td" and self._cell is not None:
            text = " ".join("".join(self._buffer).split())
            self.cells[(self._table, self._row, self._cell)] = text
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._card is not None or self._cell is not None:
            self._buffer.append(data)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("report-run")
    config = root / "harness.toml"
    config.write_text(CONFIG)
    settings = {"itl_ms": 2, "output_tokens": 6, "faults": FAULTS, "rpm_limit": 6000}
    settings["models"] = ("sim-gpt", "sim-claude")
    with SimulatorProcess(SimulatorConfig(ttft_ms=20, seed=1, **settings)) as quick, \
            SimulatorProcess(SimulatorConfig(ttft_ms=60, seed=2, **settings)) as slow:  # fmt: skip
        args = [
            "--targets", "quick,slow", "--harness-config", str(config),
            "--simulated-targets", json.dumps({"quick": quick.url, "slow": slow.url}),
            "--report-dir", str(root / "out"), "--workflow", "all",
            "--retry", "exponential", "--retry-base", "0.01", "--retry-max-attempts", "3",
        ]  # fmt: skip
        run_headless(args, users=4, seconds=4.0, user_classes=[AgentUser])
    yield root / "out"


@pytest.fixture(scope="module")
def summary(report_dir: Path) -> dict[str, Any]:
    return orjson.loads((report_dir / "summary.json").read_bytes())


@pytest.fixture(scope="module")
def page(report_dir: Path) -> Page:
    parser = Page()
    parser.feed((report_dir / "report.html").read_text(encoding="utf-8"))
    parser.close()
    return parser


def test_the_run_had_what_the_report_must_show(summary: dict[str, Any]) -> None:
    overall = summary["overall"]
    assert set(summary["targets"]) == {"quick", "slow"}
    assert len(summary["roles"]) >= 3 and summary["workflows"]
    assert {"server", "auth", "connection"} <= set(overall["errors_by_kind"])
    assert overall["retries"]["retry_attempts"] > 0
    assert any(row["rate_limit_remaining_requests"] is not None for row in summary["timeseries"])


def test_every_section_is_present(page: Page) -> None:
    assert set(SECTIONS) <= page.ids, set(SECTIONS) - page.ids


def test_headline_cards_match_the_summary(page: Page, summary: dict[str, Any]) -> None:
    overall = summary["overall"]
    assert format_count(overall["requests"]) in page.cards["requests"]
    assert format_percent(overall["success_rate"]) in page.cards["success_rate"]
    assert format_ms(overall["latency"]["ttft"]["p50"]) in page.cards["ttft_p50"]
    assert format_ms(overall["latency"]["ttft"]["p95"]) in page.cards["ttft_p95"]
    assert format_count(overall["failed"]) in page.cards["errors"]


def test_tables_match_the_summary(page: Page, summary: dict[str, Any]) -> None:
    cells = page.cells
    for name, block in summary["targets"].items():
        assert cells[("volume", name, "requests")] == format_count(block["requests"])
        assert cells[("retries", name, "attempts")] == format_count(block["retries"]["attempts"])
        for kind, count in block["errors_by_kind"].items():
            assert cells[("errors", f"{name}:{kind}", "count")] == format_count(count)
    for grouping in ("models", "roles", "workflows"):
        for name, block in summary[grouping].items():
            table = f"breakdown-{grouping}"
            assert cells[(table, name, "requests")] == format_count(block["requests"])
            assert cells[(table, name, "ttft_p50")] == format_ms(block["latency"]["ttft"]["p50"])


def test_error_samples_are_shown_redacted(page: Page, summary: dict[str, Any]) -> None:
    for name, block in summary["targets"].items():
        for kind, samples in block["error_samples"].items():
            counts = sum(sample["count"] for sample in samples)
            assert counts <= block["errors_by_kind"][kind]
            shown = page.cells[("error-samples", f"{name}:{kind}", "count")]
            assert shown in {format_count(sample["count"]) for sample in samples}


def test_charts_are_drawn_from_the_series(page: Page, summary: dict[str, Any]) -> None:
    lines = [svg for svg in page.svgs if svg.get("polyline")]
    bars = [svg for svg in page.svgs if svg.get("rect", 0) > 1]
    # Load, in flight, TTFT, E2E, tokens/s, errors, retries, headroom; four distributions.
    assert len(lines) >= 9 and len(bars) >= 4
    assert len(summary["timeseries"]) >= 4


def test_summary_md_and_csv_read_back(report_dir: Path, summary: dict[str, Any]) -> None:
    markdown = (report_dir / "summary.md").read_text(encoding="utf-8")
    overall = summary["overall"]
    assert (
        f"| {format_count(overall['requests'])} | {format_percent(overall['success_rate'])} |"
        in markdown
    )
    for name in summary["targets"]:
        assert re.search(
            rf"^\| {name} \| {format_count(summary['targets'][name]['requests'])} \|",
            markdown,
            re.M,
        )
    rows = list(csv.DictReader(io.StringIO((report_dir / "timeseries.csv").read_text())))
    assert [int(row["t_s"]) for row in rows] == [row["t"] for row in summary["timeseries"]]
    assert sum(int(row["ok"]) + int(row["failed"]) for row in rows) == overall["requests"]
    assert sum(int(row["failed_server"]) for row in rows) == overall["errors_by_kind"]["server"]
    targets = {
        row["target"]: row
        for row in csv.DictReader(io.StringIO((report_dir / "targets.csv").read_text()))
    }
    assert int(targets["overall"]["requests"]) == overall["requests"]


def test_harness_report_rebuilds_the_same_numbers(
    report_dir: Path, summary: dict[str, Any], tmp_path: Path
) -> None:
    from harness.report.rebuild import rebuild_reports

    rebuilt = rebuild_reports([report_dir / "records.jsonl"], tmp_path)

    for key in ("requests", "ok", "failed", "errors_by_kind", "error_samples"):
        assert rebuilt["overall"][key] == summary["overall"][key], key
    for metric, histogram in summary["histograms"].items():
        assert rebuilt["histograms"][metric]["buckets"] == histogram["buckets"], metric
    assert {p.name for p in tmp_path.iterdir()} >= {"report.html", "summary.md", "timeseries.csv"}


CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>", "--enable-logging=stderr", "--v=0", "--log-level=0",
)  # fmt: skip


def chromium(page: Path, *args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(profile)},
    )  # fmt: skip


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_chromium_renders_the_report_offline_without_console_errors(
    report_dir: Path, tmp_path: Path
) -> None:
    # The check can fail: a page that logs to the console is caught.
    control = tmp_path / "control.html"
    control.write_text('<!doctype html><script>console.error("broken")</script>')
    assert console_messages(chromium(control, "--dump-dom", profile=tmp_path / "p0").stderr)

    shot = tmp_path / "report.png"
    screenshot = chromium(
        report_dir / "report.html", f"--screenshot={shot}", "--window-size=1280,3000",
        profile=tmp_path / "p1",
    )  # fmt: skip
    assert shot.stat().st_size > 50_000, screenshot.stderr[-2000:]
    assert not console_messages(screenshot.stderr)

    dumped = chromium(report_dir / "report.html", "--dump-dom", profile=tmp_path / "p2")
    assert not console_messages(dumped.stderr)
    drawn = Page()
    drawn.feed(dumped.stdout)  # the DOM as Chromium built it
    assert sum(1 for svg in drawn.svgs if svg.get("polyline")) >= 9
    assert sum(1 for svg in drawn.svgs if svg.get("rect", 0) > 1) >= 4
