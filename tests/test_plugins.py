"""The plugin host: discovery, every hook, and the errors plugin authors will meet."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from harness.contracts import Price, ReportSection, SinkContext, WorkloadSettings
from harness.errors import HarnessConfigError
from harness.plugins import PluginHost, PluginSettings

WritePlugin = Callable[[str, str], str]


@pytest.fixture
def write_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WritePlugin:
    """Write a local plugin module; returns its import name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("HARNESS_PLUGINS", raising=False)
    monkeypatch.delenv("HARNESS_DISABLE_PLUGINS", raising=False)

    def write(name: str, body: str) -> str:
        (tmp_path / f"{name}.py").write_text(
            "from harness import hookimpl\n" + textwrap.dedent(body)
        )
        return name

    return write


def host_with(*modules: str, disabled: tuple[str, ...] = ()) -> PluginHost:
    return PluginHost(PluginSettings(tuple(modules), frozenset(disabled)))


ADAPTER = """
class Adapter:
    name = "{name}"
    def build_request(self, request, target, api_key): ...
    def parse_response(self, status, headers, body): ...
    def parse_stream(self, events): ...
    def classify_error(self, status, headers, body): ...

@hookimpl
def harness_register_providers(register):
    register(Adapter())
"""


def test_builtins_are_found_through_entry_points() -> None:
    host = host_with()
    assert "openai" in host.providers and "synthetic" in host.workloads
    assert "jsonl" in host.sinks
    sources = {info.name: info.source for info in host.plugin_infos()}
    assert sources["openai"] == sources["synthetic"] == sources["jsonl"] == "built-in"


def test_harness_register_providers_from_a_local_plugin(write_plugin: WritePlugin) -> None:
    module = write_plugin("acme_provider", ADAPTER.format(name="acme"))
    host = host_with(module)
    assert host.provider("acme").name == "acme"
    (info,) = [i for i in host.plugin_infos() if i.name == module]
    assert info.source == "local" and info.registers == {"providers": ["acme"]}


def test_duplicate_provider_names_both_plugins(write_plugin: WritePlugin) -> None:
    module = write_plugin("second_openai", ADAPTER.format(name="openai"))
    with pytest.raises(HarnessConfigError) as caught:
        host_with(module)
    message = str(caught.value)
    assert "'openai'" in message and "plugin 'openai'" in message
    assert "plugin 'second_openai'" in message and "HARNESS_DISABLE_PLUGINS" in message


def test_user_overrides_a_builtin_by_disabling_it(write_plugin: WritePlugin) -> None:
    module = write_plugin("my_openai", ADAPTER.format(name="openai"))
    host = host_with(module, disabled=("openai",))
    assert type(host.provider("openai")).__module__ == module
    disabled = [i for i in host.plugin_infos(include_disabled=True) if i.source == "disabled"]
    assert [i.name for i in disabled] == ["openai"]


def test_misspelled_hook_names_plugin_and_hook(write_plugin: WritePlugin) -> None:
    module = write_plugin(
        "typo_plugin", "@hookimpl\ndef harness_register_provider(register):\n    pass\n"
    )
    with pytest.raises(HarnessConfigError) as caught:
        host_with(module)
    message = str(caught.value)
    assert "'typo_plugin'" in message and "harness_register_provider'" in message
    assert "did you mean 'harness_register_providers'" in message


def test_unmarked_hook_is_an_error_not_silence(write_plugin: WritePlugin) -> None:
    module = write_plugin("unmarked", "def harness_register_workloads(register):\n    pass\n")
    with pytest.raises(HarnessConfigError, match=r"without @harness\.hookimpl"):
        host_with(module)


def test_plugin_that_raises_at_import(write_plugin: WritePlugin) -> None:
    module = write_plugin("broken_import", "raise RuntimeError('no config file')\n")
    with pytest.raises(HarnessConfigError) as caught:
        host_with(module)
    assert str(caught.value) == (
        "local plugin 'broken_import' failed to import: RuntimeError: no config file"
    )


def test_plugin_that_raises_while_registering(write_plugin: WritePlugin) -> None:
    module = write_plugin(
        "raising_register",
        "@hookimpl\ndef harness_register_sinks(register):\n    raise KeyError('x')\n",
    )
    with pytest.raises(HarnessConfigError, match="'raising_register' failed in harness_reg"):
        host_with(module)


def test_unknown_names_list_what_is_installed() -> None:
    host = host_with()
    with pytest.raises(HarnessConfigError) as caught:
        host.provider("nope")
    expected = (
        "unknown provider 'nope' for --provider; installed: anthropic, deepseek, gemini, "
        "llamacpp, openai, openai-compatible, vllm"
    )
    assert expected in str(caught.value)
    with pytest.raises(HarnessConfigError, match="unknown workload 'nope'"):
        host.workloads.get("nope")


