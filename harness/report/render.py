"""write_reports: summary.json, report.html, summary.md, CSV and (with SLOs) junit.xml."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from harness.contracts import ReportSection
from harness.report.atomic_file import write_atomically
from harness.report.csv_export import targets_csv, timeseries_csv
from harness.report.html_report import render_html
from harness.report.markdown import summary_markdown
from harness.slo.junit import JUNIT_FILE, junit_xml

if TYPE_CHECKING:
    from harness.plugins import PluginHost

SUMMARY_FILE = "summary.json"
HTML_FILE = "report.html"
MARKDOWN_FILE = "summary.md"
TIMESERIES_CSV_FILE = "timeseries.csv"
TARGETS_CSV_FILE = "targets.csv"


def publish_reports(
    summary: dict[str, Any], report_dir: Path, plugins: PluginHost | None
) -> list[Path]:
    """Write the reports with every plugin's sections; a failing plugin becomes a warning."""
    sections: list[ReportSection] = []
    if plugins is not None:
        sections, warnings = plugins.report_sections(summary)
        summary["run"]["warnings"].extend(warnings)
    return write_reports(summary, report_dir, sections)


def write_reports(
    summary: dict[str, Any], report_dir: Path, sections: Sequence[ReportSection] = ()
) -> list[Path]:
    """Write every report file and return their paths; ``sections`` come from plugins.

    Everything is rendered in memory first, so a failing template leaves the
    previous files untouched; each file is then replaced atomically.
    """
    contents = {
        SUMMARY_FILE: orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE),
        HTML_FILE: render_html(summary, sections).encode("utf-8"),
        MARKDOWN_FILE: summary_markdown(summary).encode("utf-8"),
        TIMESERIES_CSV_FILE: timeseries_csv(summary["timeseries"]).encode("utf-8"),
        TARGETS_CSV_FILE: targets_csv(summary).encode("utf-8"),
    }
    if "slo" in summary:
        contents[JUNIT_FILE] = junit_xml(summary)
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in contents.items():
        path = report_dir / name
        write_atomically(path, data)
        written.append(path)
    return written
