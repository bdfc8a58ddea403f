from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import load_config
from harness.errors import HarnessConfigError
from harness.slo.config_table import report_rules, run_rules


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "harness.toml"
    path.write_text(text)
    return path


def test_rules_come_from_the_slo_table(tmp_path: Path) -> None:
    path = write(tmp_path, '[slo]\nrules = ["ttft.p95<500ms", " error_rate<1% "]\n')
    assert load_config(path).slo == ("ttft.p95<500ms", "error_rate<1%")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('slo = "x"\n', "[slo] must be a table with rules = "),
        ("[slo]\nrule = []\n", "[slo]: unknown key 'rule'; expected rules"),
        ("[slo]\nrules = [1]\n", "[slo]: 'rules' must be a list of strings"),
        (
            '[slo]\nrules = ["ttft.p95<1s", "ttft.p95<1"]\n',
            "[slo] rules[1]: SLO 'ttft.p95<1': ttft needs a unit (ms, s)",
        ),
    ],
)
def test_a_bad_slo_table_names_the_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(HarnessConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert expected in str(caught.value)


def test_run_rules_add_the_options_and_check_them() -> None:
    assert run_rules(("a.p95<1s",), ["error_rate<1%;rps>1"]) == [
        "a.p95<1s",
        "error_rate<1%",
        "rps>1",
    ]
    with pytest.raises(HarnessConfigError, match=r"--slo: SLO 'ttft<1s': ttft needs a statistic"):
        run_rules((), ["ttft<1s"])


def test_report_falls_back_to_the_rules_the_run_was_judged_by(tmp_path: Path) -> None:
    previous = tmp_path / "summary.json"
    assert report_rules((), None, previous) == []
    previous.write_text('{"run": {"slo": ["ttft.p95<1s"]}}')
    assert report_rules((), None, previous) == ["ttft.p95<1s"]
    assert report_rules((), ["rps>2"], previous) == ["rps>2"]
