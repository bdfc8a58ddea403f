"""Tool rounds of an agent step: when a step follows an answer up, and the simulated tools.

When the model answers a step with tool calls, the user runs each tool (a
gevent sleep of the tool's latency; an answer's calls run in parallel, so
the round waits for the slowest), appends the assistant's calls and the
results to the conversation, and asks again, until a final answer or
``max_rounds`` answers with calls have been followed up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gevent

from harness.agents.tools import Tool, simulated_result
from harness.contracts import RequestRecord, ToolCall
from harness.errors import HarnessConfigError
from harness.tool_calls import tool_result_message


@dataclass(frozen=True)
class ToolSettings:
    #: Defaults of tools that set none of their own.
    latency_ms: float = 200.0
    result_tokens: int = 64
    #: Answers with tool calls a step follows up at most.
    max_rounds: int = 4

    def __post_init__(self) -> None:
        for option, value in (
            ("--tool-latency-ms", self.latency_ms),
            ("--tool-result-tokens", self.result_tokens),
            ("--max-tool-rounds", self.max_rounds),
        ):
            if value < 0:
                raise HarnessConfigError(f"{option} must be >= 0, got {value}")

    def continues(self, record: RequestRecord, tool_round: int) -> bool:
        """Whether the step follows this answer up: it called tools and rounds remain."""
        return record.ok and record.finish_reason == "tool_calls" and tool_round < self.max_rounds

    def run_tools(
        self, calls: Sequence[ToolCall], tools: Mapping[str, Tool]
    ) -> list[dict[str, Any]]:
        """Simulate ``calls`` side by side; their result messages, in call order.

        A call of a tool the role does not have (a model may invent one) gets
        the run's defaults, like a tool that sets none.
        """
        latency_ms = 0.0
        results = []
        for call in calls:
            tool = tools.get(call.name)
            latency = tool.latency_ms if tool is not None else None
            words = tool.result_tokens if tool is not None else None
            latency_ms = max(latency_ms, self.latency_ms if latency is None else latency)
            text = simulated_result(call.name, self.result_tokens if words is None else words)
            results.append(tool_result_message(call, text))
        gevent.sleep(latency_ms / 1000)
        return results
