"""How many streams per second the simulator serves on one core at zero latency.

The simulator (``python -m harness.mock``, TTFT and ITL 0, fixed output
length) is pinned to one core; a light client of raw non-blocking sockets and
``epoll``, spread over a few processes pinned to another core, keeps every
connection busy with back-to-back streaming chat requests (the request the
harness sends, usage chunk included). Every response is checked: HTTP 200,
chunked framing intact, exactly ``--tokens`` content chunks, and
``data: [DONE]`` at the end.

Printed per connection count: valid streams/s over the measured window (after
a warm-up), invalid or failed streams, the simulator's CPU share and CPU time
per stream, the client's CPU share, the simulator's own count of completed
streams over the same window as a cross-check, and for each core the busy
share not charged to the benchmark's processes (kernel work such as loopback
networking, or another process: a high value means the figures are
disturbed). When the client's core is saturated before the simulator's,
streams/s is a lower bound of what the simulator can do.

    python benchmarks/simulator_throughput.py [--duration 10] [--connections 16 64 256]

127.0.0.1 only; stops by itself. Linux only (``epoll``, ``/proc``,
``sched_setaffinity``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import selectors
import socket
import sys
import time
from dataclasses import dataclass
from multiprocessing.queues import Queue
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from harness.mock.config import SimulatorConfig  # noqa: E402
from harness.mock.process import SimulatorProcess  # noqa: E402

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_END_OF_BODY = b"\r\n0\r\n\r\n"
_CONTENT_DELTA = b'"delta":{"content":'
_DONE = b"data: [DONE]\n\n"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid``, all its threads."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        text = stat.read()
    fields = text[text.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def core_busy_seconds(cpu: int) -> float:
    """Busy time of one core (everything but idle and iowait), from ``/proc/stat``."""
    prefix = f"cpu{cpu} ".encode()
    with open("/proc/stat", "rb") as stat:
        for line in stat:
            if line.startswith(prefix):
                ticks = [int(value) for value in line.split()[1:]]
                return (sum(ticks[:8]) - ticks[3] - ticks[4]) / _CLOCK_TICKS
    raise ValueError(f"no cpu{cpu} in /proc/stat")


def build_request(host: str, port: int, tokens: int, prompt_words: int) -> bytes:
    body = json.dumps(
        {
            "model": "sim-gpt",
            "messages": [{"role": "user", "content": " ".join(["token"] * prompt_words)}],
            "max_tokens": tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    ).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
        f"Accept-Encoding: identity\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


# -- response checking ------------------------------------------------------------


def dechunk(body: bytes) -> bytes:
    """The payload of a chunked body; ValueError when the framing is broken."""
    pieces: list[bytes] = []
    at = 0
    while True:
        line_end = body.index(b"\r\n", at)
        size = int(body[at:line_end].split(b";", 1)[0], 16)
        start = line_end + 2
        if size == 0:
            return b"".join(pieces)
        pieces.append(body[start : start + size])
        if body[start + size : start + size + 2] != b"\r\n":
            raise ValueError("chunk not followed by CRLF")
        at = start + size + 2


def stream_is_complete(response: bytes, tokens: int) -> bool:
    """HTTP 200, intact chunks, ``tokens`` content chunks, ``[DONE]`` last."""
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1.1 200 "):
        return False
    try:
        payload = dechunk(body)
    except ValueError:
        return False
    return payload.count(_CONTENT_DELTA) == tokens and payload.endswith(_DONE)


# -- the client ------------------------------------------------------------------------


@dataclass
class WorkerResult:
    valid: int = 0
    invalid: int = 0
    closed: int = 0


class _Connection:
    __slots__ = ("buffer", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""


def _open(address: tuple[str, int], request: bytes) -> _Connection:
    sock = socket.create_connection(address, timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(request)
    sock.setblocking(False)
    return _Connection(sock)


def client_worker(
    address: tuple[str, int],
    connections: int,
    request: bytes,
    tokens: int,
    window: tuple[float, float],
    cpu: int,
    results: Queue[dict[str, int]],
) -> None:
    """Keep ``connections`` streams going until the window ends; count the ones ending in it."""
    os.sched_setaffinity(0, {cpu})
    result = WorkerResult()
    selector = selectors.DefaultSelector()
    for _ in range(connections):
        connection = _open(address, request)
        selector.register(connection.sock, selectors.EVENT_READ, connection)
    start, end = window
    now = time.time()
    while now < end:
        for key, _ in selector.select(timeout=0.1):
            connection = key.data
            data = connection.sock.recv(262144)
            if not data:
                result.closed += 1
                selector.unregister(connection.sock)
                connection.sock.close()
                continue
            connection.buffer += data
            if not connection.buffer.endswith(_END_OF_BODY):
                continue
            now = time.time()
            if start <= now < end:
                if stream_is_complete(connection.buffer, tokens):
                    result.valid += 1
                else:
                    result.invalid += 1
            connection.buffer = b""
            connection.sock.send(request)
        now = time.time()
    selector.close()
    results.put(result.__dict__)


# -- one measurement -------------------------------------------------------------------


@dataclass
class Measurement:
    connections: int
    window_s: float
    valid: int
    invalid: int
    closed: int
    simulator_cpu: float
    client_cpu: float
    simulator_completed: int
    simulator_core_other: float
    """Busy share of the simulator's core not charged to it: kernel work or another process."""
    client_core_other: float

    @property
    def streams_per_s(self) -> float:
        return self.valid / self.window_s

    @property
    def simulator_us_per_stream(self) -> float | None:
        return self.simulator_cpu / self.streams_per_s * 1e6 if self.valid else None


