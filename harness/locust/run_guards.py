"""What watches a test run besides the users: phases, stop rules, the generator's health.

:class:`RunGuards` is built from the options with the run (bad values are a
HarnessConfigError before any traffic), started with each test and stopped
before the reports are written. A greenlet samples the generator once a second
(event-loop lag and process CPU) and feeds the over-saturation stop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gevent

from harness.contracts import RequestRecord
from harness.errors import HarnessConfigError
from harness.metrics.aggregate import MEASURED
from harness.metrics.generator_health import GeneratorHealth
from harness.slo.per_request import RequestCheck
from harness.slo.phases import PhaseClock, parse_duration
from harness.slo.stop_rules import ErrorRateStop, OversaturationStop

#: How late a sleep of this many seconds wakes up is the event loop's lag.
LAG_PROBE_S = 0.1
SAMPLE_EVERY_S = 1.0


@dataclass(frozen=True)
class GuardSettings:
    warmup_s: float = 0.0
    cooldown_s: float = 0.0
    run_time_s: float | None = None
    max_error_rate: float | None = None
    stop_on_oversaturation: bool = False
    saturation_fatal: bool = False

    @classmethod
    def from_options(cls, options: Any) -> GuardSettings:
        run_time = getattr(options, "run_time", None)
        settings = cls(
            warmup_s=_seconds("--warmup", getattr(options, "warmup", None)),
            cooldown_s=_seconds("--cooldown", getattr(options, "cooldown", None)),
            run_time_s=_seconds("--run-time", run_time) if run_time else None,
            max_error_rate=_percent(getattr(options, "max_error_rate", None)),
            stop_on_oversaturation=bool(getattr(options, "stop_on_oversaturation", False)),
            saturation_fatal=bool(getattr(options, "saturation_fatal", False)),
        )
        if settings.cooldown_s and settings.run_time_s is None:
            raise HarnessConfigError("--cooldown needs --run-time: it is the end of a known run")
        total = settings.run_time_s
        if total is not None and settings.warmup_s + settings.cooldown_s >= total > 0:
            raise HarnessConfigError(
                f"--warmup {settings.warmup_s:g}s and --cooldown {settings.cooldown_s:g}s leave "
                f"nothing of --run-time {total:g}s to measure"
            )
        return settings


def _seconds(option: str, value: Any) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return parse_duration(str(value))
    except ValueError as exc:
        raise HarnessConfigError(f"{option}: {exc}") from None


def _percent(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        percent = float(str(value).strip().removesuffix("%"))
    except ValueError:
        raise HarnessConfigError(
            f"--max-error-rate: expected a percentage like 5%, got {value!r}"
        ) from None
    if not 0 <= percent <= 100:
        raise HarnessConfigError(f"--max-error-rate: expected 0% to 100%, got {value!r}")
    return percent


class RunGuards:
    def __init__(
        self,
        settings: GuardSettings,
        stop: Callable[[str], None],
        check: RequestCheck | None = None,
    ) -> None:
        self.settings = settings
        self._check = check
        self._stop = stop
        self.clock = PhaseClock(0.0)
        self.health = GeneratorHealth()
        self._errors: ErrorRateStop | None = None
        self._saturation: OversaturationStop | None = None
        self._in_flight = 0
        self._ended_e2e: list[float] = []
        self._sampler: gevent.Greenlet | None = None

    def start(self, started_at: float) -> None:
        settings = self.settings
        planned_end = started_at + settings.run_time_s if settings.run_time_s else None
        self.clock = PhaseClock(started_at, settings.warmup_s, settings.cooldown_s, planned_end)
        self.health = GeneratorHealth()
        limit = settings.max_error_rate
        self._errors = ErrorRateStop(limit) if limit is not None else None
        self._saturation = OversaturationStop() if settings.stop_on_oversaturation else None
        self._ended_e2e = []
        self.stop()
        self._sampler = gevent.spawn(self._sample_forever)

    def stop(self) -> None:
        if self._sampler is not None:
            self._sampler.kill(block=False)
            self._sampler = None

    def classify(self, record: RequestRecord) -> None:
        """Set the attempt's phase and, with SLOs, whether it met the per-request ones."""
        record.phase = self.clock.phase_of(record.started_at)
        if self._check is not None:
            record.slo_met = self._check(record)

    def in_flight(self) -> _InFlight:
        """``with guards.in_flight():`` counts a request in flight for the saturation stop."""
        return _InFlight(self)

    def observe(self, record: RequestRecord) -> None:
        """Every attempt, measured or not: the error-rate stop and the latency series."""
        if record.ok and record.e2e_s is not None and record.phase == MEASURED:
            self._ended_e2e.append(record.e2e_s)
        if self._errors is not None:
            reason = self._errors.observe(record.ok)
            if reason is not None:
                self._stop(reason)

    def warnings(self) -> list[str]:
        reason = self.health.saturation_reason()
        if reason is None:
            return []
        return [f"load generator saturated ({reason}): latencies are not trustworthy"]

    def _sample_forever(self) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        while True:
            probe = time.perf_counter()
            gevent.sleep(LAG_PROBE_S)
            lag_ms = max(0.0, time.perf_counter() - probe - LAG_PROBE_S) * 1000.0
            gevent.sleep(max(0.0, SAMPLE_EVERY_S - (time.perf_counter() - wall)))
            now_wall, now_cpu = time.perf_counter(), time.process_time()
            self.health.add(lag_ms, (now_cpu - cpu) / (now_wall - wall) * 100.0)
            wall, cpu = now_wall, now_cpu
            self._check_saturation()

    def _check_saturation(self) -> None:
        ended, self._ended_e2e = self._ended_e2e, []
        if self._saturation is None:
            return
        latency = sum(ended) / len(ended) if ended else None
        reason = self._saturation.observe(self._in_flight, latency)
        if reason is not None:
            self._stop(reason)


class _InFlight:
    """The context of one request in flight; a class, as a generator-based
    context manager costs several times more for every request."""

    __slots__ = ("_guards",)

    def __init__(self, guards: RunGuards) -> None:
        self._guards = guards

    def __enter__(self) -> None:
        self._guards._in_flight += 1

    def __exit__(self, *exc_info: object) -> None:
        self._guards._in_flight -= 1
