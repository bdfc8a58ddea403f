"""The pytest11 plugin: a test suite asserts on a real load run against the simulator."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SUITE = """
import pytest

FAST = ["--max-tokens", "8", "--mock-ttft-ms"]

@pytest.mark.llm_load(users=2, run_time="3s", slo=["ttft.p95<2s"], args=[*FAST, "30"])
def test_gate_passes(llm_load):
    assert llm_load.passed and llm_load.exit_code == 0
    assert llm_load["overall"]["requests"] > 0 and llm_load.overall["failed"] == 0
    assert llm_load["slo"]["results"][0]["metric"] == "ttft.p95"
    assert (llm_load.report_dir / "junit.xml").is_file()


@pytest.mark.llm_load(users=2, run_time="3s", slo=["ttft.p95<10ms"], args=[*FAST, "100"])
def test_gate_breaks(llm_load):
    assert llm_load.passed, llm_load.failed_slos
"""


@pytest.mark.slow
def test_the_llm_load_fixture_runs_a_load_and_returns_its_summary(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_gate=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio", timeout=180)
    result.assert_outcomes(passed=1, failed=1)
    # The failing assert shows which SLO broke and what was measured.
    result.stdout.fnmatch_lines(
        ["E*AssertionError: [[]{'rule': 'ttft.p95<10ms', 'scope': 'overall'*"]
    )


def test_the_options_and_marker_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*--llm-target=URL*", "*--llm-api-key-env=VAR*"])
    markers = pytester.runpytest_subprocess("--markers")
    markers.stdout.fnmatch_lines(["*@pytest.mark.llm_load(users=4*"])
