"""write_reports: summary.json and report.html into a report directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from harness.report.atomic_file import write_atomically
from harness.report.html_report import render_html

SUMMARY_FILE = "summary.json"
HTML_FILE = "report.html"


def write_reports(summary: dict[str, Any], report_dir: Path) -> list[Path]:
    """Write every report file and return their paths.

    Everything is rendered in memory first, so a failing template leaves the
    previous files untouched; each file is then replaced atomically.
    """
    contents = {
        SUMMARY_FILE: orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE),
        HTML_FILE: render_html(summary).encode("utf-8"),
    }
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in contents.items():
        path = report_dir / name
        write_atomically(path, data)
        written.append(path)
    return written
