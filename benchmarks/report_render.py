"""How long ``harness report`` takes over a large record file, and how much memory.

Generates realistic records (several targets, models, agent roles and
workflows, retries, fallbacks, errors of several kinds with messages,
streaming ITL buckets, usage, cost and rate-limit headers) over a run of
about an hour, writes them with the harness's own writer, then times
``harness report`` on the file in a fresh process and prints its wall time
and peak RSS (``resource.getrusage(RUSAGE_CHILDREN)``).

    python benchmarks/report_render.py [--records 1000000] [--gzip] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from harness.contracts import ErrorInfo, ErrorKind, RequestRecord, Usage
from harness.metrics.histogram import bucket_index
from harness.records import JsonlRecordWriter

TARGETS = (
    ("gpt-sim", "sim-gpt", 0.18),
    ("claude-sim", "sim-claude", 0.25),
    ("relay", "sim-gpt", 0.4),
)
ROLES = ("planner", "coder", "reviewer", "tester", None)
WORKFLOWS = ("incident-response", "customer-support", None)
ERRORS: tuple[tuple[ErrorKind, int | None, str], ...] = (
    ("rate_limited", 429, "Rate limit reached for sk-proj-AAAAAAAAAAAAAAAAAAAA, retry in 1s"),
    ("server", 500, "upstream returned 500 Internal Server Error"),
    ("timeout", None, "no byte for 5.0 s (stall timeout)"),
    ("stream_broken", None, "connection closed mid-stream after 17 chunks"),
    ("overloaded", 529, "overloaded_error: try again later"),
)
RUN_SECONDS = 3_600.0


def make_record(index: int, rng: random.Random, start: float) -> RequestRecord:
    target, model, base_ttft = TARGETS[index % len(TARGETS)]
    role = ROLES[index % len(ROLES)]
    workflow = WORKFLOWS[index % len(WORKFLOWS)]
    tags = {"scenario": "bench"}
    if role and workflow:
        tags |= {"role": role, "workflow": workflow, "step": role}
    attempt = 2 if index % 23 == 0 else 1
    started = start + RUN_SECONDS * index / 1_000_000 + rng.random() * 0.5
    common: dict[str, Any] = {
        "request_id": f"r{index}",
        "attempt": attempt,
        "started_at": started,
        "target": target,
        "provider": "openai",
        "model": model,
        "stream": True,
        "tags": tags,
        "retry_delay_s": 0.2 if attempt > 1 else 0.0,
        "fallback_from": "relay" if index % 97 == 0 and target != "relay" else None,
        "rate_limit": {"remaining_requests": 5_000 - index % 5_000, "remaining_tokens": 900_000},
        "bytes_sent": 900,
    }
    if index % 17 == 0:
        kind, status, message = ERRORS[(index // 17) % len(ERRORS)]
        return RequestRecord(
            ok=False,
            http_status=status,
            error=ErrorInfo(kind=kind, message=message, http_status=status),
            e2e_s=0.05 + rng.random(),
            headers_s=0.04,
            final=attempt > 1 or kind not in ("rate_limited", "server"),
            **common,
        )
    ttft = base_ttft * (0.7 + rng.random() * 0.8)
    tokens = 32 + index % 200
    gaps = [0.01 + rng.random() * 0.02 for _ in range(8)]
    buckets: dict[int, int] = {}
    for gap in gaps:
        key = bucket_index(gap)
        buckets[key] = buckets.get(key, 0) + tokens // 8
    e2e = ttft + sum(gaps) * tokens / 8
    usage = Usage(input_tokens=400 + index % 300, output_tokens=tokens)
    cost = f"{(usage.input_tokens * 3 + tokens * 15) / 1_000_000:.8f}"
    return RequestRecord(
        ok=True,
        http_status=200,
        headers_s=ttft * 0.9,
        ttft_s=ttft,
        e2e_s=e2e,
        itl_buckets=buckets,
        itl_sum_s=sum(gaps) * tokens / 8,
        itl_min_s=min(gaps),
        itl_max_s=max(gaps),
        output_events=tokens,
        usage=usage,
        usage_estimate=usage,
        finish_reason="stop",
        bytes_received=tokens * 120,
        cost={"input": cost, "output": "0", "total": cost, "currency": "USD"},
        logical_e2e_s=e2e + (0.3 if attempt > 1 else 0.0),
        **common,
    )


def write_file(path: Path, count: int, gzip: bool) -> float:
    rng = random.Random(7)
    began = time.perf_counter()
    start = time.time() - RUN_SECONDS
    with JsonlRecordWriter(path, gzip=gzip) as writer:
        for index in range(count):
            writer.write(make_record(index, rng, start))
    return time.perf_counter() - began


def time_report(path: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (all processes) and peak RSS (MiB) of ``harness report``.

    CPU time is the steadier figure on a shared machine: wall time also
    counts the time other processes held the cores.
    """
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "harness.cli", "report", str(path), "-o", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--gzip", action="store_true", help="write records.jsonl.gz")
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="time the work dir's record file again, unchanged"
    )
    args = parser.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="report-render-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / ("records.jsonl.gz" if args.gzip else "records.jsonl")
    size_mib = path.stat().st_size / 2**20 if path.exists() else 0.0
    if not (args.reuse and path.exists()):
        written_s = write_file(path, args.records, args.gzip)
        size_mib = path.stat().st_size / 2**20
        print(
            f"wrote {args.records:,} records ({size_mib:,.1f} MiB) to {path} in {written_s:.1f} s"
        )
    seconds, cpu_s, peak_mib = time_report(path, work / "report")
    requests = orjson.loads((work / "report" / "summary.json").read_bytes())["overall"]["requests"]
    rate = requests / seconds
    print(
        f"harness report on {requests:,} records ({size_mib:,.1f} MiB): {seconds:.2f} s "
        f"({rate:,.0f} records/s), {cpu_s:.1f} CPU s on {os.cpu_count()} cores, "
        f"peak RSS {peak_mib:,.0f} MiB (largest process)"
    )


if __name__ == "__main__":
    main()
