"""Parse SLO rules: ``[<grouping>[<name>].]<metric>[.<stat>] <op> <value>[<unit>]``.

Examples: ``ttft.p95<500ms``, ``error_rate<1%``, ``output_tps.mean>20``,
``targets[openai].ttft.p95<400ms``, ``roles[security-audit].e2e.p99<20s``,
``workflow.e2e.p95<30s``, ``goodput>=5req/s``, ``cost.per_1k_requests<2.5``.

Every mistake raises :class:`SloRuleError` saying what was expected; callers
prefix where the rule came from (``--slo`` or ``harness.toml: [slo] rules[2]``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from harness.slo.catalog import ALIASES, METRICS, MetricSpec

#: Scope prefixes: the summary groupings, also spelled in the singular.
SCOPES: dict[str, str] = {
    **{name: name for name in ("targets", "models", "roles", "workflows", "steps")},
    **{name[:-1]: name for name in ("targets", "models", "roles", "workflows", "steps")},
}
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
#: Threshold unit -> factor into the metric's unit.
_UNIT_FACTORS = {"ms": 0.001, "s": 1.0, "%": 1.0, "tokens/s": 1.0, "req/s": 1.0, "sessions/s": 1.0}
_RULE = re.compile(
    r"^(?:(?P<kind>[A-Za-z_]+)\[(?P<name>[^\]]*)\]\.)?"
    r"(?P<path>[A-Za-z0-9_.]+?)\s*(?P<op><=|>=|==|=|<|>)\s*"
    r"(?P<value>[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(?P<unit>\S*)$"
)
GRAMMAR = "<metric>[.<stat>] <op> <value><unit>, e.g. ttft.p95<500ms or error_rate<1%"


class SloRuleError(ValueError):
    """A rule that cannot be evaluated; the message says what was expected."""


@dataclass(frozen=True)
class SloRule:
    """One parsed rule; ``threshold`` is in ``unit`` (seconds for latencies, percent for rates)."""

    text: str
    metric: str
    stat: str | None
    op: str
    threshold: float
    unit: str
    #: A summary grouping (``targets``, ``roles``, ...) and its key; None for the whole run.
    group: str | None = None
    key: str | None = None

    @property
    def metric_label(self) -> str:
        return f"{self.metric}.{self.stat}" if self.stat else self.metric

    @property
    def scope(self) -> str:
        return f"{self.group}[{self.key}]" if self.group else "overall"

    def holds(self, measured: float) -> bool:
        return OPERATORS[self.op](measured, self.threshold)


def parse_rule(text: str) -> SloRule:
    rule = text.strip()
    match = _RULE.match(rule)
    if match is None:
        raise SloRuleError(f"cannot read SLO {text!r}; expected {GRAMMAR}")
    if match["op"] in ("=", "=="):
        raise SloRuleError(f"SLO {text!r}: use <, <=, > or >= (an SLO bounds a metric)")
    group, key = _scope(text, match["kind"], match["name"])
    spec, stat = _metric(text, match["path"])
    threshold = _threshold(text, spec, float(match["value"]), match["unit"])
    return SloRule(rule, spec.name, stat, match["op"], threshold, spec.unit, group, key)


def parse_rules(texts: Iterable[str], where: str) -> list[SloRule]:
    """Parse each rule; an error names ``where`` the rule came from."""
    rules = []
    for text in texts:
        try:
            rules.append(parse_rule(text))
        except SloRuleError as exc:
            raise SloRuleError(f"{where}: {exc}") from None
    return rules


def _scope(text: str, kind: str | None, name: str | None) -> tuple[str | None, str | None]:
    if kind is None:
        return None, None
    group = SCOPES.get(kind)
    if group is None:
        expected = ", ".join(f"{g}[NAME]" for g in sorted(set(SCOPES.values())))
        raise SloRuleError(f"SLO {text!r}: unknown scope {kind!r}; expected one of {expected}")
    if not name or not name.strip():
        raise SloRuleError(f"SLO {text!r}: {kind}[...] needs a name, e.g. {group}[openai]")
    return group, name.strip()


def _metric(text: str, path: str) -> tuple[MetricSpec, str | None]:
    for alias, name in ALIASES.items():
        if path == alias or path.startswith(alias + "."):
            path = name + path[len(alias) :]
    name, _, stat = path.partition(".")
    spec = METRICS.get(name)
    if spec is None:
        known = ", ".join([*METRICS, *ALIASES])
        raise SloRuleError(f"SLO {text!r}: unknown metric {name!r}; expected one of {known}")
    if not stat:
        if spec.stat_required:
            raise SloRuleError(
                f"SLO {text!r}: {name} needs a statistic ({', '.join(spec.stats)}), "
                f"e.g. {name}.{spec.stats[0 if name == 'cost' else 2]}"
            )
        return spec, None
    if stat not in spec.stats:
        takes = f"one of {', '.join(spec.stats)}" if spec.stats else "no statistic"
        raise SloRuleError(f"SLO {text!r}: {name} takes {takes}, got {stat!r}")
    return spec, stat


def _threshold(text: str, spec: MetricSpec, value: float, unit: str) -> float:
    if unit == "":
        if spec.plain:
            return value
        raise SloRuleError(
            f"SLO {text!r}: {spec.name} needs a unit ({', '.join(spec.units)}), "
            f"e.g. {spec.name}<{'500ms' if spec.unit == 's' else '1%'}"
        )
    if unit not in spec.units:
        allowed = ", ".join([*spec.units, *(["a plain number"] if spec.plain else [])])
        raise SloRuleError(f"SLO {text!r}: unit {unit!r} does not fit {spec.name}; use {allowed}")
    return value * _UNIT_FACTORS[unit]


def split_rule_list(values: Iterable[str] | str | None) -> list[str]:
    """Rules from ``--slo`` values; one value (the web UI's text field) may hold several.

    Rules are separated by ``;`` or ``,`` (no rule contains either).
    """
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [part.strip() for value in values for part in re.split("[;,]", value) if part.strip()]
