"""RunInfo: what a report says about the run itself, beside its numbers."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

from harness import __version__

#: Libraries whose versions change what a run measures or how it reports.
REPORTED_PACKAGES: tuple[str, ...] = ("locust", "gevent", "geventhttpclient", "orjson", "jinja2")


def machine_info() -> dict[str, Any]:
    """The load generator's platform, Python version, CPU count and key library versions."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "packages": {name: _version(name) for name in REPORTED_PACKAGES},
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


@dataclass
class RunInfo:
    """Run metadata for the report. Callers redact ``command`` before passing it.

    ``targets`` holds ``Target.describe()`` dicts; ``plugins`` holds
    ``{name, version, source}`` dicts. ``measured_window`` (epoch start, end)
    overrides the throughput window when warm-up and cool-down were excluded.
    ``partial`` marks a run that ended abnormally or a report rebuilt from an
    incomplete record file. ``pricing`` states the report currency and the
    FX rates that converted costs into it (``PriceBook.describe()``: rates as
    decimal strings); None when unknown, as in a report rebuilt from records.
    ``workers`` lists a distributed run's workers as the master saw them
    (name, state, last report time); None in a local run. ``config`` holds
    the run's options, secrets redacted (``run_config.config_snapshot``).
    """

    started_at: float
    ended_at: float
    harness_version: str = __version__
    command: list[str] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    users: int | None = None
    spawn_rate: float | None = None
    run_time_s: float | None = None
    stream: bool | None = None
    plugins: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    partial: bool = False
    machine: dict[str, Any] = field(default_factory=machine_info)
    simulator: dict[str, Any] | None = None
    measured_window: tuple[float, float] | None = None
    pricing: dict[str, Any] | None = None
    slo: list[str] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)
    generator: dict[str, Any] | None = None
    config: dict[str, Any] = field(default_factory=dict)
    workers: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["duration_s"] = self.ended_at - self.started_at
        data["measured_window"] = list(self.measured_window) if self.measured_window else None
        return data
