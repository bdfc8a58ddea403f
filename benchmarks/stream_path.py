"""CPU per stream of the harness's own per-request path, on fixed input.

``overhead.py`` measures the whole generator under load, which drifts with
whatever else the machine runs. This times the same per-request work offline,
so that a code change can be judged on its own: one 32-token stream of the
embedded simulator is captured once (the blocks as ``recv`` returned them),
then replayed in this process through

- ``stream``: SSE decoding, ``parse_stream`` and the client's event loop
  with its timing (``ChatClient._consume_stream``);
- ``call``: all of ``ChatClient.call`` (request built, record filled, usage
  estimated);
- ``record``: ``LlmRun.record`` of a finished record (phase, pricing,
  ``records.jsonl``, the aggregates, Locust's request event);
- ``execute``: ``LlmRun.execute``, one logical request end to end: what a
  ``ChatUser`` does per task, minus the socket.

The replayed blocks come either as captured (``--blocks captured``: at zero
latency the simulator writes a whole stream in one or two segments) or one
SSE event per block (``split``, as a real model's tokens arrive). Each figure
is the best of ``--repeat`` timings of ``--number`` calls, in µs per stream.

    python benchmarks/stream_path.py                  # both block shapes
    python benchmarks/stream_path.py --cpu 0 --repeat 9
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import timeit  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

from locust import events  # noqa: E402
from locust.argument_parser import get_parser  # noqa: E402
from locust.env import Environment  # noqa: E402

import harness.locust  # noqa: E402, F401  (registers the harness's options and hooks)
from harness.client import ChatClient  # noqa: E402
from harness.contracts import HttpCall, RequestRecord  # noqa: E402
from harness.locust.lifecycle import llm_run_for  # noqa: E402
from harness.locust.llm_run import LlmRun  # noqa: E402
from harness.mock.config import SimulatorConfig  # noqa: E402
from harness.mock.process import SimulatorProcess  # noqa: E402
from harness.stream_output import StreamOutput  # noqa: E402
from harness.targets import ResolvedTarget  # noqa: E402
from harness.transport import HttpTransport  # noqa: E402


class ReplayExchange:
    """An HttpExchange whose body is the captured blocks, read again."""

    def __init__(self, blocks: list[bytes], headers: dict[str, str]) -> None:
        self._blocks = blocks
        self.status = 200
        self.headers = headers
        self.sent_at = 1.0
        self.headers_at = 1.001
        self.bytes_sent = 0
        self.bytes_received = 0

    def read_blocks(self) -> Iterator[tuple[bytes, float]]:
        at = self.headers_at
        for block in self._blocks:
            at += 0.0001
            self.bytes_received += len(block)
            yield block, at

    def read_body(self) -> bytes:
        return b"".join(self._blocks)

    def finish(self) -> None:
        pass

    def discard(self) -> None:
        pass


class ReplayTransport:
    def __init__(self, blocks: list[bytes], headers: dict[str, str]) -> None:
        self.blocks = blocks
        self.headers = headers

    def open(self, call: HttpCall) -> ReplayExchange:
        return ReplayExchange(self.blocks, self.headers)

    def close(self) -> None:
        pass


def capture(tokens: int, prompt_words: int) -> tuple[list[bytes], dict[str, str]]:
    """One real stream of a zero-latency simulator: its blocks and response headers."""
    config = SimulatorConfig(ttft_ms=0.0, itl_ms=0.0, output_tokens=tokens, seed=1)
    with SimulatorProcess(config) as simulator:
        body = (
            b'{"model": "sim-gpt", "messages": [{"role": "user", "content": "'
            + b" ".join([b"token"] * prompt_words)
            + b'"}], "max_tokens": %d, "stream": true, '
            b'"stream_options": {"include_usage": true}}' % tokens
        )
        call = HttpCall(
            "POST",
            simulator.url + "/v1/chat/completions",
            {"Content-Type": "application/json", "Accept": "text/event-stream"},
            body,
        )
        transport = HttpTransport()
        exchange = transport.open(call)
        blocks = [block for block, _ in exchange.read_blocks()]
        headers = exchange.headers
        exchange.finish()
        transport.close()
    return blocks, headers


def split_events(blocks: list[bytes]) -> list[bytes]:
    """The same body, one SSE event (ending in its blank line) per block."""
    body = b"".join(blocks)
    return [part + b"\n\n" for part in body.split(b"\n\n") if part]


def harness_run(args: argparse.Namespace, transport: ReplayTransport, work: str) -> LlmRun:
    options = get_parser(default_config_files=[]).parse_args(
        [
            "--host",
            "http://127.0.0.1:9",
            "--max-tokens",
            str(args.tokens),
            "--prompt-tokens",
            str(args.prompt_words),
            "--report-dir",
            work,
        ]
    )
    environment = Environment(events=events, host=options.host, parsed_options=options)
    runner = environment.create_local_runner()
    events.init.fire(environment=environment, runner=runner, web_ui=None)
    run = llm_run_for(environment)

    def replay_client(resolved: ResolvedTarget) -> ChatClient:
        return ChatClient(resolved.target, resolved.adapter, transport, resolved.api_key)  # type: ignore[arg-type]

    run.new_client = replay_client  # type: ignore[method-assign]
    run.start()
    return run


def best_us(work: Callable[[], Any], number: int, repeat: int) -> float:
    return min(timeit.repeat(work, number=number, repeat=repeat)) / number * 1e6


def measure(args: argparse.Namespace, blocks: list[bytes], headers: dict[str, str]) -> None:
    transport = ReplayTransport(blocks, headers)
    with tempfile.TemporaryDirectory(prefix="stream-path-") as work:
        run = harness_run(args, transport, work)
        session = run.new_session()
        request = session.workload.next_request()
        client = session.client(run.targets[0], run.new_client)

        def stream() -> None:
            record = RequestRecord("r", 1, 0.0, "t", "openai", "m", True, False)
            client._consume_stream(ReplayExchange(blocks, headers), record, StreamOutput())  # type: ignore[arg-type]

        finished = client.call(request)
        assert finished.ok and finished.output_events == args.tokens, finished

        def record() -> None:
            run.record(finished)

        def execute() -> None:
            run.execute(session, session.workload.next_request())

        figures = {
            "stream": best_us(stream, args.number, args.repeat),
            "call": best_us(lambda: client.call(request), args.number, args.repeat),
            "record": best_us(record, args.number, args.repeat),
            "execute": best_us(execute, args.number, args.repeat),
        }
        run.guards.stop()
        for sink in run._sinks:
            sink.close()
    print(
        f"{args.label:<9} {len(blocks):>6} "
        + " ".join(f"{value:>8.1f}" for value in figures.values())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=32, help="output tokens per stream")
    parser.add_argument("--prompt-words", type=int, default=32, help="prompt size in words")
    parser.add_argument("--number", type=int, default=2000, help="calls per timing")
    parser.add_argument("--repeat", type=int, default=5, help="timings; the best is printed")
    parser.add_argument("--cpu", type=int, help="pin this process to one core")
    parser.add_argument("--blocks", choices=["captured", "split", "both"], default="both")
    args = parser.parse_args(argv)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    blocks, headers = capture(args.tokens, args.prompt_words)
    print(
        f"{args.tokens}-token stream, {args.prompt_words}-word prompt; "
        f"µs per stream, best of {args.repeat}"
    )
    print(f"{'blocks':<9} {'count':>6} {'stream':>8} {'call':>8} {'record':>8} {'execute':>8}")
    shapes = {"captured": blocks, "split": split_events(blocks)}
    for name, shape in shapes.items():
        if args.blocks in (name, "both"):
            args.label = name
            measure(args, shape, headers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
