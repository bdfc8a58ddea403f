from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import HarnessConfigError
from harness.secrets import REDACTED, SecretRegistry, read_secrets_file, resolve_api_key


def test_resolve_from_environment_and_redact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_TEST_KEY", "zz-secret-value-123")
    key = resolve_api_key("HARNESS_TEST_KEY")
    assert key == "zz-secret-value-123"
    from harness.secrets import redact

    assert redact("bad key zz-secret-value-123 given") == f"bad key {REDACTED} given"


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HARNESS_ABSENT_KEY", raising=False)
    with pytest.raises(HarnessConfigError, match="HARNESS_ABSENT_KEY"):
        resolve_api_key("HARNESS_ABSENT_KEY")


def test_no_key_wanted() -> None:
    assert resolve_api_key(None) is None


def test_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FILE_KEY", raising=False)
    path = tmp_path / "secrets.env"
    path.write_text("# keys\nFILE_KEY='from-file-0123456'\n\n")
    assert resolve_api_key("FILE_KEY", path) == "from-file-0123456"


def test_secrets_file_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text("GOOD=1\nno equals sign\n")
    with pytest.raises(HarnessConfigError, match=r"secrets.env:2: expected NAME=value"):
        read_secrets_file(path)
    with pytest.raises(HarnessConfigError, match="cannot read"):
        read_secrets_file(tmp_path / "absent")


def test_key_shaped_strings_are_redacted_even_if_unknown() -> None:
    registry = SecretRegistry()
    text = "Incorrect API key provided: sk-proj-abcdefghijklmnop1234"
    assert "abcdefghijklmnop" not in registry.redact(text)


def test_short_values_are_not_treated_as_secrets() -> None:
    registry = SecretRegistry()
    registry.remember("abc")
    assert registry.redact("abc abc") == "abc abc"
