"""Issue acceptance: ``harness compare`` flags a TTFT regression and passes an unchanged rerun.

Three short real runs against the simulator: a base, a rerun with the same
settings, and a run whose simulator answers its first token later.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from locust.env import Environment

from harness.cli import main
from harness.mock.process import SimulatorProcess

StartSimulator = Callable[..., SimulatorProcess]
RunHeadless = Callable[..., Environment]


def one_run(
    start: StartSimulator, run_headless: RunHeadless, out: Path, ttft_ms: float, *extra: str
) -> Path:
    simulator = start(ttft_ms=ttft_ms, itl_ms=5, output_tokens=8, seed=4)
    args = ["--host", simulator.url, "--report-dir", str(out), "--max-tokens", "8", *extra]
    run_headless(args, users=4, seconds=3.0, host=simulator.url)
    return out


def test_compare_flags_a_slower_first_token_and_passes_a_rerun(
    start_simulator: StartSimulator,
    run_headless: RunHeadless,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = one_run(start_simulator, run_headless, tmp_path / "base", ttft_ms=200)
    same = one_run(start_simulator, run_headless, tmp_path / "same", 200, "--records-gzip")
    slower = one_run(start_simulator, run_headless, tmp_path / "slower", ttft_ms=300)
    capsys.readouterr()

    # A report directory and a record file (here gzip, from --records-gzip) are both runs.
    assert not (same / "records.jsonl").exists()
    rerun = str(same / "records.jsonl.gz")
    assert main(["compare", str(base), rerun, "-o", str(tmp_path / "ok")]) == 0
    assert "no regression" in capsys.readouterr().out

    out = tmp_path / "bad"
    assert main(["compare", str(base), str(same), str(slower), "-o", str(out)]) == 1
    printed = capsys.readouterr().out
    assert f"REGRESSION in {slower}" in printed and f"{same}," not in printed
    markdown = (out / "compare.md").read_text(encoding="utf-8")
    ttft_row = next(line for line in markdown.splitlines() if line.startswith("| ttft.p50 |"))
    # base, same (within tolerance), slower (bold: regressed by about +50 %).
    cells = [cell.strip() for cell in ttft_row.strip("|").split("|")]
    assert not cells[3].startswith("**") and cells[5].startswith("**")
    assert 40 <= float(cells[6].strip("*%+")) <= 60
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert 'data-regressed="true"' in html and "<script" not in html

    # The same regression passes under a tolerance that allows it.
    loose = ["--tolerance", "ttft.p50=80%", "--tolerance", "ttft.p95=80%"]
    loose += ["--tolerance", "e2e.p50=80%", "--tolerance", "e2e.p95=80%"]
    loose += ["--tolerance", "output_tokens_per_s=80%", "--tolerance", "cost.per_1k_requests=80%"]
    assert main(["compare", str(base), str(slower), "-o", str(out), *loose]) == 0


def test_compare_rejects_bad_input_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "summary.json").write_text("{not json")
    assert main(["compare", str(tmp_path / "summary.json"), str(tmp_path)]) == 2
    assert "not a summary.json" in capsys.readouterr().err
    assert main(["compare", str(tmp_path / "gone"), str(tmp_path / "missing")]) == 2
    assert "gone: no such file or directory" in capsys.readouterr().err
    (tmp_path / "records.jsonl").write_text('{"request_id": 1}\n{}\n')
    assert main(["compare", str(tmp_path / "records.jsonl"), str(tmp_path)]) == 2
    assert "records.jsonl:1: not a RequestRecord" in capsys.readouterr().err
    assert main(["compare", str(tmp_path)]) == 2
    assert "at least two runs" in capsys.readouterr().err
