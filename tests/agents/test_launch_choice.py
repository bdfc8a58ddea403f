"""`harness run` picks the locustfile from --workload and --workflow."""

from __future__ import annotations

from harness.launch import locustfile_for


def test_user_workloads_pick_a_locustfile_and_are_taken_out() -> None:
    assert locustfile_for(["--model", "m"]) == ("chat", ["--model", "m"])
    assert locustfile_for(["--workload", "agents", "-x"]) == ("agents", ["-x"])
    assert locustfile_for(["--workload=sessions"]) == ("sessions", [])
    assert locustfile_for(["--workload", "synthetic"]) == ("chat", ["--workload", "synthetic"])
    assert locustfile_for(["--workflow", "incident-response"]) == (
        "agents",
        ["--workflow", "incident-response"],
    )
    assert locustfile_for(["--workflow-file=f.toml"]) == ("agents", ["--workflow-file=f.toml"])


def test_rate_or_trace_pick_the_open_loop() -> None:
    assert locustfile_for(["--rate", "20", "--arrival", "gamma"]) == (
        "arrivals",
        ["--rate", "20", "--arrival", "gamma"],
    )
    assert locustfile_for(["--trace=t.jsonl"]) == ("arrivals", ["--trace=t.jsonl"])
    assert locustfile_for(["--arrival", "poisson"])[0] == "arrivals"