def _sleep_until(at: float) -> None:
    time.sleep(max(0.0, at - time.time()))


def measure(simulator: SimulatorProcess, connections: int, args: argparse.Namespace) -> Measurement:
    parts = urlsplit(simulator.url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    request = build_request(address[0], address[1], args.tokens, args.prompt_words)
    start = time.time() + args.warmup
    window = (start, start + args.duration)
    context = multiprocessing.get_context("fork")
    results: Queue[dict[str, int]] = context.Queue()
    shares = [connections // args.processes] * args.processes
    for index in range(connections % args.processes):
        shares[index] += 1
    workers = [
        context.Process(
            target=client_worker,
            args=(address, share, request, args.tokens, window, args.client_cpu, results),
            daemon=True,
        )
        for share in shares
        if share
    ]
    for worker in workers:
        worker.start()
    pid = simulator.pid
    assert pid is not None
    counters = (
        lambda: cpu_seconds(pid),
        lambda: sum(cpu_seconds(w.pid) for w in workers if w.pid is not None),
        lambda: core_busy_seconds(args.simulator_cpu),
        lambda: core_busy_seconds(args.client_cpu),
        lambda: simulator.stats()["completed"],
    )
    _sleep_until(window[0])
    before = [counter() for counter in counters]
    _sleep_until(window[1])
    after = [counter() for counter in counters]
    used = [(a - b) / args.duration for a, b in zip(after, before, strict=True)]
    totals = WorkerResult()
    for _ in workers:
        found = results.get(timeout=30)
        totals.valid += found["valid"]
        totals.invalid += found["invalid"]
        totals.closed += found["closed"]
    for worker in workers:
        worker.join(timeout=10)
    return Measurement(
        connections=connections,
        window_s=args.duration,
        valid=totals.valid,
        invalid=totals.invalid,
        closed=totals.closed,
        simulator_cpu=used[0],
        client_cpu=used[1],
        simulator_completed=int(after[4] - before[4]),
        simulator_core_other=max(0.0, used[2] - used[0]),
        client_core_other=max(0.0, used[3] - used[1]),
    )


# -- main ------------------------------------------------------------------------------


def print_table(rows: list[Measurement]) -> None:
    print(
        "| connections | streams/s | invalid | closed | sim_cpu | sim_us/stream "
        "| client_cpu | sim_completed/s | sim_core_other | client_core_other |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for m in rows:
        per_stream = m.simulator_us_per_stream
        print(
            f"| {m.connections} | {m.streams_per_s:,.0f} | {m.invalid} | {m.closed} "
            f"| {m.simulator_cpu * 100:.0f}% "
            f"| {'-' if per_stream is None else f'{per_stream:,.0f}'} "
            f"| {m.client_cpu * 100:.0f}% | {m.simulator_completed / m.window_s:,.0f} "
            f"| {m.simulator_core_other * 100:.0f}% | {m.client_core_other * 100:.0f}% |"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--tokens", type=int, default=32, help="output tokens per stream")
    parser.add_argument("--prompt-words", type=int, default=32, help="prompt size in words")
    parser.add_argument("--client-cpu", type=int, default=0, help="core of the client")
    parser.add_argument("--simulator-cpu", type=int, default=1, help="core of the simulator")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = SimulatorConfig(ttft_ms=0, itl_ms=0, output_tokens=args.tokens, seed=1)
    rows = []
    with SimulatorProcess(config, cpu=args.simulator_cpu) as simulator:
        print(
            f"# simulator pid {simulator.pid} on cpu {args.simulator_cpu}: "
            f"python -m harness.mock {' '.join(config.to_cli_args())}",
            flush=True,
        )
        for connections in args.connections:
            rows.append(measure(simulator, connections, args))
            print(f"# {connections} connections done", flush=True)
    print_table(rows)
    failed = any(m.invalid or m.closed or not m.valid for m in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
