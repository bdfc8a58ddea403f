"""The baseline of ``benchmarks/overhead.py``: the least a Locust user can do to stream a chat.

One FastHttpUser POSTs a streaming OpenAI chat request, reads the SSE lines
with the raw geventhttpclient response's ``readline`` (the only FastHttp
reader that hands each line over as it arrives), times the first ``data:``
line, and counts the stream complete at ``data: [DONE]``. Locust gets the
real end-to-end time (with ``stream=True`` it would otherwise record the
arrival of the headers). No records, no histograms, no report.

    BASELINE_RESULT=out.json locust -f benchmarks/baseline_locustfile.py \\
        --headless -u 64 -r 64 -t 15s --host http://127.0.0.1:8000

At quitting it writes ``BASELINE_RESULT`` (when set): completed streams,
failures, the window from the first start to the last end (epoch seconds) and
TTFT percentiles in seconds (the sample at rank ``q * (n - 1)``).
``BASELINE_MAX_TOKENS`` (default 32) and ``BASELINE_PROMPT_WORDS`` (default 32)
size the request.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from locust import FastHttpUser, constant, events, task

MAX_TOKENS = int(os.environ.get("BASELINE_MAX_TOKENS", "32"))
PROMPT_WORDS = int(os.environ.get("BASELINE_PROMPT_WORDS", "32"))
RESULT_PATH = os.environ.get("BASELINE_RESULT")

# The same request the harness sends (usage chunk included), built once.
BODY = json.dumps(
    {
        "model": "sim-gpt",
        "messages": [{"role": "user", "content": " ".join(["token"] * PROMPT_WORDS)}],
        "max_tokens": MAX_TOKENS,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
).encode()
HEADERS = {
    "Content-Type": "application/json",
    "Accept": "text/event-stream",
    # FastHttp's stream readers do not decompress.
    "Accept-Encoding": "identity",
}

_ttfts: list[float] = []
_totals = {"streams": 0, "failures": 0}
_window = [float("inf"), 0.0]


class BaselineUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def chat(self) -> None:
        started_at = time.time()
        sent = time.perf_counter()
        first: float | None = None
        done = False
        size = 0
        with self.client.post(
            "/v1/chat/completions",
            data=BODY,
            headers=HEADERS,
            stream=True,
            catch_response=True,
            name="stream",
        ) as resp:
            try:
                if resp.status_code != 200:
                    raise RuntimeError(f"HTTP {resp.status_code}")
                stream = resp.stream
                while line := stream.readline(b"\n"):
                    size += len(line)
                    if line.startswith(b"data:"):
                        if first is None:
                            first = time.perf_counter()
                        if line.startswith(b"data: [DONE]"):
                            done = True
                if not done:
                    raise RuntimeError("stream ended without data: [DONE]")
            except Exception as exc:
                # Anything but Locust's ResponseError would leave the request unreported.
                resp.failure(exc)
            else:
                resp.success()
            e2e = time.perf_counter() - sent
            resp.request_meta["response_time"] = e2e * 1000.0
            resp.request_meta["response_length"] = size
        _tally(started_at, e2e, None if first is None or not done else first - sent)


def _tally(started_at: float, e2e: float, ttft: float | None) -> None:
    if ttft is None:
        _totals["failures"] += 1
    else:
        _totals["streams"] += 1
        _ttfts.append(ttft)
    _window[0] = min(_window[0], started_at)
    _window[1] = max(_window[1], started_at + e2e)


def _percentile(ordered: list[float], q: float) -> float | None:
    return ordered[int(q * (len(ordered) - 1))] if ordered else None


@events.quitting.add_listener
def _write_result(**_: Any) -> None:
    if not RESULT_PATH:
        return
    ordered = sorted(_ttfts)
    result = {
        **_totals,
        "window": _window if _window[1] else None,
        "ttft_s": {
            name: _percentile(ordered, q)
            for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))
        },
    }
    with open(RESULT_PATH, "w", encoding="utf-8") as out:
        json.dump(result, out)
