"""The harness's provider conformance kit, run on the echo adapter.

Canonical echo responses go to a transcript server; ``simulator_dialect``
adds live calls against the harness's embedded simulator, which speaks echo.
"""

from __future__ import annotations

from harness.contracts import Usage
from harness.testing import ErrorCase, ProviderConformance, SuccessCase, Transcript, sse_event

from harness_echo_provider import EchoAdapter


def failure(code: str, detail: str, retry_in_s: float | None = None) -> dict[str, object]:
    return {"failure": {"code": code, "detail": detail, "retry_in_s": retry_in_s}}


class TestEchoConformance(ProviderConformance):
    adapter = EchoAdapter()
    model = "echo-1"
    simulator_dialect = "echo"
    streaming = SuccessCase(
        transcript=Transcript.sse(
            sse_event({"t": "Red,"}, event="token"),
            sse_event({"t": " green"}, event="token"),
            sse_event({"t": " and blue."}, event="token"),
            sse_event({"stop": "end", "tokens_in": 8, "tokens_out": 5}, event="done"),
        ),
        text="Red, green and blue.",
        usage=Usage(input_tokens=8, output_tokens=5),
        finish_reason="stop",
        output_events=3,
    )
    non_streaming = SuccessCase(
        transcript=Transcript.json(
            {"output": "Red, green", "stop": "length", "tokens_in": 8, "tokens_out": 2}
        ),
        text="Red, green",
        usage=Usage(input_tokens=8, output_tokens=2),
        finish_reason="length",
    )
    error_cases = [
        ErrorCase(400, {}, failure("bad_request", "prompt missing"), "bad_request"),
        ErrorCase(400, {}, failure("prompt_too_long", "too long"), "context_length"),
        ErrorCase(401, {}, failure("unauthenticated", "who are you"), "auth"),
        ErrorCase(402, {}, failure("out_of_credit", "top up"), "quota"),
        ErrorCase(403, {}, failure("forbidden", "not yours"), "permission"),
        ErrorCase(404, {}, failure("unknown_model", "no such model"), "not_found"),
        ErrorCase(
            429,
            {"Retry-After": "2"},
            failure("slow_down", "too many requests", 1.5),
            "rate_limited",
            retry_after_s=1.5,
            name="retry_in_s",
        ),
        ErrorCase(
            429,
            {"Retry-After": "4"},
            failure("slow_down", "too many requests"),
            "rate_limited",
            retry_after_s=4.0,
            name="Retry-After",
        ),
        ErrorCase(500, {}, failure("internal", "oops"), "server"),
        ErrorCase(503, {}, failure("overloaded", "busy"), "overloaded"),
        ErrorCase(
            502, {}, "<html>Bad Gateway</html>", "server", name="html", content_type="text/html"
        ),
    ]
