"""How much load one generator core can drive, the harness against a minimal Locust user.

The simulator runs at zero latency (by default) pinned to one core; for each
concurrency the harness's locustfile (``locustfiles/chat.py``) and the
baseline (``benchmarks/baseline_locustfile.py``, a bare FastHttpUser reading
SSE lines) each run headless in their own process, pinned with ``taskset`` to
another core. Printed per run:

- completed streams/s and output tokens/s over the measured window (first
  request start to last request end; the harness's from ``summary.json``),
- TTFT p50 / p99, exact (the harness's from ``records.jsonl``; the coarser
  log-bucket values of ``summary.json`` follow the table as notes), and the
  TTFT error: p50 minus the simulator's injected TTFT,
- failed requests,
- the generator's and the simulator's CPU share over that window (from
  ``/proc/PID/stat``, sampled every 100 ms), the generator's CPU time per
  stream, and ``core_other``: the busy share of the generator's core not
  charged to the generator (kernel work such as loopback networking, or
  another process: a high value means the figures are disturbed), and
  ``sim_core_other``, the same on the simulator's core.

The generators import the code of the checkout this script lives in
(``PYTHONPATH``); the header and the end of the output name its git commit and
a hash of the measured sources, and a run whose sources changed midway fails.

A last pass with an injected TTFT (``--extra-ttft-ms``, 200 ms by default)
shows the TTFT measurement error under a real latency.

    python benchmarks/overhead.py [--duration 15] [--concurrency 16 64 256] [--ttft-ms 0]

Everything runs on 127.0.0.1 and stops by itself. Linux only (``taskset``,
``/proc``); needs two cores for the pinning to mean anything.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import orjson  # noqa: E402

from harness.mock.config import SimulatorConfig  # noqa: E402
from harness.mock.process import SimulatorProcess  # noqa: E402

HARNESS_LOCUSTFILE = ROOT / "locustfiles" / "chat.py"
BASELINE_LOCUSTFILE = ROOT / "benchmarks" / "baseline_locustfile.py"
TOOLS = ("baseline", "harness")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_SAMPLE_EVERY_S = 0.1


# -- CPU accounting ------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` (its threads included), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    # The command name may hold spaces; the fields after it are fixed.
    fields = text[text.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def core_busy_seconds(cpu: int) -> float | None:
    """Busy time of one core (everything but idle and iowait), from ``/proc/stat``."""
    prefix = f"cpu{cpu} ".encode()
    with open("/proc/stat", "rb") as stat:
        for line in stat:
            if line.startswith(prefix):
                ticks = [int(value) for value in line.split()[1:]]
                return (sum(ticks[:8]) - ticks[3] - ticks[4]) / _CLOCK_TICKS
    return None


class CpuSampler:
    """Samples CPU-time counters against wall-clock (epoch) time, in a thread.

    Each counter is a callable returning seconds of CPU, or None when it is gone.
    """

    def __init__(self, counters: Mapping[str, Callable[[], float | None]]) -> None:
        self.counters = counters
        self.samples: dict[str, list[tuple[float, float]]] = {name: [] for name in counters}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.time()
            for name, counter in self.counters.items():
                used = counter()
                if used is not None:
                    self.samples[name].append((now, used))
            self._stop.wait(_SAMPLE_EVERY_S)

    def share(self, name: str, start: float, end: float) -> float | None:
        """CPU seconds per wall second of ``name`` between two epoch times (interpolated)."""
        samples = self.samples[name]
        if end <= start or len(samples) < 2:
            return None
        if start < samples[0][0] or end > samples[-1][0]:
            return None
        return (_interpolate(samples, end) - _interpolate(samples, start)) / (end - start)


def _interpolate(samples: list[tuple[float, float]], at: float) -> float:
    index = bisect.bisect_left(samples, (at, -1.0))
    if index == 0:
        return samples[0][1]
    (t0, c0), (t1, c1) = samples[index - 1], samples[index]
    return c0 + (c1 - c0) * (at - t0) / (t1 - t0) if t1 > t0 else c1


# -- one run -----------------------------------------------------------------------


@dataclass
class Outcome:
    """What one generator run measured; rates are per second of the measured window."""

    tool: str
    users: int
    injected_ttft_ms: float
    streams: int = 0
    failed: int = 0
    window: tuple[float, float] | None = None
    output_tokens: int | None = None
    ttft_p50_s: float | None = None
    ttft_p99_s: float | None = None
    harness_streams_per_s: float | None = None
    generator_cpu: float | None = None
    simulator_cpu: float | None = None
    other_cpu: float | None = None
    """Busy share of the generator's core not charged to the generator (kernel, other processes)."""
    simulator_other_cpu: float | None = None
    """The same on the simulator's core. This script is not pinned: its sampling counts too."""
    command: str = ""
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def window_s(self) -> float | None:
        return self.window[1] - self.window[0] if self.window else None

    @property
    def streams_per_s(self) -> float | None:
        if self.harness_streams_per_s is not None:
            return self.harness_streams_per_s
        span = self.window_s
        return self.streams / span if span else None

    @property
    def tokens_per_s(self) -> float | None:
        span = self.window_s
        return self.output_tokens / span if span and self.output_tokens is not None else None

    @property
    def ttft_error_s(self) -> float | None:
        """TTFT p50 minus the injected TTFT."""
        if self.ttft_p50_s is None:
            return None
        return self.ttft_p50_s - self.injected_ttft_ms / 1000.0

    @property
    def cpu_us_per_stream(self) -> float | None:
        rate = self.streams_per_s
        if self.generator_cpu is None or not rate:
            return None
        return self.generator_cpu / rate * 1e6