def test_environment_variables_select_plugins(
    write_plugin: WritePlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = write_plugin("env_provider", ADAPTER.format(name="envy"))
    monkeypatch.setenv("HARNESS_PLUGINS", module)
    monkeypatch.setenv("HARNESS_DISABLE_PLUGINS", "synthetic, dataset, pack, jsonl")
    host = PluginHost(PluginSettings.from_environment())
    assert "envy" in host.providers
    assert host.workloads.names() == [] and host.sinks.names() == []


def test_harness_register_retry_policies(write_plugin: WritePlugin) -> None:
    module = write_plugin(
        "patient",
        """
        class Patient:
            name = "patient"
            def delay(self, attempt, error, previous_delay=None):
                return None if attempt >= 3 else 0.5 * attempt

        @hookimpl
        def harness_register_retry_policies(register):
            register(Patient())
        """,
    )
    policy = host_with(module).retry_policies.get("patient")
    assert policy.delay(1, None) == 0.5 and policy.delay(3, None) is None  # type: ignore[arg-type]


def test_harness_register_price_tables(write_plugin: WritePlugin) -> None:
    module = write_plugin(
        "house_prices",
        """
        from decimal import Decimal
        from harness.contracts import Price

        class House:
            name = "house"
            def price(self, provider, model):
                if model == "m1":
                    return Price(input=Decimal("1.5"), output=Decimal("6"))
                return None

        @hookimpl
        def harness_register_price_tables(register):
            register(House())
        """,
    )
    table = host_with(module).price_tables.get("house")
    assert table.price("openai", "m1") == Price(input=Decimal("1.5"), output=Decimal("6"))
    assert table.price("openai", "m2") is None


def test_harness_register_workloads_builtin_synthetic() -> None:
    workload = host_with().workloads.get("synthetic")
    source = workload.create(WorkloadSettings(model="m", prompt_tokens=7, max_tokens=3))
    request = source.next_request()
    assert len(request.messages[0]["content"].split()) == 7
    assert (request.model, request.max_tokens, request.stream) == ("m", 3, True)


def test_harness_register_sinks_builtin_jsonl(tmp_path: Path) -> None:
    from harness.contracts import RequestRecord
    from harness.records import read_records

    sink = host_with().sinks.get("jsonl").open(SinkContext(tmp_path, ()))
    record = RequestRecord("id", 1, 0.0, "t", "openai", "m", True, True)
    sink.write(record)
    sink.close()
    assert [r.request_id for r in read_records([tmp_path / "records.jsonl"])] == ["id"]


def test_jsonl_sink_writes_gzip_when_the_run_asks(tmp_path: Path) -> None:
    from harness.contracts import RequestRecord
    from harness.records import read_records

    context = SinkContext(tmp_path, (), {"records_gzip": True})
    sink = host_with().sinks.get("jsonl").open(context)
    sink.write(RequestRecord("id", 1, 0.0, "t", "openai", "m", True, True))
    sink.close()
    assert not (tmp_path / "records.jsonl").exists()
    assert [r.request_id for r in read_records([tmp_path / "records.jsonl.gz"])] == ["id"]


def test_harness_report_sections_in_order_and_failures_become_warnings(
    write_plugin: WritePlugin,
) -> None:
    good = write_plugin(
        "section_good",
        """
        from harness.contracts import ReportSection

        @hookimpl
        def harness_report_sections(report):
            n = report["overall"]["requests"]
            return [ReportSection("Good", f"<p>{n} requests</p>")]
        """,
    )
    bad = write_plugin(
        "section_bad", "@hookimpl\ndef harness_report_sections(report):\n    1 / 0\n"
    )
    sections, warnings = host_with(good, bad).report_sections({"overall": {"requests": 5}})
    assert sections == [ReportSection("Good", "<p>5 requests</p>")]
    assert warnings == [
        "plugin 'section_bad' failed to add report sections: ZeroDivisionError: division by zero"
    ]


def test_harness_register_routers_builtins_route_by_size_and_role() -> None:
    from harness.contracts import ChatRequest, Target

    host = host_with()
    targets = {name: Target(name, "openai", "http://127.0.0.1:1", "m") for name in ("big", "mini")}
    size = host.routers.get("prompt-size")
    size = size.configure({"small_target": "mini", "max_input_tokens": 5})  # type: ignore[attr-defined]
    short = ChatRequest(messages=[{"role": "user", "content": "one two"}], model="m")
    long = ChatRequest(messages=[{"role": "user", "content": "w " * 50}], model="m")
    assert size.route(short, "big", targets) == "mini"
    assert size.route(long, "big", targets) == "big"
    role = host.routers.get("by-role").configure({"roles": {"triage": "mini"}})  # type: ignore[attr-defined]
    tagged = ChatRequest(messages=[], model="m", tags={"role": "triage"})
    assert role.route(tagged, "big", targets) == "mini"
    assert role.route(short, "big", targets) == "big"
    with pytest.raises(HarnessConfigError, match="'small_target'"):
        host.routers.get("prompt-size").configure({})  # type: ignore[attr-defined]
