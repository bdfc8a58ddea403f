"""junit.xml: one testcase per SLO result (per rule, per scope), for CI test reporters."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

JUNIT_FILE = "junit.xml"


def format_value(value: float | None, unit: str) -> str:
    """A threshold or measured value for people: ms under a second, else the unit."""
    if value is None:
        return "no data"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.3f} s"
    if unit == "%":
        return f"{value:.2f}%"
    return f"{value:.4g} {unit}".rstrip()


def result_message(result: dict[str, Any]) -> str:
    """``ttft.p95 (overall): measured 612.3 ms, threshold < 500.0 ms``."""
    unit = result["unit"]
    text = (
        f"{result['metric']} ({result['scope']}): measured "
        f"{format_value(result['measured'], unit)}, threshold {result['op']} "
        f"{format_value(result['threshold'], unit)}"
    )
    return f"{text}; {result['note']}" if result.get("note") else text


def junit_xml(summary: dict[str, Any]) -> bytes:
    """The document for ``summary["slo"]``; a saturated generator is a property and a warning."""
    results = summary["slo"]["results"]
    failures = sum(1 for result in results if not result["passed"])
    suite = ET.Element(
        "testsuite",
        name="harness.slo",
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    generator = summary["run"].get("generator") or {}
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="verdict", value=summary["slo"]["verdict"])
    ET.SubElement(
        properties,
        "property",
        name="generator_saturated",
        value=str(bool(generator.get("saturated"))).lower(),
    )
    for result in results:
        case = ET.SubElement(
            suite, "testcase", classname=f"slo.{result['scope']}", name=result["rule"]
        )
        if not result["passed"]:
            failure = ET.SubElement(case, "failure", message=result_message(result), type="SLO")
            failure.text = result_message(result)
    if generator.get("saturated"):
        ET.SubElement(
            suite, "system-err"
        ).text = f"load generator saturated ({generator['reason']}): latencies are not trustworthy"
    suites = ET.Element("testsuites", tests=str(len(results)), failures=str(failures))
    suites.append(suite)
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True) + b"\n"
