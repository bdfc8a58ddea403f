"""load_run: a summary from whatever ``harness compare`` was given.

An argument may be a report directory (its summary.json, else its record
files), a summary.json, or a record file (``.jsonl`` / ``.jsonl.gz``),
which is aggregated in memory without writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from harness.errors import HarnessConfigError
from harness.records import RecordFileError
from harness.report.rebuild import run_info_from_records
from harness.report.record_scan import scan_records
from harness.report.summary import SCHEMA_VERSION, build_summary

SUMMARY_FILE = "summary.json"
RECORD_PATTERNS: tuple[str, ...] = ("records*.jsonl", "records*.jsonl.gz")


@dataclass(frozen=True)
class LoadedRun:
    """One run to compare: its label (the argument as given) and its summary."""

    label: str
    summary: dict[str, Any]


def load_run(argument: str) -> LoadedRun:
    path = Path(argument)
    if path.is_dir():
        if (path / SUMMARY_FILE).is_file():
            return LoadedRun(argument, _read_summary(path / SUMMARY_FILE))
        records = sorted(found for pattern in RECORD_PATTERNS for found in path.glob(pattern))
        if not records:
            raise HarnessConfigError(
                f"{argument}: no summary.json and no records*.jsonl[.gz] in this directory"
            )
        return LoadedRun(argument, _summarize(records, argument))
    if not path.is_file():
        raise HarnessConfigError(f"{argument}: no such file or directory")
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        return LoadedRun(argument, _summarize([path], argument))
    return LoadedRun(argument, _read_summary(path))


def _read_summary(path: Path) -> dict[str, Any]:
    try:
        summary = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise HarnessConfigError(f"{path}: not a summary.json (invalid JSON: {exc})") from None
    if not isinstance(summary, dict) or "overall" not in summary:
        raise HarnessConfigError(f"{path}: not a summary.json (no 'overall' block)")
    version = summary.get("schema_version")
    if version != SCHEMA_VERSION:
        raise HarnessConfigError(
            f"{path}: summary schema_version {version!r}, this harness reads {SCHEMA_VERSION}"
        )
    return summary


def _summarize(records: list[Path], argument: str) -> dict[str, Any]:
    try:
        scan = scan_records(records, processes=None)
    except RecordFileError as exc:
        raise HarnessConfigError(str(exc)) from None
    if scan.aggregate.overall.requests == 0:
        raise HarnessConfigError(f"{argument}: no records to compare")
    return build_summary(scan.aggregate, run_info_from_records(scan.aggregate, scan.observed))
