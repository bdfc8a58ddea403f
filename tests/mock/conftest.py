"""A zero-latency simulator shared by the tests of one module, wiped before each test,
a small HTTP client that shows the answer as it is on the wire, and the official
SDKs' clients pointed at the simulator (SDK retries off, as for a load test)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anthropic
import openai
import pytest

from harness.mock import SimulatorConfig, SimulatorProcess


@pytest.fixture(scope="module")
def fast_sim(request: pytest.FixtureRequest) -> Iterator[SimulatorProcess]:
    """Zero latency: shapes, counters, faults. A module's ``SIMULATOR`` dict adds settings."""
    settings = getattr(request.module, "SIMULATOR", {})
    with SimulatorProcess(SimulatorConfig(ttft_ms=0, itl_ms=0, seed=1, **settings)) as sim:
        yield sim


@pytest.fixture
def sim(fast_sim: SimulatorProcess) -> SimulatorProcess:
    """The module's simulator with no faults and zeroed counters."""
    fast_sim.clear_faults()
    fast_sim.reset()
    return fast_sim


@pytest.fixture
def openai_client(sim: SimulatorProcess) -> Iterator[openai.OpenAI]:
    # Closed after each test: the simulator would wait for kept-alive connections at exit.
    with openai.OpenAI(base_url=sim.url + "/v1", api_key="x", max_retries=0) as client:
        yield client


@pytest.fixture
def anthropic_client(sim: SimulatorProcess) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=sim.url, api_key="x", max_retries=0) as client:
        yield client


@dataclass
class Answer:
    """One response: status, lower-case headers, body, and whether it ended properly."""

    status: int
    headers: dict[str, str]
    payload: bytes
    complete: bool

    def json(self) -> Any:
        return json.loads(self.payload)

    def events(self) -> list[tuple[str, bytes]]:
        """(event name, data) of each server-sent event; unnamed ones are ``message``."""
        found = []
        for block in self.payload.split(b"\n\n"):
            fields = dict(line.split(b": ", 1) for line in block.split(b"\n") if b": " in line)
            if fields:
                found.append((fields.get(b"event", b"message").decode(), fields[b"data"]))
        return found

    def objects(self) -> list[Any]:
        """The JSON data of every event."""
        return [json.loads(data) for _, data in self.events()]


Post = Callable[..., Answer]


def post(url: str, path: str, payload: Any, headers: dict[str, str] | None = None) -> Answer:
    """POST ``payload`` as JSON (bytes as they are) on a fresh connection."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    connection = http.client.HTTPConnection(urlsplit(url).netloc, timeout=10)
    try:
        connection.request("POST", path, body=body, headers=headers or {})
        response = connection.getresponse()
        found = {name.lower(): value for name, value in response.getheaders()}
        try:
            return Answer(response.status, found, response.read(), complete=True)
        except http.client.IncompleteRead as cut:
            return Answer(response.status, found, cut.partial, complete=False)
    finally:
        connection.close()


@pytest.fixture
def send(sim: SimulatorProcess) -> Post:
    """``send(path, payload, headers=None)``: one POST to the module's simulator."""

    def call(path: str, payload: Any, headers: dict[str, str] | None = None) -> Answer:
        return post(sim.url, path, payload, headers)

    return call


class FakeClock:
    """A clock that moves only when a test sets ``now``."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
