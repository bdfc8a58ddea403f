"""The kit fails, readably, for an adapter that gets things wrong.

The broken adapter runs in a pytest subprocess, as a plugin author's suite
would: no gevent monkey-patching there, and its failures do not fail this run.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

BROKEN_SUITE = '''
import orjson

from harness.contracts import ErrorInfo, HttpCall
from harness.testing import ProviderConformance
from harness.testing.openai_transcripts import (
    OPENAI_ERROR_CASES,
    OPENAI_NON_STREAMING,
    OPENAI_STREAMING,
)
from harness_plugins.openai_chat import OpenAIChatAdapter


class CarelessAdapter(OpenAIChatAdapter):
    """Calls every 429 a server error, ignores cached input, trusts any stream's end."""

    def build_request(self, request, target, api_key):
        call = super().build_request(request, target, api_key)
        body = {**orjson.loads(call.body), "api_key": api_key}
        return HttpCall(call.method, call.url, call.headers, orjson.dumps(body))

    def classify_error(self, status, headers, body):
        info = super().classify_error(status, headers, body)
        if status == 429:
            info.kind = "server"
        return info

    def parse_chunks(self, chunks, out):
        reported = out.usage
        count = super().parse_chunks(chunks, out)
        if out.usage is not None and out.usage is not reported:
            out.usage.input_tokens -= out.usage.cached_input_tokens
        return count

    def end_of_stream(self, out):
        pass


class TestCarelessConformance(ProviderConformance):
    adapter = CarelessAdapter()
    streaming = OPENAI_STREAMING
    non_streaming = OPENAI_NON_STREAMING
    error_cases = OPENAI_ERROR_CASES
    simulator_dialect = "klingon"
'''


EXPECTED_MESSAGES = [
    "error case 429 rate_limit_exceeded: expected kind 'rate_limited', "
    "adapter classified it as 'server'",
    "error case 429 retry-after-ms: expected kind 'rate_limited', "
    "adapter classified it as 'server'",
    "error case 429 insufficient_quota: expected kind 'quota', adapter classified it as 'server'",
    "streaming usage: input_tokens expected 20, adapter reported 12",
    "stream that ends cleanly after 3 of 7 pieces, without its last events: expected a failed "
    "record of kind 'stream_broken' or 'protocol', but the adapter accepted the stream as complete",
    "API key: build_request put the API key in the request body",
    "simulator_dialect 'klingon' is not served by the embedded simulator; "
    "it serves: anthropic, echo, gemini, openai",
]


def test_broken_adapter_fails_with_readable_messages(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_careless=BROKEN_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=240)
    output = result.stdout.str()
    missing = [message for message in EXPECTED_MESSAGES if message not in output]
    assert not missing, f"missing {missing} in:\n{output[-6000:]}"
    # The checks the adapter still passes pass; the unknown dialect stops its fixture.
    result.assert_outcomes(failed=6, passed=16, errors=1)
    # No traceback of the kit's internals: the message is the whole story.
    assert "conformance.py" not in output
