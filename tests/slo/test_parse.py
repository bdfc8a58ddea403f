from __future__ import annotations

import pytest

from harness.slo.parse import SloRuleError, parse_rule, parse_rules, split_rule_list


@pytest.mark.parametrize(
    ("text", "metric", "stat", "op", "threshold", "unit", "scope"),
    [
        ("ttft.p95<500ms", "ttft", "p95", "<", 0.5, "s", "overall"),
        ("e2e.p99.9 <= 2s", "e2e", "p99.9", "<=", 2.0, "s", "overall"),
        ("error_rate<1%", "error_rate", None, "<", 1.0, "%", "overall"),
        ("success_rate>=99.5%", "success_rate", None, ">=", 99.5, "%", "overall"),
        ("output_tps.mean>20", "output_tps", "mean", ">", 20.0, "tokens/s", "overall"),
        ("output_tps>500tokens/s", "output_tps", None, ">", 500.0, "tokens/s", "overall"),
        ("rps>=10req/s", "rps", None, ">=", 10.0, "req/s", "overall"),
        ("goodput>5", "goodput", None, ">", 5.0, "req/s", "overall"),
        ("cost.per_1k_requests<2.5", "cost", "per_1k_requests", "<", 2.5, "", "overall"),
        ("workflow.e2e.p95<30s", "workflow_e2e", "p95", "<", 30.0, "s", "overall"),
        ("targets[openai].ttft.p95<400ms", "ttft", "p95", "<", 0.4, "s", "targets[openai]"),
        (
            "roles[security-audit].e2e.p99<20s",
            "e2e",
            "p99",
            "<",
            20.0,
            "s",
            "roles[security-audit]",
        ),
        ("target[a.b].itl.max<1s", "itl", "max", "<", 1.0, "s", "targets[a.b]"),
    ],
)
def test_good_rules_parse_into_the_metric_unit(
    text: str, metric: str, stat: str | None, op: str, threshold: float, unit: str, scope: str
) -> None:
    rule = parse_rule(text)
    assert (rule.metric, rule.stat, rule.op, rule.unit, rule.scope) == (
        metric,
        stat,
        op,
        unit,
        scope,
    )
    assert rule.threshold == pytest.approx(threshold)
    assert rule.text == text.strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ttft.p95", "cannot read SLO 'ttft.p95'; expected <metric>[.<stat>] <op> <value><unit>"),
        ("tfft.p95<500ms", "unknown metric 'tfft'; expected one of ttft,"),
        (
            "ttft.p96<500ms",
            "ttft takes one of p50, p90, p95, p99, p99.9, min, max, mean, got 'p96'",
        ),
        ("ttft<500ms", "ttft needs a statistic (p50, p90, p95"),
        ("ttft.p95<500", "ttft needs a unit (ms, s), e.g. ttft<500ms"),
        ("ttft.p95<5%", "unit '%' does not fit ttft; use ms, s"),
        ("error_rate<1", "error_rate needs a unit (%)"),
        ("error_rate.p95<1%", "error_rate takes no statistic, got 'p95'"),
        ("ttft.p95=500ms", "use <, <=, > or >="),
        (
            "teams[x].ttft.p95<1s",
            "unknown scope 'teams'; expected one of models[NAME], roles[NAME]",
        ),
        ("targets[].ttft.p95<1s", "targets[...] needs a name, e.g. targets[openai]"),
        ("cost<3", "cost needs a statistic (total, per_1k_requests"),
    ],
)
def test_bad_rules_name_the_problem(text: str, expected: str) -> None:
    with pytest.raises(SloRuleError) as caught:
        parse_rule(text)
    assert expected in str(caught.value)
    assert repr(text) in str(caught.value)


def test_parse_rules_prefixes_where_the_rule_came_from() -> None:
    with pytest.raises(SloRuleError, match=r"^--slo: SLO 'nope<1s': unknown metric 'nope'"):
        parse_rules(["ttft.p95<1s", "nope<1s"], "--slo")


def test_one_value_may_hold_several_rules() -> None:
    assert split_rule_list("ttft.p95<500ms; error_rate<1%,rps>1") == [
        "ttft.p95<500ms",
        "error_rate<1%",
        "rps>1",
    ]
    assert split_rule_list(["a<1s", "b<2s;c<3s"]) == ["a<1s", "b<2s", "c<3s"]
    assert split_rule_list(None) == []
