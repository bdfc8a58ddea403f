from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from harness.slo.junit import junit_xml, result_message


def result(**fields: Any) -> dict[str, Any]:
    base = {
        "rule": "ttft.p95<500ms",
        "scope": "overall",
        "metric": "ttft.p95",
        "op": "<",
        "threshold": 0.5,
        "measured": 0.6123,
        "unit": "s",
        "passed": False,
        "note": None,
    }
    return {**base, **fields}


def test_one_testcase_per_result_and_failures_name_metric_threshold_and_measured() -> None:
    summary = {
        "run": {"generator": {"saturated": True, "reason": "CPU at or above 90%"}},
        "slo": {
            "verdict": "fail",
            "results": [
                result(),
                result(scope="targets[b]", measured=0.2, passed=True),
                result(
                    rule="error_rate<1%",
                    metric="error_rate",
                    threshold=1.0,
                    unit="%",
                    measured=None,
                    note="no data: no attempts in overall",
                ),
            ],
        },
    }
    root = ET.fromstring(junit_xml(summary))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "3" and suite.get("failures") == "2"
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("slo.overall", "ttft.p95<500ms"),
        ("slo.targets[b]", "ttft.p95<500ms"),
        ("slo.overall", "error_rate<1%"),
    ]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("message") == "ttft.p95 (overall): measured 612.3 ms, threshold < 500.0 ms"
    assert cases[1].find("failure") is None
    missing = cases[2].find("failure")
    assert missing is not None and "measured no data, threshold < 1.00%" in (
        missing.get("message") or ""
    )
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {"verdict": "fail", "generator_saturated": "true"}
    assert "load generator saturated" in (suite.findtext("system-err") or "")


def test_messages_use_each_unit() -> None:
    assert result_message(result(measured=2.5, threshold=2.0, op="<=")).endswith(
        "measured 2.500 s, threshold <= 2.000 s"
    )
    rate = result(metric="output_tps.mean", unit="tokens/s", op=">", threshold=20.0, measured=18.25)
    assert result_message(rate).endswith("measured 18.25 tokens/s, threshold > 20 tokens/s")
