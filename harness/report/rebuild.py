"""rebuild_reports: every report again from raw JSONL record files (``harness report``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.metrics.aggregate import RunAggregate
from harness.report.record_scan import ObservedTargets, scan_records
from harness.report.render import publish_reports
from harness.report.run_info import RunInfo
from harness.report.summary import build_summary
from harness.slo.phases import with_measurement

if TYPE_CHECKING:
    from harness.plugins import PluginHost


def rebuild_reports(
    record_paths: Iterable[str | Path],
    report_dir: Path,
    run: RunInfo | None = None,
    plugins: PluginHost | None = None,
    slo: Sequence[str] = (),
    processes: int | None = 1,
) -> dict[str, Any]:
    """Aggregate the records, write the reports, return the summary.

    ``processes`` read big record files in parallel (None: every usable core;
    see :func:`~harness.report.record_scan.scan_records` for the caveat).

    ``slo`` are the rules to judge the run by (validated already); each
    attempt's ``slo_met`` (goodput) was judged when it was recorded.

    Without ``run``, the run's metadata is derived from the records. Either
    way a truncated last line (a killed writer) marks the run partial and is
    listed among its warnings.
    """
    scan = scan_records(record_paths, processes)
    aggregate = scan.aggregate
    if run is None:
        run = run_info_from_records(aggregate, scan.observed)
    if scan.truncated:
        run = dataclasses.replace(run, partial=True, warnings=[*run.warnings, *scan.truncated])
    run = with_measurement(run, aggregate, slo)
    summary = build_summary(aggregate, run)
    publish_reports(summary, Path(report_dir), plugins)
    return summary


def run_info_from_records(aggregate: RunAggregate, observed: ObservedTargets) -> RunInfo:
    overall = aggregate.overall
    started = overall.first_started_at if overall.first_started_at is not None else 0.0
    ended = overall.last_ended_at if overall.last_ended_at is not None else started
    return RunInfo(
        started_at=started,
        ended_at=ended,
        targets=observed.describe(),
        stream=observed.stream,
        warnings=["run metadata derived from the records: load settings are unknown"],
    )
