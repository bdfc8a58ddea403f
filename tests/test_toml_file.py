from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import HarnessConfigError
from harness.toml_file import read_toml


def test_a_table_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text('[models]\nname = "x"\n', encoding="utf-8")
    assert read_toml(path) == {"models": {"name": "x"}}


def test_a_missing_file_names_the_file_and_what_it_was(tmp_path: Path) -> None:
    path = tmp_path / "prices.toml"
    with pytest.raises(HarnessConfigError) as raised:
        read_toml(path, "price table")
    assert str(raised.value).startswith(f"{path}: cannot read price table (")


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("targets = [\n", encoding="utf-8")
    with pytest.raises(HarnessConfigError, match=r"bad\.toml: not valid TOML: "):
        read_toml(path)
