from __future__ import annotations

import random
from decimal import Decimal

import orjson
import pytest

from harness.contracts import ErrorInfo, RequestRecord, Usage
from harness.metrics import aggregate as aggregate_module
from harness.metrics.aggregate import RunAggregate
from harness.metrics.histogram import bucket_index


def random_cost(rng: random.Random) -> dict[str, str]:
    """A cost with up to ten decimal places per part, as the price book writes them."""
    parts = {
        part: str(Decimal(rng.randint(0, 10**7)).scaleb(-rng.randint(4, 10)))
        for part in ("input", "cached_input", "cache_write", "output", "reasoning")
    }
    total = sum((Decimal(value) for value in parts.values()), Decimal(0))
    return {"currency": "CNY", **parts, "total": str(total)}


def varied_records(make_record, count: int, seed: int = 7) -> list[RequestRecord]:
    """Records whose times are multiples of 1/1024 s, so float sums are exact in any order."""
    rng = random.Random(seed)
    records = []
    for _ in range(count):
        ttft = rng.randint(50, 900) / 1024
        decode = 2.0 ** -rng.randint(0, 3)
        gaps = [rng.randint(5, 60) / 1024 for _ in range(rng.randint(1, 6))]
        buckets: dict[int, int] = {}
        for gap in gaps:
            buckets[bucket_index(gap)] = buckets.get(bucket_index(gap), 0) + 1
        ok = rng.random() > 0.2
        output_tokens = rng.choice([1, 8, 32])
        # Some attempts carry rate-limit headers, most a local estimate to compare with.
        headroom = rng.random() > 0.5
        # Some are retries, some end their logical request; a few waited for the limiter.
        attempt = rng.choice([1, 1, 2, 3])
        final = rng.random() > 0.3
        records.append(
            make_record(
                started_at=1_000_000 + rng.randint(0, 20_000) / 1024,
                target=rng.choice(["alpha", "beta", "gamma"]),
                ok=ok,
                error=None if ok else ErrorInfo(kind=rng.choice(["server", "timeout"]), message=""),
                headers_s=ttft / 2,
                ttft_s=ttft,
                ttfa_s=ttft + 1 / 64,
                e2e_s=ttft + decode,
                tpot_s=decode / 16,
                itl_buckets=buckets,
                itl_sum_s=sum(gaps),
                itl_min_s=min(gaps),
                itl_max_s=max(gaps),
                usage=Usage(input_tokens=rng.randint(1, 500), output_tokens=output_tokens),
                usage_estimate=Usage(
                    input_tokens=rng.randint(1, 500),
                    output_tokens=output_tokens + rng.randint(-1, 1),
                    source="estimated",
                )
                if rng.random() > 0.1
                else None,
                rate_limit={
                    "remaining_requests": rng.randint(0, 100),
                    "remaining_tokens": rng.choice([None, rng.randint(0, 10_000)]),
                }
                if headroom
                else None,
                bytes_received=rng.randint(100, 5000),
                attempt=attempt,
                retry_delay_s=rng.randint(1, 2048) / 1024 if attempt > 1 else 0.0,
                limiter_wait_s=rng.choice([0.0, rng.randint(1, 512) / 1024]),
                throttled_by="budget" if not ok and rng.random() > 0.7 else None,
                final=final,
                logical_e2e_s=ttft + decode + rng.randint(0, 4096) / 1024 if final else None,
                # Most attempts are priced; the rest had usage but no price.
                cost=random_cost(rng) if rng.random() > 0.15 else None,
                model=rng.choice(["m1", "m2"]),
                tags=rng.choice([{}, {"role": "planner", "workflow": "w"}, {"role": "coder"}]),
            )
        )
    return records


def aggregate_of(records: list[RequestRecord]) -> RunAggregate:
    aggregate = RunAggregate()
    aggregate.add_all(records)
    return aggregate


def test_records_split_by_target(make_record):
    aggregate = aggregate_of(
        [
            make_record(target="alpha", ttft_s=0.1),
            make_record(target="alpha", ok=False, error=ErrorInfo(kind="server", message="")),
            make_record(target="beta", ttft_s=0.3),
        ]
    )

    assert sorted(aggregate.targets) == ["alpha", "beta"]
    alpha, beta = aggregate.targets["alpha"], aggregate.targets["beta"]
    assert (alpha.requests, alpha.ok, alpha.failed) == (2, 1, 1)
    assert alpha.errors_by_kind == {"server": 1}
    assert alpha.ttft.max == 0.1
    assert (beta.requests, beta.ttft.max) == (1, 0.3)
    assert aggregate.overall.requests == 3
    assert aggregate.overall.ttft.count == 2


