"""CPU per request of the harness's HTTP layer alone, against the zero-latency simulator.

One greenlet sends the harness's streaming chat request to the embedded
simulator (TTFT and ITL 0, 32 output tokens) through ``HttpTransport`` over
and over, reading every body block as ``ChatClient`` does, and prints the
process CPU time per exchange (best of ``--repeat`` timings of ``--number``
exchanges): request written, headers parsed, body read and framed, the
connection kept. No SSE or JSON decoding. Pin it with ``--cpu`` (the
simulator runs in its own process).

    python benchmarks/http_exchange.py --cpu 0
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import orjson  # noqa: E402

from harness.contracts import HttpCall  # noqa: E402
from harness.mock.config import SimulatorConfig  # noqa: E402
from harness.mock.process import SimulatorProcess  # noqa: E402
from harness.transport import HttpTransport  # noqa: E402


def exchange_cpu_us(call: HttpCall, number: int, repeat: int) -> float:
    transport = HttpTransport()
    for _ in range(200):  # warm up: connection made, code paths hot
        transport.open(call).read_body()
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for _ in range(number):
            exchange = transport.open(call)
            for _block in exchange.read_blocks():
                pass
            exchange.finish()
        best = min(best, (time.process_time() - started) / number * 1e6)
    transport.close()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=32, help="output tokens per stream")
    parser.add_argument("--number", type=int, default=2000, help="exchanges per timing")
    parser.add_argument("--repeat", type=int, default=5, help="timings; the best is printed")
    parser.add_argument("--cpu", type=int, help="pin this process to one core")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    config = SimulatorConfig(ttft_ms=0.0, itl_ms=0.0, output_tokens=args.tokens, seed=1)
    with SimulatorProcess(config) as simulator:
        body = {
            "model": "sim-gpt",
            "messages": [{"role": "user", "content": " ".join(["token"] * 32)}],
            "max_tokens": args.tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        call = HttpCall(
            "POST",
            simulator.url + "/v1/chat/completions",
            {"Content-Type": "application/json", "Accept": "text/event-stream"},
            orjson.dumps(body),
        )
        cpu = exchange_cpu_us(call, args.number, args.repeat)
    print(f"{args.tokens}-token stream: {cpu:.1f} us of CPU per exchange (best of {args.repeat})")


if __name__ == "__main__":
    main()
