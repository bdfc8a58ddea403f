from __future__ import annotations

import orjson
import pytest

from harness.contracts import ErrorInfo, Usage
from harness.metrics.timeseries import SecondSeries


def test_attempts_land_in_the_second_they_completed(make_record):
    series = SecondSeries()
    series.add(make_record(started_at=10.2, e2e_s=0.5, ttft_s=0.1, usage=Usage(output_tokens=7)))
    series.add(make_record(started_at=10.9, e2e_s=0.3, ttft_s=0.2, usage=Usage(output_tokens=5)))
    series.add(make_record(started_at=11.5, e2e_s=0.4, ttft_s=0.3))
    series.add(make_record(started_at=12.0, ok=False, error=ErrorInfo(kind="timeout", message="")))

    assert sorted(series.bins) == [10, 11, 12]
    first, second, third = series.bins[10], series.bins[11], series.bins[12]
    assert (first.ok, first.failed, first.output_tokens) == (1, 0, 7)
    assert (second.ok, second.failed, second.output_tokens) == (2, 0, 5)
    assert (second.ttft.count, second.ttft.min, second.ttft.max) == (2, 0.2, 0.3)
    assert (third.ok, third.failed, third.ttft.count) == (0, 1, 0)
    assert series.span() == (10, 12)


def test_ttft_percentiles_per_second(make_record):
    series = SecondSeries()
    for index in range(100):
        series.add(make_record(started_at=50.0, e2e_s=0.5, ttft_s=0.01 * (index + 1)))

    ttft = series.bins[50].ttft
    assert ttft.quantile(0.5) == pytest.approx(0.5, rel=0.01)
    assert ttft.quantile(0.95) == pytest.approx(0.95, rel=0.01)


def test_merge_adds_bin_by_bin_and_round_trips(make_record):
    one, two, both = SecondSeries(), SecondSeries(), SecondSeries()
    records = [
        make_record(started_at=5.0, e2e_s=0.25, ttft_s=0.125, usage=Usage(output_tokens=3)),
        make_record(started_at=5.5, e2e_s=0.25, ttft_s=0.25, usage=Usage(output_tokens=4)),
        make_record(started_at=8.0, ok=False),
    ]
    one.add(records[0])
    two.add(records[1])
    two.add(records[2])
    for record in records:
        both.add(record)

    one.merge(two)

    assert one.to_dict() == both.to_dict()
    assert one.bins[5].ok == 2
    revived = SecondSeries.from_dict(orjson.loads(orjson.dumps(both.to_dict())))
    assert revived.to_dict() == both.to_dict()


def test_empty_series_has_no_span():
    assert SecondSeries().span() is None


def headroom(requests: int | None, tokens: int | None) -> dict[str, int | None]:
    return {"remaining_requests": requests, "remaining_tokens": tokens}


def test_headroom_is_the_lowest_seen_in_the_second_the_headers_arrived(make_record):
    series = SecondSeries()
    # Headers at 20.1 and 20.6; the first attempt streams on until 22.
    series.add(
        make_record(started_at=20.0, headers_s=0.1, e2e_s=2.0, rate_limit=headroom(90, 5000))
    )
    series.add(
        make_record(started_at=20.5, headers_s=0.1, e2e_s=0.3, rate_limit=headroom(95, 4000))
    )
    series.add(
        make_record(started_at=21.2, headers_s=0.1, e2e_s=0.3, rate_limit=headroom(80, None))
    )
    series.add(make_record(started_at=21.5, e2e_s=0.2))

    assert sorted(series.bins) == [20, 21, 22]
    first, second, third = series.bins[20], series.bins[21], series.bins[22]
    assert (first.rate_limit_remaining_requests, first.rate_limit_remaining_tokens) == (90, 4000)
    assert (second.rate_limit_remaining_requests, second.rate_limit_remaining_tokens) == (80, None)
    assert (third.rate_limit_remaining_requests, third.rate_limit_remaining_tokens) == (None, None)
    assert (first.ok, second.ok, third.ok) == (1, 2, 1)


