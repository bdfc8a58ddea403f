"""Tool rounds: when a step follows an answer up, and the simulated tools' results."""

from __future__ import annotations

import time

import pytest

from harness.agents.tools import Tool
from harness.contracts import ErrorInfo, RequestRecord, ToolCall
from harness.errors import HarnessConfigError
from harness.locust.tool_rounds import ToolSettings


def record(finish_reason: str | None, ok: bool = True) -> RequestRecord:
    error = None if ok else ErrorInfo("server", "boom")
    return RequestRecord("r", 1, 0.0, "t", "openai", "m", True, ok, error=error,
                         finish_reason=finish_reason)  # fmt: skip


def test_a_step_follows_up_tool_calls_until_the_round_limit() -> None:
    settings = ToolSettings(max_rounds=2)
    assert settings.continues(record("tool_calls"), 0)
    assert settings.continues(record("tool_calls"), 1)
    assert not settings.continues(record("tool_calls"), 2)
    assert not settings.continues(record("stop"), 0)
    assert not settings.continues(record("tool_calls", ok=False), 0)
    assert not ToolSettings(max_rounds=0).continues(record("tool_calls"), 0)


def test_tools_run_side_by_side_with_their_own_latency_and_size() -> None:
    settings = ToolSettings(latency_ms=10, result_tokens=3)
    tools = {"slow": Tool("slow", "", latency_ms=80, result_tokens=5)}
    calls = [ToolCall("c1", "slow", "{}"), ToolCall("c2", "invented", "{}")]
    started = time.perf_counter()
    results = settings.run_tools(calls, tools)
    took = time.perf_counter() - started
    assert 0.08 <= took < 0.08 + 0.5  # the slowest, not the sum
    assert [m["tool_call_id"] for m in results] == ["c1", "c2"]
    assert all(m["role"] == "tool" for m in results)
    # The tool's own size, and the run's default for a tool the role does not have.
    assert [len(m["content"].split()) for m in results] == [1 + 5, 1 + 3]


@pytest.mark.parametrize(
    ("field", "option"),
    [
        ("latency_ms", "--tool-latency-ms"),
        ("result_tokens", "--tool-result-tokens"),
        ("max_rounds", "--max-tool-rounds"),
    ],
)
def test_negative_settings_name_their_option(field: str, option: str) -> None:
    with pytest.raises(HarnessConfigError, match=f"^{option} must be >= 0, got -1$"):
        ToolSettings(**{field: -1})  # type: ignore[arg-type]
