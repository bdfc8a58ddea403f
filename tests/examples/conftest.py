"""The example plugin installed from its wheel (see ``make_wheel_venv`` in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ECHO_EXAMPLE = REPO / "examples" / "harness-echo-provider"


@pytest.fixture(scope="module")
def echo_plugin_venv(make_wheel_venv: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """This project and examples/harness-echo-provider, installed from wheels."""
    return make_wheel_venv([REPO, ECHO_EXAMPLE], tmp_path_factory.mktemp("echo-plugin"))


@pytest.fixture(scope="session")
def echo_example() -> Path:
    """The example plugin's source directory."""
    return ECHO_EXAMPLE
