"""Evaluate SLO rules against a built summary; the verdict every report shows.

Public API (no gevent or Locust needed):

- ``parse_rule(text) -> SloRule`` / ``parse_rules(texts, where)`` (harness.slo.parse)
- ``evaluate_slos(summary, rules) -> {"verdict": "pass"|"fail", "results": [...]}``:
  judge rules against any summary dict (docs/report-schema.md, "slo"); a sweep
  stage can call it on its own summary. Each result is ``{"rule", "scope",
  "metric", "op", "threshold", "measured", "unit", "passed", "note"}``.
- ``apply_slos(summary, aggregate, rule_texts)``: what ``build_summary`` does
  with ``run.slo``: adds each block's ``goodput`` and ``summary["slo"]``.

A rule without a scope is judged on ``overall`` and, when the run had several
targets, on each target too. Missing data (no attempts in the scope, an empty
histogram) fails the rule with ``measured`` null and a note saying why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.metrics.aggregate import RunAggregate
from harness.metrics.metric_set import MetricSet
from harness.slo.catalog import METRICS
from harness.slo.parse import SloRule, parse_rules

Summary = dict[str, Any]


def evaluate_slos(summary: Summary, rules: Sequence[SloRule]) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    targets = sorted(summary.get("targets", {}))
    for rule in rules:
        if rule.group is not None:
            block = summary.get(rule.group, {}).get(rule.key)
            results.append(judge(rule, rule.scope, block))
            continue
        results.append(judge(rule, "overall", summary["overall"]))
        if len(targets) > 1:
            for name in targets:
                results.append(judge(rule, f"targets[{name}]", summary["targets"][name]))
    passed = all(result["passed"] for result in results)
    return {"verdict": "pass" if passed else "fail", "results": results}


def judge(rule: SloRule, scope: str, block: dict[str, Any] | None) -> dict[str, Any]:
    """One rule on one metrics block (None: the scope saw no attempts)."""
    measured, note = None, None
    if block is None:
        note = f"no data: no attempts in {scope}"
    else:
        measured = METRICS[rule.metric].read(block, rule.stat)
        if measured is None:
            note = f"no data: {rule.metric_label} has no value in {scope}"
    return {
        "rule": rule.text,
        "scope": scope,
        "metric": rule.metric_label,
        "op": rule.op,
        "threshold": rule.threshold,
        "measured": measured,
        "unit": rule.unit,
        "passed": measured is not None and rule.holds(measured),
        "note": note,
    }


def goodput_block(metrics: MetricSet, window_s: float | None) -> dict[str, Any]:
    """Attempts (and sessions) that met every per-request SLO: counts, rates and a share."""
    met, sessions = metrics.slo_met, metrics.sessions_met
    return {
        "requests": met,
        "requests_per_s": met / window_s if window_s else None,
        "share": met / metrics.ok if metrics.ok else None,
        "sessions": metrics.sessions,
        "sessions_met": sessions,
        "sessions_per_s": sessions / window_s if window_s and metrics.sessions else None,
    }


def apply_slos(summary: Summary, aggregate: RunAggregate, rule_texts: Sequence[str]) -> None:
    """Add ``goodput`` to every metrics block and the ``slo`` verdict; nothing without rules."""
    if not rule_texts:
        return
    rules = parse_rules(rule_texts, "run.slo")
    blocks = [(summary["overall"], aggregate.overall)]
    for name, groups in aggregate.groups.items():
        blocks += [(summary[name][key], metrics) for key, metrics in groups.items()]
    for block, metrics in blocks:
        block["goodput"] = goodput_block(metrics, block["throughput"]["window_s"])
    summary["slo"] = evaluate_slos(summary, rules)
