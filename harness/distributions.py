"""Token-length distributions for workloads: parse a SPEC string, draw seeded integers.

SPEC forms (every draw is rounded to an integer and clamped to at least 1,
because a prompt or an answer of zero tokens is not a request):

* ``fixed:N`` — always ``N``;
* ``uniform:LO-HI`` — an integer from ``LO`` to ``HI``, both included;
* ``normal:MEAN,STDDEV`` — Gaussian;
* ``lognormal:MEDIAN,SIGMA`` — ``MEDIAN * exp(SIGMA * Z)`` with ``Z`` standard
  normal: the median is the value itself (not its log), and ``SIGMA`` is the
  standard deviation of the log, so 0.5 gives a long right tail whose mean is
  ``MEDIAN * exp(SIGMA**2 / 2)`` (about 13% above the median);
* ``empirical:FILE`` — a histogram of ``value,weight`` pairs: a CSV file of
  lines ``value,weight`` (blank lines, ``#`` comments and a ``value,weight``
  header are skipped), or a JSON file holding a list of ``[value, weight]``
  pairs or an object ``{"value": weight}``.

Nothing here imports Locust, so the module is pure and cheap to test.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from harness.errors import HarnessConfigError

KINDS = ("fixed", "uniform", "normal", "lognormal", "empirical")


class Distribution(Protocol):
    """A source of positive integer lengths; ``rng`` makes every draw reproducible."""

    @property
    def spec(self) -> str: ...

    def sample(self, rng: random.Random) -> int: ...


def _clamp(value: float) -> int:
    return max(1, round(value))


@dataclass(frozen=True)
class Fixed:
    spec: str
    value: int

    def sample(self, rng: random.Random) -> int:
        return self.value


@dataclass(frozen=True)
class Uniform:
    spec: str
    low: int
    high: int

    def sample(self, rng: random.Random) -> int:
        return rng.randint(self.low, self.high)


@dataclass(frozen=True)
class Normal:
    spec: str
    mean: float
    stddev: float

    def sample(self, rng: random.Random) -> int:
        return _clamp(rng.gauss(self.mean, self.stddev))


@dataclass(frozen=True)
class LogNormal:
    spec: str
    median: float
    sigma: float

    def sample(self, rng: random.Random) -> int:
        return _clamp(self.median * math.exp(self.sigma * rng.gauss(0.0, 1.0)))


@dataclass(frozen=True)
class Empirical:
    spec: str
    values: tuple[int, ...]
    #: Running totals of the weights, for a binary search per draw.
    cumulative: tuple[float, ...]

    def sample(self, rng: random.Random) -> int:
        point = rng.random() * self.cumulative[-1]
        return self.values[bisect.bisect_right(self.cumulative, point)]


# Cached: every user parses the run's specs, and an empirical file should be read once.
# Distributions are immutable, so users can share one.
@lru_cache(maxsize=64)
def parse_distribution(spec: str, option: str = "distribution") -> Distribution:
    """The distribution a SPEC names; HarnessConfigError says what was expected."""
    kind, sep, rest = spec.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS:
        raise HarnessConfigError(
            f"{option} {spec!r}: expected KIND:PARAMS with KIND one of {', '.join(KINDS)}, "
            "e.g. fixed:128, uniform:64-512, normal:256,64, lognormal:256,0.5, empirical:FILE"
        )
    rest = rest.strip()
    where = f"{option} {spec!r}"
    if kind == "fixed":
        return Fixed(spec, _positive_int(rest, where, "fixed:N"))
    if kind == "uniform":
        low, high = _pair(rest, "-", where, "uniform:LO-HI")
        lo, hi = _positive_int(low, where, "uniform:LO-HI"), _positive_int(high, where, "LO-HI")
        if lo > hi:
            raise HarnessConfigError(f"{where}: expected LO <= HI in uniform:LO-HI")
        return Uniform(spec, lo, hi)
    if kind == "empirical":
        return _empirical(spec, rest, where)
    form = "normal:MEAN,STDDEV" if kind == "normal" else "lognormal:MEDIAN,SIGMA"
    first, second = _pair(rest, ",", where, form)
    center, spread = _number(first, where, form), _number(second, where, form)
    if center <= 0 or spread < 0:
        raise HarnessConfigError(f"{where}: expected a positive centre and a spread >= 0 in {form}")
    return Normal(spec, center, spread) if kind == "normal" else LogNormal(spec, center, spread)


def _pair(text: str, separator: str, where: str, form: str) -> tuple[str, str]:
    first, sep, second = text.partition(separator)
    if not sep:
        raise HarnessConfigError(f"{where}: expected {form}")
    return first.strip(), second.strip()


def _number(text: str, where: str, form: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise HarnessConfigError(f"{where}: expected a number, got {text!r} in {form}") from None
    if not math.isfinite(value):
        raise HarnessConfigError(f"{where}: expected a finite number, got {text!r} in {form}")
    return value


def _positive_int(text: str, where: str, form: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise HarnessConfigError(
            f"{where}: expected a whole number, got {text!r} in {form}"
        ) from None
    if value < 1:
        raise HarnessConfigError(f"{where}: expected a number >= 1, got {value} in {form}")
    return value


def _empirical(spec: str, name: str, where: str) -> Empirical:
    path = Path(name)
    if not name or not path.is_file():
        raise HarnessConfigError(
            f"{where}: expected empirical:FILE naming a file, no file {name!r}"
        )
    text = path.read_text(encoding="utf-8")
    pairs = _json_pairs(text, name) if path.suffix.lower() == ".json" else _csv_pairs(text, name)
    values: list[int] = []
    weights: list[float] = []
    for label, value, weight in pairs:
        values.append(_clamp(_number(value, label, "value,weight")))
        weight_value = _number(weight, label, "value,weight")
        if weight_value < 0:
            raise HarnessConfigError(f"{label}: expected a weight >= 0, got {weight}")
        weights.append(weight_value)
    if not values or sum(weights) <= 0:
        raise HarnessConfigError(f"{name}: expected at least one value with a positive weight")
    return Empirical(spec, tuple(values), tuple(itertools.accumulate(weights)))


def _csv_pairs(text: str, name: str) -> list[tuple[str, str, str]]:
    pairs = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or line.replace(" ", "").lower() == "value,weight":
            continue
        fields = line.split(",")
        if len(fields) != 2:
            raise HarnessConfigError(f"{name}:{number}: expected value,weight, got {line!r}")
        pairs.append((f"{name}:{number}", fields[0].strip(), fields[1].strip()))
    return pairs


def _json_pairs(text: str, name: str) -> list[tuple[str, str, str]]:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HarnessConfigError(f"{name}:{exc.lineno}: expected JSON: {exc.msg}") from None
    if isinstance(data, dict):
        return [(f"{name}: key {key!r}", str(key), str(data[key])) for key in data]
    if not isinstance(data, list):
        raise HarnessConfigError(f"{name}: expected a list of [value, weight] or an object")
    pairs = []
    for index, item in enumerate(data):
        if not isinstance(item, list) or len(item) != 2:
            raise HarnessConfigError(
                f"{name}: item {index}: expected [value, weight], got {item!r}"
            )
        pairs.append((f"{name}: item {index}", str(item[0]), str(item[1])))
    return pairs
