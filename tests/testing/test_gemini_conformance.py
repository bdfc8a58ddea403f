"""The conformance kit run on the built-in Gemini adapter."""

from __future__ import annotations

from harness.testing import ProviderConformance
from harness.testing.gemini_transcripts import (
    GEMINI_ERROR_CASES,
    GEMINI_NON_STREAMING,
    GEMINI_STREAMING,
)
from harness_plugins.gemini_generate import GeminiAdapter


class TestGeminiConformance(ProviderConformance):
    adapter = GeminiAdapter()
    model = "gemini-2.5-flash"
    streaming = GEMINI_STREAMING
    non_streaming = GEMINI_NON_STREAMING
    error_cases = GEMINI_ERROR_CASES
    simulator_dialect = "gemini"
