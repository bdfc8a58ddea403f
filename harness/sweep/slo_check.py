"""SLO rules for a sweep: harness.slo's rules, judged on each stage's measured window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.errors import HarnessConfigError
from harness.slo.evaluate import evaluate_slos
from harness.slo.parse import SloRule, SloRuleError, parse_rules

_LABELS = {"ttft": "TTFT", "e2e": "E2E", "itl": "ITL", "tpot": "TPOT", "error_rate": "errors"}


def sweep_rules(texts: Sequence[str]) -> list[SloRule]:
    try:
        return parse_rules(texts, "harness sweep --slo")
    except SloRuleError as exc:
        raise HarnessConfigError(str(exc)) from None


def judge_stage(blocks: dict[str, Any], rules: Sequence[SloRule]) -> list[dict[str, Any]]:
    """Every rule's result on a stage (``blocks``: ``overall`` and the groupings)."""
    results: list[dict[str, Any]] = evaluate_slos(blocks, rules)["results"]
    return results


def describe(rule: SloRule) -> str:
    """``TTFT p95 < 500 ms``, ``errors < 1 %``: a rule as the capacity statement says it."""
    label = _LABELS.get(rule.metric, rule.metric)
    subject = f"{label} {rule.stat}" if rule.stat else label
    if rule.unit == "s":
        value = f"{rule.threshold * 1000:g} ms" if rule.threshold < 1 else f"{rule.threshold:g} s"
    else:
        value = f"{rule.threshold:g} {rule.unit}".rstrip()
    scope = f" ({rule.scope})" if rule.group else ""
    return f"{subject} {rule.op} {value}{scope}"
