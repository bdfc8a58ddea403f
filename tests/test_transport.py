from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable

import orjson
import pytest

from harness.contracts import HttpCall
from harness.errors import TransportError
from harness.mock.process import SimulatorProcess
from harness.transport import HttpTransport, Timeouts

StartSimulator = Callable[..., SimulatorProcess]


def chat_call(url: str, tokens: int = 5) -> HttpCall:
    body = {
        "model": "sim-gpt",
        "messages": [{"role": "user", "content": "one two three"}],
        "max_tokens": tokens,
        "stream": True,
    }
    return HttpCall(
        "POST",
        f"{url}/v1/chat/completions",
        {"Content-Type": "application/json"},
        orjson.dumps(body),
    )


def test_blocks_are_stamped_when_they_arrive(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=200, itl_ms=50)
    transport = HttpTransport()
    exchange = transport.open(chat_call(simulator.url, tokens=5))
    assert exchange.status == 200
    arrivals = [t - exchange.sent_at for block, t in exchange.read_blocks() if b"content" in block]
    # TTFT honoured to the millisecond scale, and each token on its own schedule.
    assert arrivals[0] == pytest.approx(0.200, abs=0.025)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert gaps and all(g == pytest.approx(0.050, abs=0.025) for g in gaps)
    transport.close()


def test_connection_is_reused_after_a_complete_body(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0)
    transport = HttpTransport()
    for _ in range(3):
        exchange = transport.open(chat_call(simulator.url))
        assert b"[DONE]" in exchange.read_body()
    assert simulator.stats()["connections"] == 2  # ours, and the stats request's own
    transport.close()


def test_an_idle_connection_the_server_dropped_is_not_reused(
    start_simulator: StartSimulator,
) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0)
    transport = HttpTransport()
    assert b"[DONE]" in transport.open(chat_call(simulator.url)).read_body()
    (origin,) = transport._origins.values()
    (idle,) = origin.idle
    # As a server closing an idle keep-alive connection: the client's socket sees EOF.
    idle.shutdown(socket.SHUT_RDWR)
    assert b"[DONE]" in transport.open(chat_call(simulator.url)).read_body()
    assert simulator.stats()["connections"] == 3  # two of ours, and the stats request's
    transport.close()


def test_a_reused_connection_closed_before_the_answer_is_the_request_s_failure(
    start_simulator: StartSimulator,
) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=0, faults=("reset@every=2",))
    transport = HttpTransport()
    assert b"[DONE]" in transport.open(chat_call(simulator.url)).read_body()
    with pytest.raises(TransportError, match="closed before response headers") as caught:
        transport.open(chat_call(simulator.url))  # sent once, never again
    assert caught.value.kind == "connection"
    assert simulator.stats()["chat_requests"] == 2
    transport.close()


def test_a_new_connection_closed_before_the_answer_is_an_error() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        accepted: list[socket.socket] = []

        def close_on_arrival() -> None:
            conn, _ = server.accept()
            conn.recv(65536)
            conn.close()
            accepted.append(conn)

        thread = threading.Thread(target=close_on_arrival)
        thread.start()
        with pytest.raises(TransportError, match="closed before response headers") as caught:
            HttpTransport(Timeouts(read=5.0)).open(chat_call(url))
        thread.join()
        assert caught.value.kind == "connection" and len(accepted) == 1


def test_cut_stream_raises_stream_broken(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=5, faults=("cut:2",))
    exchange = HttpTransport().open(chat_call(simulator.url, tokens=10))
    with pytest.raises(TransportError) as caught:
        exchange.read_body()
    assert caught.value.kind == "stream_broken"


def test_stall_timeout(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=5, faults=("stall:3",))
    transport = HttpTransport(Timeouts(stall=0.3))
    exchange = transport.open(chat_call(simulator.url))
    started = time.perf_counter()
    with pytest.raises(TransportError, match="stalled") as caught:
        exchange.read_body()
    assert caught.value.kind == "timeout"
    assert time.perf_counter() - started < 1.5


def test_total_timeout_bounds_a_slow_stream(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(ttft_ms=0, itl_ms=100)
    transport = HttpTransport(Timeouts(stall=5.0, total=0.35))
    exchange = transport.open(chat_call(simulator.url, tokens=20))
    with pytest.raises(TransportError, match="total timeout") as caught:
        exchange.read_body()
    assert caught.value.kind == "timeout"


def test_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError) as caught:
        HttpTransport(Timeouts(connect=1.0)).open(chat_call(f"http://127.0.0.1:{port}"))
    assert caught.value.kind == "connection"


def test_a_server_that_never_answers_times_out_waiting_for_headers() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        transport = HttpTransport(Timeouts(read=0.3))
        started = time.perf_counter()
        with pytest.raises(TransportError, match=r"no response headers within 0.3s") as caught:
            transport.open(chat_call(url))
        assert caught.value.kind == "timeout"
        assert 0.25 < time.perf_counter() - started < 5.0


def test_the_total_timeout_also_bounds_the_wait_for_headers() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        transport = HttpTransport(Timeouts(read=30.0, total=0.3))
        with pytest.raises(TransportError, match=r"within 0.3s"):
            transport.open(chat_call(f"http://127.0.0.1:{server.getsockname()[1]}"))
