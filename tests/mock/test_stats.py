from __future__ import annotations

from harness.mock.stats import SimulatorStats

KEYS = {
    "chat_requests",
    "completed",
    "output_tokens",
    "reasoning_tokens",
    "tool_calls",
    "output_tokens_sent",
    "input_tokens",
    "cached_input_tokens",
    "faults",
    "faults_by_spec",
    "streams",
    "non_streams",
    "error_responses",
    "rate_limited",
    "overloaded",
    "client_disconnects",
    "connections",
    "in_flight",
    "queued",
    "max_queued",
}


def test_snapshot_has_every_key_at_zero() -> None:
    snapshot = SimulatorStats().snapshot()
    assert set(snapshot) == KEYS
    assert all(value in (0, {}) for value in snapshot.values())


def test_reset_zeroes_counters_but_keeps_gauges() -> None:
    stats = SimulatorStats()
    stats.chat_requests = 5
    stats.count_fault("cut", "cut:1@next")
    stats.count_fault("cut", "cut:2")
    stats.in_flight = 2
    stats.enter_queue()
    stats.enter_queue()
    stats.leave_queue()
    assert stats.snapshot()["faults"] == {"cut": 2}
    assert stats.snapshot()["faults_by_spec"] == {"cut:1@next": 1, "cut:2": 1}
    assert stats.max_queued == 2
    stats.reset()
    snapshot = stats.snapshot()
    assert snapshot["chat_requests"] == 0
    assert snapshot["faults"] == {}
    assert snapshot["in_flight"] == 2
    assert snapshot["queued"] == 1
    assert snapshot["max_queued"] == 1


def test_snapshot_is_a_copy() -> None:
    stats = SimulatorStats()
    snapshot = stats.snapshot()
    snapshot["faults"]["cut"] = 1
    assert stats.faults == {}