def test_merged_worker_aggregates_equal_the_aggregate_of_all_records(make_record):
    records = varied_records(make_record, 300)
    workers = [aggregate_of(records[i::3]) for i in range(3)]

    merged = RunAggregate()
    for worker in workers:
        merged.merge(worker)

    assert merged.to_dict() == aggregate_of(records).to_dict()
    assert merged.overall.requests == 300
    assert merged.overall.usage_compared > 200
    assert merged.overall.usage_diff_pct() == aggregate_of(records).overall.usage_diff_pct()
    assert any(s.rate_limit_remaining_tokens is not None for s in merged.seconds.bins.values())
    retried = merged.overall
    assert min(retried.succeeded_after_retry, retried.retry_denied_by_budget) > 0
    assert min(retried.limiter_wait.count, retried.logical_e2e.count) > 0
    assert min(merged.overall.cost.priced_records, merged.overall.cost.unpriced_records) > 0
    assert merged.overall.cost.total == sum(
        (Decimal(r.cost["total"]) for r in records if r.cost is not None), Decimal(0)
    )


def test_to_dict_survives_json_and_from_dict(make_record):
    aggregate = aggregate_of(varied_records(make_record, 80))
    shipped = orjson.loads(orjson.dumps(aggregate.to_dict()))

    revived = RunAggregate.from_dict(shipped)

    assert revived.to_dict() == aggregate.to_dict()
    assert revived.targets["alpha"].itl.buckets == aggregate.targets["alpha"].itl.buckets


def test_a_revived_delta_merges_like_the_original(make_record):
    records = varied_records(make_record, 60)
    master = aggregate_of(records[:30])
    master.merge(
        RunAggregate.from_dict(orjson.loads(orjson.dumps(aggregate_of(records[30:]).to_dict())))
    )

    assert master.to_dict() == aggregate_of(records).to_dict()


def test_from_dict_refuses_another_format_version(make_record):
    data = aggregate_of([make_record()]).to_dict()
    data["format_version"] = 99
    with pytest.raises(ValueError, match="format_version 99"):
        RunAggregate.from_dict(data)


def test_a_new_grouping_is_one_entry(make_record, monkeypatch):
    monkeypatch.setitem(
        aggregate_module.GROUPINGS, "scenarios", lambda record: record.tags.get("scenario")
    )
    aggregate = aggregate_of(
        [
            make_record(tags={"scenario": "chat"}),
            make_record(tags={"scenario": "rag"}),
            make_record(tags={"scenario": "rag"}),
            make_record(),
        ]
    )

    assert {name: m.requests for name, m in aggregate.groups["scenarios"].items()} == {
        "chat": 1,
        "rag": 2,
    }
    assert aggregate.overall.requests == 4


def test_records_split_by_model_role_and_workflow_and_untagged_ones_stay_out(make_record):
    aggregate = aggregate_of(
        [
            make_record(model="sim-gpt", tags={"role": "planner", "workflow": "fix-bug"}),
            make_record(model="sim-gpt", tags={"role": "coder", "workflow": "fix-bug"}),
            make_record(model="mystery-model", tags={"role": "coder"}),
            make_record(model="mystery-model", tags={"role": ""}),
        ]
    )

    def requests(grouping: str) -> dict[str, int]:
        return {key: m.requests for key, m in aggregate.groups[grouping].items()}

    assert requests("models") == {"sim-gpt": 2, "mystery-model": 2}
    assert requests("roles") == {"planner": 1, "coder": 2}
    assert requests("workflows") == {"fix-bug": 2}


def test_a_run_without_tags_leaves_roles_and_workflows_empty(make_record):
    aggregate = aggregate_of([make_record(), make_record(target="b")])

    assert aggregate.groups["roles"] == aggregate.groups["workflows"] == {}
    assert RunAggregate.from_dict(aggregate.to_dict()).groups["roles"] == {}
