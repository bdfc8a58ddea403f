"""The run's retry settings: command line first, then ``[retry]`` in harness.toml, then defaults.

```toml
[retry]
policy = "full-jitter"
max_attempts = 4
base = 0.25
cap = 8
hint_cap = 30
budget = 0.2            # retries per request over a 10 s window
budget_min_per_s = 10
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.backoff import RetrySettings
from harness.errors import HarnessConfigError
from harness.retry_budget import BudgetSettings

#: [retry] key -> (option attribute, type)
_KEYS: dict[str, tuple[str, type]] = {
    "policy": ("retry", str),
    "max_attempts": ("retry_max_attempts", int),
    "base": ("retry_base", float),
    "cap": ("retry_cap", float),
    "hint_cap": ("retry_hint_cap", float),
    "budget": ("retry_budget", float),
    "budget_min_per_s": ("retry_budget_min_per_s", float),
}


def check_retry_table(table: Any, where: str) -> dict[str, Any]:
    """Validate a ``[retry]`` table: known keys, values of the right type."""
    if not isinstance(table, dict):
        raise HarnessConfigError(f"{where} must be a table")
    for key, value in table.items():
        if key not in _KEYS:
            raise HarnessConfigError(
                f"{where}: unknown key {key!r}; expected one of {', '.join(_KEYS)}"
            )
        kind = _KEYS[key][1]
        valid = (
            isinstance(value, str)
            if kind is str
            else (isinstance(value, (int, float)) and not isinstance(value, bool))
        )
        if not valid or (kind is int and not isinstance(value, int)):
            expected = {str: "a string", int: "an integer", float: "a number"}[kind]
            raise HarnessConfigError(f"{where}: {key!r} must be {expected}, got {value!r}")
    return dict(table)


def retry_choices(
    options: Any, table: Mapping[str, Any]
) -> tuple[str, RetrySettings, BudgetSettings]:
    """The policy name and settings; an option given on the command line wins."""
    chosen: dict[str, Any] = {}
    for key, (attribute, _) in _KEYS.items():
        value = getattr(options, attribute, None)
        chosen[key] = value if value is not None else table.get(key)
    given = {key: value for key, value in chosen.items() if value is not None}
    try:
        settings = RetrySettings(
            **{k: given[k] for k in ("max_attempts", "base", "cap", "hint_cap") if k in given}
        )
        budget = BudgetSettings(
            **{
                field: given[key]
                for key, field in (("budget", "ratio"), ("budget_min_per_s", "min_per_s"))
                if key in given
            }
        )
    except ValueError as exc:
        raise HarnessConfigError(f"retry settings: {exc}") from None
    return given.get("policy", "none"), settings, budget
