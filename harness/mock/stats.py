"""What the simulator served, so tests can check that the harness lost nothing.

Served as JSON at ``GET /_harness/stats``; ``POST /_harness/reset`` zeroes it.

Tokens are counted the same way whatever the dialect, and never as a
``wrong_usage`` fault reports them: input includes the cached tokens, output
includes the reasoning tokens.

Counters (zeroed by a reset):

``chat_requests``       every chat request received, well-formed or not
``completed``           chat responses (HTTP 200) whose whole body was written,
                        streamed or not; faults ``stall``, ``malformed`` and
                        ``wrong_usage`` still complete, ``cut``, ``overload``
                        and ``blocked`` do not
``output_tokens``       output tokens (reasoning included) of the ``completed``
                        responses
``reasoning_tokens``    the reasoning part of ``output_tokens``
``tool_calls``          tool calls in the ``completed`` responses (their
                        tokens are inside ``output_tokens``)
``output_tokens_sent``  output tokens written, partial streams included
                        (a cut non-streaming body counts none; a cut tool
                        call counts one per argument fragment sent, a whole
                        one its tokens)
``input_tokens``        prompt tokens of every well-formed chat request
``cached_input_tokens`` the part of ``input_tokens`` reported as cached
``faults``              {kind: count} of faults applied (cut, stall, ...)
``faults_by_spec``      {spec text: count}, the same at finer grain
``streams``             well-formed chat requests with ``stream: true``
``non_streams``         well-formed chat requests without it
``error_responses``     chat requests answered with a 4xx/5xx status
``rate_limited``        chat requests refused with a 429 by the server-side
                        RPM/TPM limits (not counting ``429:S`` faults)
``overloaded``          chat requests refused as overloaded because too many
                        were in flight (not counting ``overload`` faults)
``client_disconnects``  chat responses abandoned because the client went away
``connections``         TCP connections accepted

Gauges (a reset keeps their current value):

``in_flight``   well-formed chat requests being answered (queued ones included)
``queued``      requests waiting for a free generation slot
``max_queued``  highest ``queued`` since the last reset (restarts at ``queued``)
"""

from __future__ import annotations

from typing import Any


class SimulatorStats:
    """Plain counters; the server runs on one event loop, so no locking."""

    __slots__ = (
        "cached_input_tokens",
        "chat_requests",
        "client_disconnects",
        "completed",
        "connections",
        "error_responses",
        "faults",
        "faults_by_spec",
        "in_flight",
        "input_tokens",
        "max_queued",
        "non_streams",
        "output_tokens",
        "output_tokens_sent",
        "overloaded",
        "queued",
        "rate_limited",
        "reasoning_tokens",
        "streams",
        "tool_calls",
    )

    def __init__(self) -> None:
        self.in_flight = 0
        self.queued = 0
        self.reset()

    def reset(self) -> None:
        """Zero the counters; keep the gauges, which describe work still running."""
        self.chat_requests = 0
        self.completed = 0
        self.output_tokens = 0
        self.reasoning_tokens = 0
        self.tool_calls = 0
        self.output_tokens_sent = 0
        self.input_tokens = 0
        self.cached_input_tokens = 0
        self.faults: dict[str, int] = {}
        self.faults_by_spec: dict[str, int] = {}
        self.streams = 0
        self.non_streams = 0
        self.error_responses = 0
        self.rate_limited = 0
        self.overloaded = 0
        self.client_disconnects = 0
        self.connections = 0
        self.max_queued = self.queued

    def count_fault(self, kind: str, spec: str) -> None:
        self.faults[kind] = self.faults.get(kind, 0) + 1
        self.faults_by_spec[spec] = self.faults_by_spec.get(spec, 0) + 1

    def enter_queue(self) -> None:
        self.queued += 1
        if self.queued > self.max_queued:
            self.max_queued = self.queued

    def leave_queue(self) -> None:
        self.queued -= 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy of every counter and gauge."""
        return {
            "chat_requests": self.chat_requests,
            "completed": self.completed,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "tool_calls": self.tool_calls,
            "output_tokens_sent": self.output_tokens_sent,
            "input_tokens": self.input_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "faults": dict(self.faults),
            "faults_by_spec": dict(self.faults_by_spec),
            "streams": self.streams,
            "non_streams": self.non_streams,
            "error_responses": self.error_responses,
            "rate_limited": self.rate_limited,
            "overloaded": self.overloaded,
            "client_disconnects": self.client_disconnects,
            "connections": self.connections,
            "in_flight": self.in_flight,
            "queued": self.queued,
            "max_queued": self.max_queued,
        }
