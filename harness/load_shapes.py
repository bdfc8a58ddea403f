"""Load shapes: how many users run at each moment of a test (ramp, step, spike, soak).

A shape is written ``KIND:key=value,...`` on the command line
(``--load-shape step:start=8,step=8,every=30s,max=64``) or as a ``[shape]``
table in harness.toml (``kind = "step"`` and the same keys). Durations are
seconds or ``90s``, ``2m``, ``1h``. Every key has a default, so ``step``
alone is a valid shape. Pure logic: :mod:`harness.locust.shapes` turns a
plan into Locust ``LoadTestShape`` ticks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.errors import HarnessConfigError

#: Each kind's keys and defaults; durations in seconds.
SHAPE_KEYS: dict[str, dict[str, float]] = {
    "ramp": {"users": 10, "over": 60, "hold": 0},
    "step": {"start": 1, "step": 1, "every": 30, "max": 10},
    "spike": {"base": 1, "peak": 10, "at": 30, "for": 10, "total": 90},
    "soak": {"users": 10, "ramp": 60, "hold": 3600},
}
_DURATIONS = {"over", "hold", "every", "at", "for", "total", "ramp"}
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Tick:
    users: int
    #: Users started (or stopped) per second to reach ``users``.
    spawn_rate: float


@dataclass(frozen=True)
class ShapePlan:
    kind: str
    settings: Mapping[str, float]

    def tick(self, elapsed: float) -> Tick | None:
        """The users ``elapsed`` seconds into the test; None once the shape has ended."""
        s = self.settings
        if self.kind in ("ramp", "soak"):
            top, rise = s["users"], s["over"] if self.kind == "ramp" else s["ramp"]
            if elapsed >= rise + s["hold"]:
                return None
            users = top if elapsed >= rise else math.ceil(top * elapsed / rise)
            return Tick(max(int(users), 1), max(top / rise if rise else top, 1.0))
        if self.kind == "step":
            if elapsed >= self.duration_s:
                return None
            users = min(s["start"] + s["step"] * int(elapsed // s["every"]), s["max"])
            return Tick(int(users), max(s["step"], 1.0))
        if elapsed >= s["total"]:
            return None
        spiking = s["at"] <= elapsed < s["at"] + s["for"]
        return Tick(int(s["peak"] if spiking else s["base"]), max(s["peak"] - s["base"], 1.0))

    @property
    def spec(self) -> str:
        """The plan as ``--load-shape`` would write it, every key spelled out."""
        return f"{self.kind}:" + ",".join(f"{k}={v:g}" for k, v in self.settings.items())

    @property
    def duration_s(self) -> float:
        s = self.settings
        if self.kind == "ramp":
            return s["over"] + s["hold"]
        if self.kind == "soak":
            return s["ramp"] + s["hold"]
        if self.kind == "step":
            steps = math.ceil(max(s["max"] - s["start"], 0) / s["step"])
            return (steps + 1) * s["every"]
        return s["total"]


def parse_shape(spec: str, where: str = "--load-shape") -> ShapePlan:
    """``KIND[:key=value,...]`` -> ShapePlan; HarnessConfigError says what was expected."""
    kind, _, rest = spec.partition(":")
    table: dict[str, Any] = {"kind": kind.strip()}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise HarnessConfigError(f"{where} {spec!r}: expected key=value, got {item!r}")
        table[key.strip()] = value.strip()
    return shape_from_table(table, f"{where} {spec!r}")


def shape_from_table(table: Mapping[str, Any], where: str) -> ShapePlan:
    """A ``[shape]`` table (or a parsed spec): ``kind`` and that kind's keys."""
    kind = table.get("kind")
    if kind not in SHAPE_KEYS:
        raise HarnessConfigError(f"{where}: kind {kind!r}: expected one of {', '.join(SHAPE_KEYS)}")
    defaults = SHAPE_KEYS[kind]
    unknown = sorted(set(table) - {"kind"} - set(defaults))
    if unknown:
        raise HarnessConfigError(
            f"{where}: unknown key {unknown[0]!r} for {kind}; expected {', '.join(defaults)}"
        )
    settings = dict(defaults)
    for key, value in table.items():
        if key != "kind":
            settings[key] = _value(value, key, where)
    for key in ("over", "every", "ramp", "step", "total"):
        if key in settings and settings[key] <= 0:
            raise HarnessConfigError(f"{where}: {key} must be > 0")
    return ShapePlan(kind, settings)


def _value(value: Any, key: str, where: str) -> float:
    if isinstance(value, bool):
        raise HarnessConfigError(f"{where}: {key} = {value!r}: expected a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        pattern = r"(\d+(?:\.\d+)?)([smh]?)" if key in _DURATIONS else r"(\d+)()"
        match = re.fullmatch(pattern, str(value).strip())
        if match is None:
            expected = "a duration like 30, 90s, 2m or 1h" if key in _DURATIONS else "a count"
            raise HarnessConfigError(f"{where}: {key} = {value!r}: expected {expected}")
        number = float(match.group(1)) * _UNITS[match.group(2)]
    if not math.isfinite(number) or number < 0:
        raise HarnessConfigError(f"{where}: {key} = {value!r}: expected a number >= 0")
    return number
