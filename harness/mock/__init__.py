"""The embedded simulator: an OpenAI-, Anthropic- and Gemini-compatible LLM server on loopback.

It is the default target of load tests and the harness's test bed: a real
HTTP/1.1 server (:mod:`.server`, on gevent) speaking the wire formats of
:mod:`.dialects` (OpenAI Chat Completions, Anthropic Messages, Gemini
generateContent, and the echo format of the example plugin), with a latency
model (:mod:`.latency`), generation slots with a FIFO queue (:mod:`.slots`),
reasoning phases and cache hits (:mod:`.config`), tool calls at a configured
rate (:mod:`.tool_calls`), injectable faults
(:mod:`.faults`) and counters of what it served (:mod:`.stats`). Run it with
``python -m harness.mock`` (:mod:`.cli`) or, from tests and ``harness run``,
through :class:`SimulatorProcess`.

The package is self-contained: it imports nothing else from ``harness``.
Importing it does not import gevent; only :mod:`.server` (and the ``slots``
module it uses) does, and ``SimulatorServer`` is loaded on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import SimulatorConfig, add_simulator_arguments, simulator_config_from_args
from .faults import FaultPlan, FaultSpec, parse_fault_spec
from .process import SimulatorProcess, SimulatorStartError
from .tokens import count_input_tokens, output_text

if TYPE_CHECKING:
    from .server import SimulatorServer

__all__ = [
    "FaultPlan",
    "FaultSpec",
    "SimulatorConfig",
    "SimulatorProcess",
    "SimulatorServer",
    "SimulatorStartError",
    "add_simulator_arguments",
    "count_input_tokens",
    "output_text",
    "parse_fault_spec",
    "simulator_config_from_args",
]


def __getattr__(name: str) -> Any:
    if name == "SimulatorServer":
        from .server import SimulatorServer

        return SimulatorServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