def test_headroom_merges_as_a_minimum_and_ignores_garbage(make_record):
    one, two = SecondSeries(), SecondSeries()
    one.add(make_record(started_at=7.0, rate_limit=headroom(10, None)))
    one.add(make_record(started_at=7.2, rate_limit={"remaining_requests": "3", "other": 1}))
    two.add(make_record(started_at=7.5, rate_limit=headroom(12, 700)))

    one.merge(SecondSeries.from_dict(orjson.loads(orjson.dumps(two.to_dict()))))

    slot = one.bins[7]
    assert (slot.rate_limit_remaining_requests, slot.rate_limit_remaining_tokens) == (10, 700)
    assert slot.ok == 3


def test_failures_by_kind_and_retries_per_second(retried_records):
    series = SecondSeries()
    for record in retried_records:
        series.add(record)

    assert {second: slot.errors_by_kind for second, slot in series.bins.items()} == {
        100: {"rate_limited": 1},
        101: {},
        102: {"server": 2, "timeout": 1},
        103: {"timeout": 1},
        104: {},
    }
    assert {second: slot.retries for second, slot in series.bins.items()} == {
        100: 0,
        101: 1,
        102: 1,
        103: 1,
        104: 0,
    }
    assert (series.bins[101].ok, series.bins[102].failed) == (2, 3)


def test_errors_by_kind_and_retries_merge_bin_by_bin(retried_records):
    one, two, both = SecondSeries(), SecondSeries(), SecondSeries()
    for index, record in enumerate(retried_records):
        (one if index % 2 else two).add(record)
        both.add(record)

    one.merge(SecondSeries.from_dict(orjson.loads(orjson.dumps(two.to_dict()))))

    assert one.to_dict() == both.to_dict()
    assert one.bins[102].errors_by_kind == {"server": 2, "timeout": 1}


def test_offered_sent_and_in_flight_per_second(make_record):
    series = SecondSeries()
    # In flight 10.5-12.25: half of second 10, all of 11, a quarter of 12.
    series.add(make_record(started_at=10.5, e2e_s=1.75, ttft_s=0.2))
    # Due at 10.9 but queued 0.3 s by the open-loop pool: offered in 10, sent in 11.
    series.add(make_record(started_at=11.2, queue_s=0.3, e2e_s=0.5, ttft_s=0.1))
    # A retry is sent again, but it was offered once, with its first attempt.
    series.add(make_record(started_at=11.5, attempt=2, ok=False, e2e_s=0.25))

    bins = series.bins
    assert [bins[s].offered for s in (10, 11, 12)] == [2, 0, 0]
    assert [bins[s].sent for s in (10, 11, 12)] == [1, 2, 0]
    assert [series.in_flight()[s] for s in (10, 11, 12)] == pytest.approx([0.5, 1.75, 0.25])
    assert bins[11].e2e.count == 1 and bins[12].e2e.count == 1  # the failure is not timed
    assert bins[11].e2e.max == 0.5


def test_load_and_e2e_merge_and_round_trip(make_record):
    records = [make_record(started_at=20.0 + i / 3, e2e_s=0.9, ttft_s=0.1) for i in range(9)]
    one, two, both = SecondSeries(), SecondSeries(), SecondSeries()
    for index, record in enumerate(records):
        (one if index % 2 else two).add(record)
        both.add(record)

    one.merge(two)

    assert sorted(one.bins) == sorted(both.bins)
    for second, slot in both.bins.items():
        mine = one.bins[second]
        assert (mine.offered, mine.sent, mine.e2e.buckets) == (
            slot.offered,
            slot.sent,
            slot.e2e.buckets,
        )
    assert one.in_flight() == pytest.approx(both.in_flight())
    assert sum(both.in_flight().values()) == pytest.approx(9 * 0.9)
    revived = SecondSeries.from_dict(orjson.loads(orjson.dumps(both.to_dict())))
    assert revived.to_dict() == both.to_dict()


def test_a_long_attempt_covers_every_second_it_spans(make_record):
    series = SecondSeries()
    series.add(make_record(started_at=100.25, e2e_s=60.5, ttft_s=1.0))  # to 160.75
    series.add(make_record(started_at=130.0, e2e_s=2.0, ttft_s=0.5))

    in_flight = series.in_flight()

    assert len(series.bins) == 6  # not one bin per second of the long attempt
    assert in_flight[100] == pytest.approx(0.75)
    assert [in_flight[s] for s in (101, 129, 130, 131, 132, 159)] == [1, 1, 2, 2, 1, 1]
    assert in_flight[160] == pytest.approx(0.75)
    assert sum(in_flight.values()) == pytest.approx(62.5)
