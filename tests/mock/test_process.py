from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from harness.mock import SimulatorConfig, SimulatorProcess, SimulatorStartError


def post_chat(url: str) -> int:
    request = urllib.request.Request(
        url + "/v1/chat/completions",
        data=json.dumps(
            {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}
        ).encode(),
        method="POST",
    )
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_starts_serves_and_exits_cleanly_on_sigterm() -> None:
    sim = SimulatorProcess(SimulatorConfig(ttft_ms=0, itl_ms=0, faults=("http:503@every=2",)))
    with sim:
        assert sim.running
        assert sim.url.startswith("http://127.0.0.1:")
        assert [post_chat(sim.url) for _ in range(4)] == [200, 503, 200, 503]
        assert sim.stats()["faults"] == {"http": 2}
    assert not sim.running
    assert sim.stderr_text() == ""


def test_stop_returns_the_exit_code_zero() -> None:
    sim = SimulatorProcess(SimulatorConfig(ttft_ms=0)).start()
    assert sim.stop() == 0
    assert sim.stop() is None


def test_start_failure_reports_the_child_stderr() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sim = SimulatorProcess(SimulatorConfig(port=port))
        with pytest.raises(SimulatorStartError) as caught:
            sim.start()
    message = str(caught.value)
    assert "exited with code 1" in message
    assert f"cannot listen on 127.0.0.1:{port}" in message
    assert not sim.running


def test_cpu_pinning() -> None:
    cpu = min(os.sched_getaffinity(0))
    with SimulatorProcess(SimulatorConfig(), cpu=cpu) as sim:
        assert sim.pid is not None
        assert os.sched_getaffinity(sim.pid) == {cpu}


def test_control_calls_need_a_running_process() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        SimulatorProcess().stats()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_module_prints_exactly_one_line_and_exits_zero_on_signal(signum: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.mock", "--ttft-ms", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    assert re.fullmatch(r"harness-mock listening on http://127\.0\.0\.1:\d+\n", line)
    process.send_signal(signum)
    rest, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert rest == b""
    assert stderr == b""


def test_stop_with_busy_and_idle_connections_is_clean() -> None:
    sim = SimulatorProcess(SimulatorConfig(ttft_ms=50, itl_ms=50, slots=1)).start()
    port = int(sim.url.rsplit(":", 1)[1])
    body = b'{"messages": [{"role": "user", "content": "hi"}], "stream": true}'
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    for client in clients[:2]:
        client.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        )
    deadline = time.monotonic() + 5
    while sim.stats()["queued"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.stats()["in_flight"] == 2
    assert sim.stop() == 0
    assert sim.stderr_text() == ""
    for client in clients:
        client.close()
