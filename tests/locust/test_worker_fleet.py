"""What the master tells about its workers, and how it splits the run's limits."""

from __future__ import annotations

from harness.locust.master_link import split_limits
from harness.locust.worker_fleet import WorkerFleet
from harness.locust.worker_link import readable_worker_id


def test_limits_split_so_the_totals_hold() -> None:
    shares = split_limits(10, "1.00", [0, 1, 2])
    assert [shares[str(i)]["max_requests"] for i in range(3)] == [4, 3, 3]
    assert all(share["budget"] == "0.333333333" for share in shares.values())
    assert split_limits(None, None, [0, 1]) == {}


def test_a_lost_worker_makes_the_run_partial_and_says_when() -> None:
    fleet = WorkerFleet()
    fleet.expect("a", 0).name = "host-0"
    fleet.expect("b", 1).name = "host-1"
    fleet.worker("a", 0).reported(1_700_000_000.0)
    fleet.worker("b", 1).finished(None, [])
    assert fleet.waiting() == ["a"] and not fleet.incomplete()
    fleet.lost("a", 1_700_000_004.0)
    assert fleet.incomplete() and fleet.waiting() == []
    (warning,) = fleet.warnings()
    assert "worker host-0 stopped reporting (last report 22:13:20 UTC" in warning
    assert "records-host-0.jsonl" in warning
    assert [w["state"] for w in fleet.describe()] == ["missing", "finished"]


def test_the_run_stops_once_every_worker_stopped_early() -> None:
    fleet = WorkerFleet()
    fleet.expect("a", 0).finished("--max-requests 5 reached", [])
    fleet.expect("b", 1)
    assert fleet.early_stop_reasons() is None
    fleet.worker("b", 1).finished("--max-requests 5 reached", [])
    assert fleet.early_stop_reasons() == ["--max-requests 5 reached"] * 2


def test_worker_ids_are_safe_file_names() -> None:
    assert readable_worker_id(3, "pod/a b.local") == "pod-a-b.local-3"


def test_the_generators_are_the_workers_and_one_saturated_is_enough() -> None:
    fleet = WorkerFleet()
    fleet.expect("a", 0).finished(None, [], {"lags_ms": [1.0] * 4, "cpu_percent": [30.0] * 4})
    assert fleet.generator_health()["saturated"] is False
    busy = {"lags_ms": [2.0] * 4, "cpu_percent": [99.0] * 4}
    fleet.expect("b", 1).finished(None, [], busy)
    fleet.worker("b", 1).name = "box-1"
    health = fleet.generator_health()
    assert health["samples"] == 8 and health["saturated"] is True
    assert health["reason"].startswith("worker box-1: CPU at or above 90%")
    (warning,) = fleet.warnings()
    assert warning.startswith("worker box-1: load generator saturated (CPU at or above 90%")
