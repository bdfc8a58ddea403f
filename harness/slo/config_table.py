"""``[slo]`` in harness.toml: ``rules = ["ttft.p95<500ms", "error_rate<1%"]``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from harness.errors import HarnessConfigError
from harness.slo.parse import SloRuleError, parse_rule, parse_rules, split_rule_list


def check_slo_table(table: Any, where: str) -> tuple[str, ...]:
    """The rule texts of an ``[slo]`` table; ``where`` reads ``harness.toml: [slo]``."""
    if not isinstance(table, dict):
        raise HarnessConfigError(f'{where} must be a table with rules = ["ttft.p95<500ms", ...]')
    unknown = sorted(set(table) - {"rules"})
    if unknown:
        raise HarnessConfigError(f"{where}: unknown key {unknown[0]!r}; expected rules")
    rules = table.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(rule, str) for rule in rules):
        raise HarnessConfigError(
            f"{where}: 'rules' must be a list of strings like \"ttft.p95<500ms\""
        )
    for index, rule in enumerate(rules):
        try:
            parse_rule(rule)
        except SloRuleError as exc:
            raise HarnessConfigError(f"{where} rules[{index}]: {exc}") from None
    return tuple(rule.strip() for rule in rules)


def run_rules(config_rules: Sequence[str], option_values: Iterable[str] | str | None) -> list[str]:
    """The run's rules: ``[slo]`` first, then each ``--slo``; a bad ``--slo`` is an error."""
    options = split_rule_list(option_values)
    try:
        parse_rules(options, "--slo")
    except SloRuleError as exc:
        raise HarnessConfigError(str(exc)) from None
    return [*config_rules, *options]


def report_rules(
    config_rules: Sequence[str], option_values: Iterable[str] | None, previous_summary: Path
) -> list[str]:
    """The rules ``harness report`` judges by: ``[slo]`` and ``--slo``, else the run's own.

    A run's rules are in its summary.json (``run.slo``) beside its records:
    rebuilding without new rules judges the run as it was judged.
    """
    rules = run_rules(config_rules, option_values)
    if rules or not previous_summary.is_file():
        return rules
    try:
        recorded = json.loads(previous_summary.read_text(encoding="utf-8"))["run"].get("slo", [])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
    return run_rules((), [rule for rule in recorded if isinstance(rule, str)])
