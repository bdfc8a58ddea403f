"""Issue acceptance: cost per target reconciles with the records; unknown stays unknown."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from locust.env import Environment

from harness.mock.process import SimulatorProcess
from harness.records import read_records

StartSimulator = Callable[..., SimulatorProcess]
RunHeadless = Callable[..., Environment]

# sim-gpt is in the built-in price table; mystery-model is in none. The relay
# serves sim-gpt but bills 1 CNY per USD of list price instead of the market 7.3.
CONFIG = """
[targets.priced]
provider = "openai"
model = "sim-gpt"

[targets.relay]
provider = "openai"
model = "sim-gpt"
fx_rate = 1

[targets.mystery]
provider = "openai"
model = "mystery-model"

[pricing]
currency = "CNY"
fx = { USD = 7.3 }
"""


def row_cells(html: str, target: str) -> dict[str, str]:
    """data-key -> text of the comparison table's row for ``target``."""
    row = re.search(rf'<tr data-target="{target}">(.*?)</tr>', html, re.S)
    assert row is not None, target
    return dict(re.findall(r'<td data-key="([^"]+)"[^>]*>([^<]*)</td>', row.group(1)))


@pytest.mark.slow
def test_cost_per_target_reconciles_and_an_unpriced_model_is_unknown(
    start_simulator: StartSimulator, run_headless: RunHeadless, tmp_path: Path
) -> None:
    simulator = start_simulator(ttft_ms=50, itl_ms=5)
    config = tmp_path / "harness.toml"
    config.write_text(CONFIG)
    out = tmp_path / "out"
    args = [
        "--targets", "priced,relay,mystery", "--harness-config", str(config),
        "--simulated-targets",
        json.dumps({name: simulator.url for name in ("priced", "relay", "mystery")}),
        "--report-dir", str(out), "--max-tokens", "8",
    ]  # fmt: skip
    run_headless(args, users=6, seconds=4)

    records = list(read_records([out / "records.jsonl"]))
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["run"]["pricing"] == {
        "currency": "CNY",
        "fx": {"USD": "7.3"},
        "target_fx": {"relay": "1"},
    }
    targets = summary["targets"]

    # Per-target totals equal the Decimal sums of the records' own costs, to the digit.
    for name in ("priced", "relay"):
        mine = [r for r in records if r.target == name]
        assert mine and all(r.cost is not None and r.cost["currency"] == "CNY" for r in mine)
        expected = sum((Decimal(r.cost["total"]) for r in mine if r.cost), Decimal(0))
        cost = targets[name]["cost"]
        assert Decimal(cost["total"]) == expected > 0, name
        assert (cost["priced_records"], cost["unpriced_records"]) == (len(mine), 0)
        assert cost["per_day"] is not None and cost["per_month"] is not None
    overall = sum((Decimal(r.cost["total"]) for r in records if r.cost), Decimal(0))
    assert Decimal(summary["overall"]["cost"]["total"]) == overall

    # The same usage costs 7.3 times as much at the market rate as through the relay.
    relay = next(r for r in records if r.target == "relay" and r.cost)
    market = [r.cost["total"] for r in records if r.target == "priced" and r.usage == relay.usage]
    assert market and relay.cost is not None
    assert {Decimal(total) for total in market} == {Decimal(relay.cost["total"]) * Decimal("7.3")}

    # The unpriced model: unknown, counted, named in a warning, and never 0.
    mystery = targets["mystery"]["cost"]
    unpriced = sum(1 for r in records if r.target == "mystery" and r.usage is not None)
    assert unpriced > 0
    assert (mystery["total"], mystery["per_day"], mystery["unpriced_records"]) == (
        None,
        None,
        unpriced,
    )
    assert all(r.cost is None for r in records if r.target == "mystery")
    assert any("'mystery-model'" in w for w in summary["run"]["warnings"])
    assert summary["overall"]["cost"]["complete"] is False

    # The comparison carries cost and its projection, in the report and in summary.json.
    rows = {row["target"]: row for row in summary["comparison"]}
    assert rows["priced"]["cost_per_month"] == targets["priced"]["cost"]["per_month"]
    assert rows["mystery"]["cost_total"] is None
    html = (out / "report.html").read_text()
    for name in ("priced", "relay"):
        cells = row_cells(html, name)
        assert all(
            cells[key] not in ("unknown", "-", "0")
            for key in ("cost_total", "cost_per_1k_requests", "cost_per_day", "cost_per_month")
        ), cells
    assert row_cells(html, "mystery")["cost_per_day"] == "unknown"
    assert "<th>cost (CNY)</th>" in html
    assert "currency: CNY" in html
