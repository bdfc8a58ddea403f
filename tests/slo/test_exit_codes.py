from __future__ import annotations

from typing import Any

from harness.slo.exit_codes import exit_code_for


def summary(
    verdict: str | None, errors: dict[str, int], requests: int = 10, saturated: bool = False
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "run": {"generator": {"saturated": saturated}},
        "overall": {"requests": requests, "errors_by_kind": errors},
    }
    if verdict is not None:
        data["slo"] = {"verdict": verdict, "results": []}
    return data


def test_the_verdict_decides_and_run_errors_and_saturation_outrank_it() -> None:
    assert exit_code_for(summary("pass", {})) == 0
    assert exit_code_for(summary("fail", {"server": 3})) == 1
    assert exit_code_for(summary(None, {})) is None  # Locust's own rule then
    assert exit_code_for(summary("pass", {"connection": 10})) == 2
    assert exit_code_for(summary(None, {"connection": 10})) == 2
    assert exit_code_for(summary("pass", {"connection": 9, "timeout": 1})) == 0
    assert exit_code_for(summary("pass", {}, requests=0)) == 0
    assert exit_code_for(summary("fail", {}, saturated=True)) == 1
    assert exit_code_for(summary("fail", {}, saturated=True), saturation_fatal=True) == 3
    assert exit_code_for(summary("pass", {"connection": 10}, saturated=True), True) == 2
