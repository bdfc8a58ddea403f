"""rebuild_reports: every report again from raw JSONL record files (``harness report``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.contracts import RequestRecord
from harness.metrics.aggregate import RunAggregate
from harness.records import read_records
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
) -> dict[str, Any]:
    """Aggregate the records, write the reports, return the summary.

    ``slo`` are the rules to judge the run by (validated already); each
    attempt's ``slo_met`` (goodput) was judged when it was recorded.

    Without ``run``, the run's metadata is derived from the records. Either
    way a truncated last line (a killed writer) marks the run partial and is
    listed among its warnings.
    """
    truncated: list[str] = []
    aggregate = RunAggregate()
    observed = ObservedTargets()
    for record in read_records(record_paths, on_truncated=truncated.append):
        aggregate.add(record)
        observed.add(record)
    if run is None:
        run = run_info_from_records(aggregate, observed)
    if truncated:
        run = dataclasses.replace(run, partial=True, warnings=[*run.warnings, *truncated])
    run = with_measurement(run, aggregate, slo)
    summary = build_summary(aggregate, run)
    publish_reports(summary, Path(report_dir), plugins)
    return summary


class ObservedTargets:
    """What the records themselves say about targets and streaming."""

    def __init__(self) -> None:
        self.providers: dict[str, set[str]] = {}
        self.models: dict[str, set[str]] = {}
        self.stream_modes: set[bool] = set()

    def add(self, record: RequestRecord) -> None:
        self.providers.setdefault(record.target, set()).add(record.provider)
        self.models.setdefault(record.target, set()).add(record.model)
        self.stream_modes.add(record.stream)

    def describe(self) -> list[dict[str, Any]]:
        """Target.describe()-shaped dicts; the records never carry URLs or key names."""
        return [
            {
                "name": name,
                "provider": ", ".join(sorted(self.providers[name])),
                "base_url": None,
                "model": ", ".join(sorted(self.models[name])),
                "api_key_env": None,
            }
            for name in sorted(self.providers)
        ]

    @property
    def stream(self) -> bool | None:
        """True or False when every record agrees, None when mixed or empty."""
        return next(iter(self.stream_modes)) if len(self.stream_modes) == 1 else None


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