@dataclass(frozen=True)
class Settings:
    duration_s: int
    tokens: int
    prompt_words: int
    generator_cpu: int
    simulator_cpu: int
    stop_timeout_s: int
    work_dir: Path
    max_other: float
    retries: int


def locust_command(tool: str, users: int, host: str, settings: Settings, out: Path) -> list[str]:
    locustfile = HARNESS_LOCUSTFILE if tool == "harness" else BASELINE_LOCUSTFILE
    command = [
        "taskset", "-c", str(settings.generator_cpu),
        sys.executable, "-m", "locust",
        "-f", str(locustfile),
        "--headless",
        "-u", str(users), "-r", str(users),
        "-t", f"{settings.duration_s}s",
        "--stop-timeout", str(settings.stop_timeout_s),
        "--host", host,
        "--only-summary",
    ]  # fmt: skip
    if tool == "harness":
        command += [
            "--max-tokens", str(settings.tokens),
            "--prompt-tokens", str(settings.prompt_words),
            "--report-dir", str(out),
        ]  # fmt: skip
    return command


def run_generator(
    tool: str, users: int, simulator: SimulatorProcess, settings: Settings, injected_ms: float
) -> Outcome:
    out = settings.work_dir / f"{tool}-u{users}-ttft{injected_ms:g}"
    out.mkdir(parents=True, exist_ok=True)
    command = locust_command(tool, users, simulator.url, settings, out)
    # The generator imports the code of this checkout, as the simulator does.
    extra = {
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    }
    if tool == "baseline":
        extra["BASELINE_RESULT"] = str(out / "baseline.json")
        extra["BASELINE_MAX_TOKENS"] = str(settings.tokens)
        extra["BASELINE_PROMPT_WORDS"] = str(settings.prompt_words)
    env = {**os.environ, **extra}
    env_shown = " ".join(f"{k}={shlex.quote(v)}" for k, v in extra.items()) + " "
    outcome = Outcome(tool, users, injected_ms, command=env_shown + shlex.join(command))
    print(f"$ {outcome.command}", flush=True)
    assert simulator.pid is not None
    with open(out / "locust.log", "wb") as log:
        process = subprocess.Popen(
            command, cwd=out, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        counters = {
            "generator": functools.partial(cpu_seconds, process.pid),
            "simulator": functools.partial(cpu_seconds, simulator.pid),
            "generator_core": functools.partial(core_busy_seconds, settings.generator_cpu),
            "simulator_core": functools.partial(core_busy_seconds, settings.simulator_cpu),
        }
        with CpuSampler(counters) as sampler:
            try:
                process.wait(timeout=settings.duration_s + settings.stop_timeout_s + 60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                outcome.problems.append("generator killed: it did not stop in time")
    if process.returncode != 0:
        outcome.problems.append(
            f"generator exit code {process.returncode} (see {out / 'locust.log'})"
        )
    read_result = read_harness_result if tool == "harness" else read_baseline_result
    try:
        read_result(out, outcome)
    except (OSError, ValueError, KeyError) as exc:
        outcome.problems.append(f"no result: {exc}")
    if outcome.window is not None:
        outcome.generator_cpu = sampler.share("generator", *outcome.window)
        outcome.simulator_cpu = sampler.share("simulator", *outcome.window)
        outcome.other_cpu = _other(sampler, "generator", outcome.window)
        outcome.simulator_other_cpu = _other(sampler, "simulator", outcome.window)
    return outcome


def _other(sampler: CpuSampler, name: str, window: tuple[float, float]) -> float | None:
    """Busy share of the core of ``name`` not charged to ``name``."""
    core = sampler.share(f"{name}_core", *window)
    own = sampler.share(name, *window)
    return None if core is None or own is None else max(0.0, core - own)


def read_harness_result(out: Path, outcome: Outcome) -> None:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    overall = summary["overall"]
    outcome.streams = overall["ok"]
    outcome.failed = overall["failed"]
    outcome.output_tokens = overall["tokens"]["output"]
    outcome.harness_streams_per_s = overall["throughput"]["requests_per_s"]
    ttft = overall["latency"]["ttft"]
    outcome.notes.append(
        f"summary.json TTFT p50 {_fmt(ttft['p50'], 2, 1000.0)} ms, "
        f"p99 {_fmt(ttft['p99'], 2, 1000.0)} ms (log buckets, 1% relative accuracy)"
    )
    outcome.window, ttfts = scan_records(out / "records.jsonl")
    outcome.ttft_p50_s = percentile(ttfts, 0.5)
    outcome.ttft_p99_s = percentile(ttfts, 0.99)


def scan_records(path: Path) -> tuple[tuple[float, float] | None, list[float]]:
    """The throughput window of summary.json (first start to last end) and the exact TTFTs.

    TTFT percentiles come from the raw records, as the baseline's do, rather
    than from summary.json's log buckets, whose 1 % relative accuracy is
    +-2 ms at 200 ms: too coarse for the error this benchmark looks for.
    """
    start, end = float("inf"), 0.0
    ttfts = []
    with open(path, "rb") as lines:
        for line in lines:
            record = orjson.loads(line)
            started = record["started_at"]
            start = min(start, started)
            end = max(end, started + (record.get("e2e_s") or 0.0))
            if record["ok"] and record.get("ttft_s") is not None:
                ttfts.append(record["ttft_s"])
    ttfts.sort()
    return ((start, end) if end > start else None), ttfts


def percentile(ordered: list[float], q: float) -> float | None:
    """The sample at rank ``q * (n - 1)``, as the baseline computes it."""
    return ordered[int(q * (len(ordered) - 1))] if ordered else None


def read_baseline_result(out: Path, outcome: Outcome) -> None:
    result = json.loads((out / "baseline.json").read_text(encoding="utf-8"))
    outcome.streams = result["streams"]
    outcome.failed = result["failures"]
    window = result["window"]
    outcome.window = (float(window[0]), float(window[1])) if window else None
    outcome.ttft_p50_s = result["ttft_s"]["p50"]
    outcome.ttft_p99_s = result["ttft_s"]["p99"]


# -- printing ------------------------------------------------------------------------

COLUMNS = (
    ("tool", 8),
    ("users", 5),
    ("ttft_in_ms", 10),
    ("streams/s", 9),
    ("out_tok/s", 9),
    ("ttft_p50_ms", 11),
    ("ttft_p99_ms", 11),
    ("ttft_err_ms", 11),
    ("failed", 6),
    ("gen_cpu", 7),
    ("gen_us/stream", 13),
    ("core_other", 10),
    ("sim_cpu", 7),
    ("sim_core_other", 14),
)


def _fmt(value: float | None, digits: int = 0, scale: float = 1.0, percent: bool = False) -> str:
    if value is None:
        return "-"
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value * scale:,.{digits}f}"


def row_cells(o: Outcome) -> list[str]:
    return [
        o.tool,
        str(o.users),
        f"{o.injected_ttft_ms:g}",
        _fmt(o.streams_per_s),
        _fmt(o.tokens_per_s),
        _fmt(o.ttft_p50_s, 2, 1000.0),
        _fmt(o.ttft_p99_s, 2, 1000.0),
        _fmt(o.ttft_error_s, 2, 1000.0),
        str(o.failed),
        _fmt(o.generator_cpu, percent=True),
        _fmt(o.cpu_us_per_stream),
        _fmt(o.other_cpu, percent=True),
        _fmt(o.simulator_cpu, percent=True),
        _fmt(o.simulator_other_cpu, percent=True),
    ]


def outcome_json(o: Outcome) -> dict[str, Any]:
    """One row as numbers (seconds, shares in 0..1, None when unknown) for --json."""
    return {
        "tool": o.tool,
        "users": o.users,
        "injected_ttft_s": o.injected_ttft_ms / 1000.0,
        "streams": o.streams,
        "failed": o.failed,
        "window_s": o.window_s,
        "streams_per_s": o.streams_per_s,
        "output_tokens_per_s": o.tokens_per_s,
        "ttft_p50_s": o.ttft_p50_s,
        "ttft_p99_s": o.ttft_p99_s,
        "ttft_error_s": o.ttft_error_s,
        "generator_cpu": o.generator_cpu,
        "generator_cpu_us_per_stream": o.cpu_us_per_stream,
        "generator_core_other": o.other_cpu,
        "simulator_cpu": o.simulator_cpu,
        "simulator_core_other": o.simulator_other_cpu,
        "command": o.command,
        "notes": o.notes,
        "problems": o.problems,
    }


def print_table(outcomes: list[Outcome]) -> None:
    lines = [
        "| " + " | ".join(name.ljust(width) for name, width in COLUMNS) + " |",
        "|" + "|".join("-" * (width + 2) for _, width in COLUMNS) + "|",
    ]
    for outcome in outcomes:
        cells = row_cells(outcome)
        padded = [cells[0].ljust(COLUMNS[0][1])]
        padded += [
            cell.rjust(width) for cell, (_, width) in zip(cells[1:], COLUMNS[1:], strict=True)
        ]
        lines.append("| " + " | ".join(padded) + " |")
    print("\n".join(lines), flush=True)
    for outcome in outcomes:
        where = f"{outcome.tool} u={outcome.users} ttft={outcome.injected_ttft_ms:g}"
        for note in outcome.notes:
            print(f"note: {where}: {note}", flush=True)
        for problem in outcome.problems:
            print(f"PROBLEM: {where}: {problem}", flush=True)


# -- the code measured ------------------------------------------------------------------

_MEASURED_CODE = ("harness", "plugins", "locustfiles", "benchmarks/baseline_locustfile.py")


def code_fingerprint() -> str:
    """A hash of the Python sources the generators run, to notice edits during a run."""
    digest = hashlib.sha1()
    for name in _MEASURED_CODE:
        top = ROOT / name
        for path in sorted(top.rglob("*.py") if top.is_dir() else [top]):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def code_version() -> str:
    """The git commit, whether the measured sources differ from it, and their fingerprint."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "-uno", "--", *_MEASURED_CODE],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head, changed = "unknown commit", ""
    dirty = " + uncommitted changes" if changed else ""
    return f"{head}{dirty}, sources {code_fingerprint()}"


# -- main ------------------------------------------------------------------------------


def run_series(
    users_list: list[int],
    config: SimulatorConfig,
    settings: Settings,
    tools: tuple[str, ...],
) -> list[Outcome]:
    outcomes = []
    simulator_cpu = settings.simulator_cpu
    with SimulatorProcess(config, cpu=simulator_cpu) as simulator:
        print(
            f"# simulator {simulator.url} pid {simulator.pid} on cpu {simulator_cpu}: "
            f"python -m harness.mock {shlex.join(config.to_cli_args())}",
            flush=True,
        )
        for users in users_list:
            outcomes += run_pair(users, simulator, settings, tools, config.ttft_ms)
    return outcomes


def disturbance(outcome: Outcome) -> float:
    """The larger busy share, on either core, that the benchmark's processes did not use."""
    return max(outcome.other_cpu or 0.0, outcome.simulator_other_cpu or 0.0)


def run_pair(
    users: int,
    simulator: SimulatorProcess,
    settings: Settings,
    tools: tuple[str, ...],
    injected_ms: float,
) -> list[Outcome]:
    """Run every tool at ``users``; run them all again while another load disturbed one."""
    for attempt in range(settings.retries + 1):
        outcomes = [run_generator(tool, users, simulator, settings, injected_ms) for tool in tools]
        worst = max(disturbance(outcome) for outcome in outcomes)
        if worst <= settings.max_other:
            return outcomes
        print(
            f"# disturbed: {worst:.0%} of a core busy outside the benchmark "
            f"(attempt {attempt + 1} of {settings.retries + 1})",
            flush=True,
        )
    for outcome in outcomes:
        outcome.notes.append(f"disturbed: up to {disturbance(outcome):.0%} of a core busy outside")
    return outcomes


def simulator_config(args: argparse.Namespace, ttft_ms: float) -> SimulatorConfig:
    return SimulatorConfig(ttft_ms=ttft_ms, itl_ms=args.itl_ms, output_tokens=args.tokens, seed=1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per run (default 15)")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[16, 64, 256], help="users per run"
    )
    parser.add_argument("--ttft-ms", type=float, default=0.0, help="injected TTFT (default 0)")
    parser.add_argument("--itl-ms", type=float, default=0.0, help="injected ITL (default 0)")
    parser.add_argument("--tokens", type=int, default=32, help="output tokens per stream")
    parser.add_argument("--prompt-words", type=int, default=32, help="prompt size in words")
    parser.add_argument(
        "--extra-ttft-ms",
        type=float,
        default=200.0,
        help="injected TTFT of the last pass; 0 skips it (default 200)",
    )
    parser.add_argument(
        "--extra-concurrency", type=int, default=64, help="users of the last pass (default 64)"
    )
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--generator-cpu", type=int, default=0, help="core of the generator")
    parser.add_argument("--simulator-cpu", type=int, default=1, help="core of the simulator")
    parser.add_argument("--stop-timeout", type=int, default=10, help="Locust --stop-timeout")
    parser.add_argument(
        "--max-other",
        type=float,
        default=10.0,
        metavar="PERCENT",
        help="rerun a concurrency when either core was busier than this outside the "
        "benchmark (another process on a shared machine; default 10)",
    )
    parser.add_argument(
        "--retries", type=int, default=2, help="reruns of a disturbed concurrency (default 2)"
    )
    parser.add_argument("--work-dir", type=Path, default=None, help="keep the runs' files here")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("taskset") is None:
        print("overhead.py: needs taskset (util-linux)", file=sys.stderr)
        return 2
    if (os.cpu_count() or 1) < 2:
        print("warning: fewer than 2 cores; generator and simulator share one", file=sys.stderr)
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="harness-overhead-"))
    settings = Settings(
        duration_s=args.duration,
        tokens=args.tokens,
        prompt_words=args.prompt_words,
        generator_cpu=args.generator_cpu,
        simulator_cpu=args.simulator_cpu,
        stop_timeout_s=args.stop_timeout,
        work_dir=work_dir.resolve(),
        max_other=args.max_other / 100.0,
        retries=args.retries,
    )
    tools = tuple(tool for tool in TOOLS if tool in args.tools)
    version = code_version()
    print(f"# code: {version}", flush=True)
    outcomes = run_series(
        args.concurrency,
        simulator_config(args, args.ttft_ms),
        settings,
        tools,
    )
    if args.extra_ttft_ms > 0:
        outcomes += run_series(
            [args.extra_concurrency],
            simulator_config(args, args.extra_ttft_ms),
            settings,
            tools,
        )
    print()
    print_table(outcomes)
    print(f"\ncode: {version}")
    print(f"run files: {work_dir}")
    if code_version() != version:
        print("PROBLEM: the measured sources changed during the run; the rows mix versions")
        return 1
    if args.json:
        rows = [outcome_json(outcome) for outcome in outcomes]
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(not o.problems for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
