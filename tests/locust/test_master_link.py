"""A master refuses a worker's delta in another aggregate format, and says why."""

from __future__ import annotations

import logging

import pytest
from locust import events
from locust.argument_parser import get_parser
from locust.env import Environment

from harness.cluster import free_loopback_port
from harness.locust import ChatUser
from harness.locust.lifecycle import llm_run_for
from harness.locust.master_link import MasterLink
from harness.metrics.aggregate import FORMAT_VERSION, RunAggregate


def test_a_delta_of_another_format_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    host = "http://127.0.0.1:9"
    options = get_parser(default_config_files=[]).parse_args(["--host", host])
    environment = Environment(
        user_classes=[ChatUser], events=events, host=host, parsed_options=options
    )
    runner = environment.create_master_runner("127.0.0.1", free_loopback_port())
    events.init.fire(environment=environment, runner=runner, web_ui=None)
    link = llm_run_for(environment).distribution
    assert isinstance(link, MasterLink)
    try:
        good = {"worker": "box-0", "sent_at": 1.0, "aggregate": RunAggregate().to_dict()}
        stale = {**good, "worker": "box-1", "aggregate": {"format_version": FORMAT_VERSION - 1}}
        # Locust's own listeners of worker_report want its statistics too: call ours.
        link._on_worker_report("a", {"harness": good})
        with caplog.at_level(logging.ERROR, logger="harness"):
            link._on_worker_report("b", {"harness": stale})
    finally:
        runner.quit()
        # The listeners are on Locust's global events: leave none behind for later tests.
        events.worker_report.remove_listener(link._on_worker_report)
        events.test_start.remove_listener(link._on_test_start)
        link._watch.kill()
    states = {w["name"]: w["state"] for w in link.fleet.describe()}
    assert states == {"box-0": "running", "box-1": "refused"}
    (message,) = [r.getMessage() for r in caplog.records if r.name == "harness"]
    assert f"format_version {FORMAT_VERSION - 1}, expected {FORMAT_VERSION}" in message
    assert "worker box-1" in message and "same harness version" in message
    assert link.fleet.incomplete() and any("box-1" in w for w in link.fleet.warnings())
