"""The offered rates of a sweep's stages, and stage durations."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from harness.errors import HarnessConfigError

_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_seconds(text: str, option: str) -> float:
    """``30``, ``30s``, ``2m`` or ``1h`` -> seconds."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smh]?)", text.strip())
    if match is None:
        raise HarnessConfigError(f"{option} {text!r}: expected a duration like 20, 20s or 2m")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class SweepPlan:
    rates: tuple[float, ...]
    warmup_s: float
    window_s: float
    #: Throughput must grow by at least this fraction from one stage to the next.
    min_gain: float = 0.05

    def __post_init__(self) -> None:
        if not self.rates:
            raise HarnessConfigError("harness sweep: no stages (give --rates or --start-rate)")
        if any(not math.isfinite(r) or r <= 0 for r in self.rates):
            raise HarnessConfigError(f"--rates: every rate must be > 0 req/s, got {self.rates}")
        if list(self.rates) != sorted(set(self.rates)):
            raise HarnessConfigError(f"--rates: expected increasing rates, got {self.rates}")
        if self.window_s <= 0:
            raise HarnessConfigError("--window: the measured window must be > 0 s")

    @property
    def stage_run_s(self) -> float:
        return self.warmup_s + self.window_s


def stage_rates(
    rates: str | None, start: float | None, step: float | None, maximum: float | None
) -> tuple[float, ...]:
    """``--rates 2,4,8`` or ``--start-rate A --rate-step B --max-rate C`` (A, A+B, ... <= C)."""
    if rates:
        try:
            return tuple(float(part) for part in rates.split(",") if part.strip())
        except ValueError:
            raise HarnessConfigError(
                f"--rates {rates!r}: expected requests/s separated by commas, e.g. 2,4,8"
            ) from None
    if start is None or step is None or maximum is None:
        raise HarnessConfigError(
            "harness sweep: give --rates R1,R2,... or all of --start-rate, --rate-step, --max-rate"
        )
    if start <= 0 or step <= 0 or maximum < start:
        raise HarnessConfigError(
            "--start-rate and --rate-step must be > 0 and --max-rate >= --start-rate"
        )
    count = math.floor((maximum - start) / step + 1e-9) + 1
    return tuple(round(start + step * index, 6) for index in range(count))
