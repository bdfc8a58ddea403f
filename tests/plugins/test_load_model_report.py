"""The load-model report plugin adds its sections only to runs that have them."""

from __future__ import annotations

from harness.plugins import PluginHost
from harness_plugins.load_model_report import harness_report_sections


def test_closed_loop_reports_get_no_load_model_section() -> None:
    assert harness_report_sections({"overall": {}, "run": {}}) is None


def test_the_plugin_is_registered_as_a_built_in() -> None:
    names = [info.name for info in PluginHost().plugin_infos()]

    assert "load_models" in names
