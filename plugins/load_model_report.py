"""Report sections of the load models: the open loop's dispatcher, and a capacity sweep.

Each appears only when the summary has its key (``arrivals``, ``sweep``), so
closed-loop reports are unchanged.
"""

from __future__ import annotations

from typing import Any

from harness import hookimpl
from harness.contracts import ReportSection
from harness.report.open_loop_section import open_loop_section
from harness.report.sweep_section import sweep_section


@hookimpl
def harness_report_sections(report: dict[str, Any]) -> list[ReportSection] | None:
    sections = []
    if "sweep" in report:
        sections.append(sweep_section(report["sweep"]))
    if "arrivals" in report:
        sections.append(open_loop_section(report))
    return sections or None
