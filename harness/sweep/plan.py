"""What a sweep's stages offer (rates, or concurrent users), and how long each runs."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from harness.errors import HarnessConfigError

_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
#: Sweep mode -> the option that lists its stages, and the unit of a stage's load.
MODES = {"rate": ("--rates", "req/s"), "concurrency": ("--concurrency", "users")}


def parse_seconds(text: str, option: str) -> float:
    """``30``, ``30s``, ``2m`` or ``1h`` -> seconds."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smh]?)", text.strip())
    if match is None:
        raise HarnessConfigError(f"{option} {text!r}: expected a duration like 20, 20s or 2m")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class SweepPlan:
    #: "rate": open-loop stages at each rate; "concurrency": closed-loop stages of users.
    mode: str
    loads: tuple[float, ...]
    warmup_s: float
    window_s: float
    #: Throughput must grow by at least this fraction from one stage to the next.
    min_gain: float = 0.05

    def __post_init__(self) -> None:
        option, unit = MODES[self.mode]
        if not self.loads:
            raise HarnessConfigError(f"harness sweep: no stages (give {option})")
        if any(not math.isfinite(load) or load <= 0 for load in self.loads):
            raise HarnessConfigError(f"{option}: every stage must be > 0 {unit}, got {self.loads}")
        if self.mode == "concurrency" and any(load != int(load) for load in self.loads):
            raise HarnessConfigError(f"{option}: expected whole numbers of users, got {self.loads}")
        if list(self.loads) != sorted(set(self.loads)):
            raise HarnessConfigError(f"{option}: expected increasing stages, got {self.loads}")
        if self.window_s <= 0:
            raise HarnessConfigError("--window: the measured window must be > 0 s")

    @property
    def stage_run_s(self) -> float:
        return self.warmup_s + self.window_s

    def label(self, load: float) -> str:
        """``20 req/s`` or ``16 users``: a stage as messages name it."""
        unit = MODES[self.mode][1]
        return f"{load:g} {unit[:-1] if unit == 'users' and load == 1 else unit}"


def parse_loads(text: str, option: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise HarnessConfigError(
            f"{option} {text!r}: expected numbers separated by commas, e.g. 2,4,8"
        ) from None


def stage_rates(
    rates: str | None, start: float | None, step: float | None, maximum: float | None
) -> tuple[float, ...]:
    """``--rates 2,4,8`` or ``--start-rate A --rate-step B --max-rate C`` (A, A+B, ... <= C)."""
    if rates:
        return parse_loads(rates, "--rates")
    if start is None or step is None or maximum is None:
        raise HarnessConfigError(
            "harness sweep: give --rates R1,R2,..., all of --start-rate, --rate-step, "
            "--max-rate, or --concurrency U1,U2,..."
        )
    if start <= 0 or step <= 0 or maximum < start:
        raise HarnessConfigError(
            "--start-rate and --rate-step must be > 0 and --max-rate >= --start-rate"
        )
    count = math.floor((maximum - start) / step + 1e-9) + 1
    return tuple(round(start + step * index, 6) for index in range(count))
