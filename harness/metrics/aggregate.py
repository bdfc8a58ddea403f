"""RunAggregate: everything a report needs from a run, mergeable across workers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from harness.contracts import RequestRecord
from harness.metrics.metric_set import MetricSet
from harness.metrics.timeseries import SecondSeries

#: The phase of the attempts that count (see harness.slo.phases).
MEASURED = "measured"

#: Bumped when ``to_dict`` changes shape, so a master refuses a worker's
#: delta it would misread instead of merging garbage. 2: usage comparison
#: counters and per-second rate-limit headroom. 3: logical-request and retry
#: counters and histograms, per-second errors by kind and retries. 4: exact
#: cost sums (decimal strings) and the models, roles and workflows groupings.
#: 5: fallback and routing counters, fallback logical latency and cost.
#: 6: workflow counts and end-to-end latency, the steps grouping.
#: 8: latency from the scheduled start (``ttft_scheduled``, ``e2e_scheduled``) and
#: ``schedule_lag`` of open-loop and replayed requests.
#: 9: the ``slo_met`` counter (attempts meeting every per-request SLO, for goodput)
#: and ``excluded`` (warm-up and cool-down attempts kept out, by phase).
#: 10: per-second offered and sent load, time in flight and E2E; error samples.
#: 11: ``sessions`` and ``sessions_met`` (session goodput).
#: 12: per-second ``covering`` (attempts in flight through whole seconds).
FORMAT_VERSION = 12

#: Groupings besides the overall set: name -> the key a record belongs to
#: (None leaves the record out of that grouping). Adding a grouping is one
#: line here; the summary reports each one under its name. Roles and
#: workflows come from request tags; a record without the tag (or with an
#: empty one) stays out, so runs without agent traffic leave them empty.
GROUPINGS: dict[str, Callable[[RequestRecord], str | None]] = {
    "targets": lambda record: record.target,
    "models": lambda record: record.model or None,
    "roles": lambda record: record.tags.get("role") or None,
    "workflows": lambda record: record.tags.get("workflow") or None,
    "steps": lambda record: _step_key(record.tags),
}


def _step_key(tags: dict[str, str]) -> str | None:
    """``workflow/step``: step ids are only unique within their workflow."""
    step = tags.get("step")
    return f"{tags.get('workflow', '')}/{step}" if step else None


Key = TypeVar("Key")


def _metric_set(sets: dict[Key, MetricSet], key: Key) -> MetricSet:
    """The MetricSet of ``key``, created when first needed.

    Not setdefault(key, MetricSet()): that would build a MetricSet, a dozen
    histograms, for every record even when the key exists.
    """
    metrics = sets.get(key)
    if metrics is None:
        metrics = sets[key] = MetricSet()
    return metrics


class RunAggregate:
    """An overall MetricSet, one MetricSet per group key, and a per-second series.

    Only measured attempts count: warm-up and cool-down ones
    (``RequestRecord.phase``) are counted in ``excluded`` by phase and left out.

    A record is added to one MetricSet only, its *cell*: the records that
    share every group key (target, model, role, ...). Reading ``overall`` or
    ``groups`` first folds the cells into them, so a record costs one
    MetricSet.add instead of one per grouping it belongs to (the generator
    does this for every attempt; the reports read a few times per run).
    Counts and buckets come out identical to adding each record everywhere;
    float sums may differ in their last bit (another order of addition).
    """

    def __init__(self) -> None:
        self._overall = MetricSet()
        self._groups: dict[str, dict[str, MetricSet]] = {name: {} for name in GROUPINGS}
        self._cells: dict[tuple[str | None, ...], MetricSet] = {}
        self._key_of = tuple(GROUPINGS.values())
        self.seconds = SecondSeries()
        self.excluded: dict[str, int] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Aggregates cross processes by pickle (parallel record reading), and
        # the grouping lambdas do not pickle: leave them out, take them anew.
        state = self.__dict__.copy()
        del state["_key_of"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._key_of = tuple(GROUPINGS.values())

    @property
    def overall(self) -> MetricSet:
        self._fold_cells()
        return self._overall

    @property
    def groups(self) -> dict[str, dict[str, MetricSet]]:
        self._fold_cells()
        return self._groups

    @property
    def targets(self) -> dict[str, MetricSet]:
        return self.groups["targets"]

    def add(self, record: RequestRecord) -> None:
        if self._excludes(record):
            return
        key = tuple([group_key(record) for group_key in self._key_of])
        _metric_set(self._cells, key).add(record)
        self.seconds.add(record)

    def add_all(self, records: Iterable[RequestRecord]) -> None:
        """The same as ``add`` for each record."""
        add = self.add
        for record in records:
            add(record)

    def _fold_cells(self) -> None:
        cells, self._cells = self._cells, {}
        for key, cell in cells.items():
            self._overall.merge(cell)
            for name, group_key in zip(GROUPINGS, key, strict=True):
                if group_key is not None:
                    _metric_set(self._groups[name], group_key).merge(cell)

    def merge(self, other: RunAggregate) -> None:
        self.overall.merge(other.overall)
        for name, theirs in other.groups.items():
            mine = self.groups.setdefault(name, {})
            for key, metrics in theirs.items():
                mine.setdefault(key, MetricSet()).merge(metrics)
        self.seconds.merge(other.seconds)
        for phase, count in other.excluded.items():
            self.excluded[phase] = self.excluded.get(phase, 0) + count

    def _excludes(self, record: RequestRecord) -> bool:
        """Counts a warm-up or cool-down attempt, which then stays out of every metric."""
        if record.phase == MEASURED:
            return False
        self.excluded[record.phase] = self.excluded.get(record.phase, 0) + 1
        return True

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (string keys), to ship as a worker delta."""
        return {
            "format_version": FORMAT_VERSION,
            "overall": self.overall.to_dict(),
            "groups": {
                name: {key: groups[key].to_dict() for key in sorted(groups)}
                for name, groups in self.groups.items()
            },
            "seconds": self.seconds.to_dict(),
            "excluded": dict(sorted(self.excluded.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunAggregate:
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ValueError(f"aggregate format_version {version!r}, expected {FORMAT_VERSION}")
        aggregate = cls()
        aggregate._overall = MetricSet.from_dict(data["overall"])
        for name, groups in data["groups"].items():
            aggregate._groups[name] = {key: MetricSet.from_dict(m) for key, m in groups.items()}
        aggregate.seconds = SecondSeries.from_dict(data["seconds"])
        aggregate.excluded = {str(k): int(v) for k, v in data["excluded"].items()}
        return aggregate
