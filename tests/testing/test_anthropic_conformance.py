"""The conformance kit run on the built-in Anthropic Messages adapter."""

from __future__ import annotations

from harness.testing import ProviderConformance
from harness.testing.anthropic_transcripts import (
    ANTHROPIC_ERROR_CASES,
    ANTHROPIC_NON_STREAMING,
    ANTHROPIC_STREAMING,
)
from harness_plugins.anthropic_messages import AnthropicMessagesAdapter


class TestAnthropicConformance(ProviderConformance):
    adapter = AnthropicMessagesAdapter()
    model = "claude-sonnet-4-5"
    streaming = ANTHROPIC_STREAMING
    non_streaming = ANTHROPIC_NON_STREAMING
    error_cases = ANTHROPIC_ERROR_CASES
    simulator_dialect = "anthropic"
