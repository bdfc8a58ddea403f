from __future__ import annotations

from typing import Any

import pytest

from harness.contracts import ErrorInfo, RequestRecord, Usage
from harness.metrics.aggregate import RunAggregate
from harness.report.run_info import RunInfo
from harness.report.summary import build_summary

#: The canned run starts here; every record below is placed relative to it.
T0 = 1_700_000_000.25


def _attempt(index: int, target: str, offset: float, **fields: Any) -> RequestRecord:
    return RequestRecord(
        request_id=f"{target}-{index}",
        attempt=1,
        started_at=T0 + offset,
        target=target,
        provider="openai",
        model="sim-small",
        stream=True,
        ok=fields.pop("ok", True),
        **fields,
    )


@pytest.fixture
def run_records() -> list[RequestRecord]:
    """Two targets, seven successes and three failures, with a quiet second at t=4."""
    records = [
        _attempt(
            i,
            "alpha",
            0.5 * i,
            ttft_s=0.1 * (i + 1),
            e2e_s=0.1 * (i + 1) + 1.0,
            headers_s=0.05,
            usage=Usage(input_tokens=100, output_tokens=11),
            # The provider reports 10 % more output than the harness counts.
            usage_estimate=Usage(input_tokens=100, output_tokens=10, source="estimated"),
            bytes_received=1_000,
        )
        for i in range(4)
    ]
    records += [
        _attempt(
            i,
            "beta",
            3.0 + i,
            ttft_s=0.5,
            e2e_s=2.0,
            usage=Usage(input_tokens=200, output_tokens=21, source="estimated"),
        )
        for i in range(3)
    ]
    records += [
        _attempt(
            9,
            "alpha",
            1.0,
            ok=False,
            e2e_s=0.05,
            error=ErrorInfo(kind="rate_limited", message="429", http_status=429),
        ),
        _attempt(
            10, "beta", 8.0, ok=False, e2e_s=0.5, error=ErrorInfo(kind="server", message="500")
        ),
        _attempt(11, "beta", 9.0, ok=False, error=ErrorInfo(kind="timeout", message="")),
    ]
    return records


@pytest.fixture
def run_info() -> RunInfo:
    return RunInfo(
        started_at=T0,
        ended_at=T0 + 10.0,
        command=["harness", "run", "--users", "4"],
        targets=[
            {
                "name": "alpha",
                "provider": "openai",
                "base_url": "http://127.0.0.1:8000",
                "model": "sim-small",
                "api_key_env": "ALPHA_KEY",
            }
        ],
        users=4,
        spawn_rate=2.0,
        run_time_s=10.0,
        stream=True,
        plugins=[{"name": "openai", "version": "0.1.0", "source": "builtin"}],
        warnings=["<b>generator was busy</b>"],
        simulator={"ttft_s": 0.2, "faults": {"server_error_rate": 0.1}},
    )


@pytest.fixture
def summary(run_records: list[RequestRecord], run_info: RunInfo) -> dict[str, Any]:
    aggregate = RunAggregate()
    aggregate.add_all(run_records)
    return build_summary(aggregate, run_info)
