"""The conformance kit run on the built-in OpenAI adapter, as a plugin author would run it.

Two presets: ``openai`` sends ``max_completion_tokens``, the others (here
``openai-compatible``) the legacy ``max_tokens``; the simulator takes both.
"""

from __future__ import annotations

from harness.contracts import ProviderAdapter
from harness.testing import ProviderConformance
from harness.testing.openai_transcripts import (
    OPENAI_ERROR_CASES,
    OPENAI_NON_STREAMING,
    OPENAI_STREAMING,
)
from harness_plugins.openai_chat import PRESETS


def preset(name: str) -> ProviderAdapter:
    (adapter,) = [adapter for adapter in PRESETS if adapter.name == name]
    return adapter


class TestOpenAIConformance(ProviderConformance):
    adapter = preset("openai")
    model = "gpt-4.1-mini"
    streaming = OPENAI_STREAMING
    non_streaming = OPENAI_NON_STREAMING
    error_cases = OPENAI_ERROR_CASES
    simulator_dialect = "openai"


class TestOpenAICompatibleConformance(TestOpenAIConformance):
    adapter = preset("openai-compatible")
