from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from harness.config import PricingConfig
from harness.contracts import ErrorInfo, RequestRecord, Usage
from harness.metrics.aggregate import RunAggregate
from harness.plugins import PluginHost, PluginSettings
from harness.pricing.assembly import build_price_book
from harness.pricing.price_book import PriceBook
from harness.report.run_info import RunInfo
from harness.report.summary import build_summary

#: The canned run starts here; every record below is placed relative to it.
T0 = 1_700_000_000.25


def _attempt(index: int, target: str, offset: float, **fields: Any) -> RequestRecord:
    return RequestRecord(
        request_id=f"{target}-{index}",
        attempt=fields.pop("attempt", 1),
        started_at=T0 + offset,
        target=target,
        provider="openai",
        model=fields.pop("model", "sim-small"),
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


@pytest.fixture
def retry_records() -> list[RequestRecord]:
    """Five logical requests in eight attempts on two targets.

    alpha: a 429 then a success after 0.5 s of backoff; a success the
    limiter held 0.3 s; a plain success. beta: a 500 whose retry the budget
    denied; two overloaded attempts, then a success.
    """
    rate_limited = ErrorInfo(kind="rate_limited", message="429", http_status=429)
    overloaded = ErrorInfo(kind="overloaded", message="529", http_status=529)
    return [
        _attempt(1, "alpha", 0.0, ok=False, e2e_s=0.05, error=rate_limited, final=False),
        _attempt(1, "alpha", 0.6, attempt=2, e2e_s=1.0, retry_delay_s=0.5, logical_e2e_s=1.6),
        _attempt(2, "alpha", 1.0, e2e_s=0.8, limiter_wait_s=0.3, logical_e2e_s=1.1),
        _attempt(3, "alpha", 2.0, e2e_s=0.9, logical_e2e_s=0.9),
        _attempt(
            4,
            "beta",
            0.5,
            ok=False,
            e2e_s=0.1,
            error=ErrorInfo(kind="server", message="500"),
            throttled_by="budget",
            logical_e2e_s=0.1,
        ),
        _attempt(5, "beta", 1.0, ok=False, e2e_s=0.1, error=overloaded, final=False),
        _attempt(
            5,
            "beta",
            1.4,
            attempt=2,
            ok=False,
            e2e_s=0.1,
            error=overloaded,
            retry_delay_s=0.25,
            final=False,
        ),
        _attempt(5, "beta", 2.0, attempt=3, e2e_s=0.7, retry_delay_s=0.5, logical_e2e_s=1.7),
    ]


@pytest.fixture
def retry_summary(retry_records: list[RequestRecord], run_info: RunInfo) -> dict[str, Any]:
    aggregate = RunAggregate()
    aggregate.add_all(retry_records)
    return build_summary(aggregate, run_info)


@pytest.fixture
def cost_book() -> PriceBook:
    """The run's price book as LlmRun builds it: report in CNY at 7.3 per USD, a relay at 1."""
    pricing = PricingConfig(currency="CNY", fx={"USD": Decimal("7.3")})
    return build_price_book(PluginHost(PluginSettings()), pricing, target_fx={"relay": Decimal(1)})


@pytest.fixture
def cost_records(cost_book: PriceBook) -> list[RequestRecord]:
    """Three targets priced by the built-in table (sim-gpt: $0.40 in, $0.10 cached, $1.60 out).

    gpt: three attempts over exactly 4 s, costing 0.0040004, 0.01168 and
    0.0004818 CNY (0.0161622 in all). relay: the same model billed at 1 CNY
    per USD, one attempt of 0.0016 over 1 s. mystery: a model without a
    price, two attempts with usage (unpriced) and one refused connection.
    """
    records = [
        _attempt(1, "gpt", 0.0, model="sim-gpt", ttft_s=0.2, e2e_s=1.0,
                 usage=Usage(input_tokens=1200, cached_input_tokens=200, output_tokens=80)),
        _attempt(2, "gpt", 1.0, model="sim-gpt", ttft_s=0.2, e2e_s=2.0,
                 usage=Usage(input_tokens=3000, output_tokens=250)),
        _attempt(3, "gpt", 2.0, model="sim-gpt", ttft_s=0.2, e2e_s=2.0,
                 usage=Usage(input_tokens=500, cached_input_tokens=500, output_tokens=10)),
        _attempt(4, "relay", 1.0, model="sim-gpt", ttft_s=0.1, e2e_s=1.0,
                 usage=Usage(input_tokens=3000, output_tokens=250)),
        _attempt(5, "mystery", 0.0, model="mystery-model", ttft_s=0.3, e2e_s=1.0,
                 usage=Usage(input_tokens=100, output_tokens=10)),
        _attempt(6, "mystery", 1.0, model="mystery-model", ttft_s=0.3, e2e_s=1.0,
                 usage=Usage(input_tokens=100, output_tokens=10)),
        _attempt(7, "mystery", 2.0, model="mystery-model", ok=False,
                 error=ErrorInfo(kind="connection", message="refused")),
    ]  # fmt: skip
    for record in records:
        cost_book.price_record(record)
    return records


@pytest.fixture
def cost_summary(
    cost_records: list[RequestRecord], cost_book: PriceBook, run_info: RunInfo
) -> dict[str, Any]:
    aggregate = RunAggregate()
    aggregate.add_all(cost_records)
    run = dataclasses.replace(
        run_info,
        pricing=cost_book.describe(),
        warnings=list(cost_book.unknown.values()),
        targets=[
            {"name": name, "provider": "openai", "model": model}
            for name, model in (
                ("gpt", "sim-gpt"),
                ("relay", "sim-gpt"),
                ("mystery", "mystery-model"),
            )
        ],
    )
    return build_summary(aggregate, run)


@pytest.fixture
def summary_without_usage(run_info: RunInfo) -> dict[str, Any]:
    """One attempt refused before any token: nothing to price."""
    aggregate = RunAggregate()
    aggregate.add(
        _attempt(1, "alpha", 0.0, ok=False, error=ErrorInfo(kind="connection", message=""))
    )
    return build_summary(aggregate, run_info)


@pytest.fixture
def fallback_records() -> list[RequestRecord]:
    """Four logical requests over gpt, claude and relay, in eight attempts.

    Request 1 fails over to claude and succeeds there (2.0 s in all); request 2
    fails over to claude, which retries once and succeeds (3.0 s); request 3
    fails over to relay, which fails too; request 4 was routed to claude by
    prompt size and succeeds at once (0.5 s). The fallback attempts cost
    0.0010001, 0.0002 and 0.00003 CNY.
    """
    server = ErrorInfo(kind="server", message="500")

    def priced(total: str) -> dict[str, str]:
        return {"currency": "CNY", "output": total, "total": total}

    fallback: dict[str, Any] = {"fallback_from": "gpt", "attempt": 2}
    return [
        _attempt(1, "gpt", 0.0, ok=False, e2e_s=0.1, error=server, final=False),
        _attempt(1, "claude", 0.2, e2e_s=1.5, logical_e2e_s=2.0, cost=priced("0.0010001"),
                 **fallback),
        _attempt(2, "gpt", 1.0, ok=False, e2e_s=0.1, error=server, final=False),
        _attempt(2, "claude", 1.2, ok=False, e2e_s=0.2, error=server, final=False,
                 cost=priced("0.0002"), usage=Usage(input_tokens=10, output_tokens=1),
                 **fallback),
        _attempt(2, "claude", 2.0, attempt=3, e2e_s=1.0, logical_e2e_s=3.0,
                 fallback_from="gpt", cost=priced("0.00003")),
        _attempt(3, "gpt", 3.0, ok=False, e2e_s=0.1, error=server, final=False),
        _attempt(3, "relay", 3.2, ok=False, e2e_s=0.1, error=server, **fallback),
        _attempt(4, "claude", 4.0, e2e_s=0.5, logical_e2e_s=0.5, routed_by="prompt-size"),
    ]  # fmt: skip


@pytest.fixture
def fallback_summary(fallback_records: list[RequestRecord], run_info: RunInfo) -> dict[str, Any]:
    aggregate = RunAggregate()
    aggregate.add_all(fallback_records)
    return build_summary(aggregate, run_info)
