"""What the conformance kit leaves to the plugin: request building and registration."""

from __future__ import annotations

import orjson
from harness.contracts import ChatRequest, ProviderAdapter, Target

from harness_echo_provider import EchoAdapter, generate_url, harness_register_providers


def test_url_from_a_base_with_or_without_a_slash() -> None:
    assert generate_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/echo/v1/generate"
    assert generate_url("http://h/proxy/") == "http://h/proxy/echo/v1/generate"


def test_request_joins_every_message_into_one_prompt() -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "two words"}, {"type": "image"}]},
    ]
    request = ChatRequest(messages=messages, model="echo-1", max_tokens=4, stream=False)
    target = Target("t", "echo", "http://h", "echo-1", headers=(("X-Team", "load"),))
    call = EchoAdapter().build_request(request, target, "k" * 20)
    assert orjson.loads(call.body) == {
        "model": "echo-1",
        "prompt": "be brief\ntwo words",
        "stream": False,
        "max_output": 4,
    }
    assert call.headers["X-Echo-Key"] == "k" * 20
    assert call.headers["X-Team"] == "load"


def test_the_hook_registers_one_echo_adapter() -> None:
    registered: list[ProviderAdapter] = []
    harness_register_providers(registered.append)
    assert [adapter.name for adapter in registered] == ["echo"]
    assert isinstance(registered[0], ProviderAdapter)
