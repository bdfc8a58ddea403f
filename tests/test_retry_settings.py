from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.config import load_config
from harness.errors import HarnessConfigError
from harness.retry_settings import retry_choices

NOTHING_GIVEN = SimpleNamespace(
    retry=None,
    retry_max_attempts=None,
    retry_base=None,
    retry_cap=None,
    retry_hint_cap=None,
    retry_budget=None,
    retry_budget_min_per_s=None,
)


def test_defaults_when_nothing_is_given() -> None:
    name, settings, budget = retry_choices(NOTHING_GIVEN, {})
    assert name == "none"
    assert (settings.max_attempts, settings.base, settings.cap, settings.hint_cap) == (
        3,
        0.5,
        8.0,
        60.0,
    )
    assert (budget.ratio, budget.min_per_s) == (0.2, 10.0)


def test_command_line_beats_the_file_which_beats_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "harness.toml"
    path.write_text('[retry]\npolicy = "full-jitter"\nmax_attempts = 5\ncap = 4\nbudget = 0.1\n')
    table = load_config(path).retry
    options = SimpleNamespace(**{**vars(NOTHING_GIVEN), "retry_max_attempts": 2})
    name, settings, budget = retry_choices(options, table)
    assert name == "full-jitter"  # from the file
    assert settings.max_attempts == 2  # the command line wins
    assert settings.cap == 4.0 and settings.base == 0.5  # file, then default
    assert budget.ratio == 0.1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[retry]\nattempts = 3\n", r"\[retry\]: unknown key 'attempts'"),
        ("[retry]\nmax_attempts = 2.5\n", r"'max_attempts' must be an integer, got 2.5"),
        ("[retry]\npolicy = 3\n", r"'policy' must be a string, got 3"),
    ],
)
def test_retry_table_mistakes(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "harness.toml"
    path.write_text(text)
    with pytest.raises(HarnessConfigError, match=message):
        load_config(path)


def test_impossible_settings_are_a_clear_error() -> None:
    options = SimpleNamespace(**{**vars(NOTHING_GIVEN), "retry_max_attempts": 0})
    with pytest.raises(HarnessConfigError, match="retry settings: max_attempts must be at least 1"):
        retry_choices(options, {})
