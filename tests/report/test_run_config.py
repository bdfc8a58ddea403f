from __future__ import annotations

from harness.report.run_config import config_snapshot


def test_secrets_are_redacted_and_references_kept():
    snapshot = config_snapshot(
        {
            "api_key": "sk-live-0123456789abcdefghij",
            "auth_token": "t0ps3cret",
            "max_tokens": 128,
            "api_key_env": "OPENAI_API_KEY",
            "secrets_file": "/etc/harness/secrets.toml",
            "headers": "Authorization: Bearer sk-live-0123456789abcdefghij",
            "tags": ["a", 1],
            "host": None,
            "parsed": object,
        }
    )

    assert snapshot["api_key"] == snapshot["auth_token"] == "***"
    assert snapshot["max_tokens"] == 128
    assert snapshot["api_key_env"] == "OPENAI_API_KEY"
    assert snapshot["secrets_file"] == "/etc/harness/secrets.toml"
    assert snapshot["headers"] == "Authorization: Bearer ***"
    assert snapshot["tags"] == ["a", 1] and snapshot["host"] is None
    assert snapshot["parsed"] == "<class 'object'>"
    assert list(snapshot) == sorted(snapshot)
