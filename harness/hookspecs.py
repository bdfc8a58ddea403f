"""The hooks a plugin may implement (pluggy project and entry-point group ``harness``).

Registration hooks receive a ``register`` callable, as simonw/llm's do: the
host decides in one place what a duplicate name means (an error naming both
plugins). Every hook runs once per process when the plugin host loads, or
once per report; none runs per request or per chunk.

A plugin implements a hook by defining a function of the same name marked
with :data:`harness.hookimpl`. It may accept fewer arguments than the spec
offers. docs/plugins.md has a tutorial and a reference section per hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

from harness.contracts import (
    PriceTable,
    ProviderAdapter,
    ReportSection,
    RetryPolicy,
    Router,
    Sink,
    Workload,
)

hookspec = pluggy.HookspecMarker("harness")


@hookspec
def harness_register_providers(register: Callable[[ProviderAdapter], None]) -> None:
    """Register provider adapters: the wire formats the harness can speak.

    Call ``register(adapter)`` once per adapter. ``adapter`` implements
    :class:`harness.contracts.ProviderAdapter`; its ``name`` is what users pass
    to ``--provider``. Adapters are shared by all simulated users, so they
    must keep no per-request state.

    Called once when the plugin host loads. Returns nothing. A name registered
    by two plugins is an error that names both; the user resolves it by
    disabling one (``HARNESS_DISABLE_PLUGINS=name``).

    Since 0.1.
    """


@hookspec
def harness_register_retry_policies(register: Callable[[RetryPolicy], None]) -> None:
    """Register retry/backoff policies.

    Call ``register(policy)`` once per policy. ``policy`` implements
    :class:`harness.contracts.RetryPolicy`: ``delay(attempt, error,
    previous_delay)`` returns the seconds to wait before the next attempt, or
    ``None`` to give up. ``name`` is what users select the policy by
    (``--retry NAME``). A policy that also has ``configure(settings, seed)``
    receives the user's ``--retry-*`` settings (a
    :class:`harness.backoff.RetrySettings`) and returns the configured policy.

    Called once when the plugin host loads. Returns nothing. Duplicate names
    are an error naming both plugins.

    Since 0.1.
    """


@hookspec
def harness_register_routers(register: Callable[[Router], None]) -> None:
    """Register routers: policies that choose the target of each request.

    Call ``register(router)`` once per router. ``router`` implements
    :class:`harness.contracts.Router`: ``route(request, assigned, targets)``
    returns the name of the target to send ``request`` to (``assigned`` is the
    user's own target). Users select one with ``--router NAME`` or ``[routing]
    policy`` in harness.toml; a router with ``configure(settings)`` receives
    the rest of the ``[routing]`` table and returns the configured router.

    Called once when the plugin host loads. Returns nothing. Duplicate names
    are an error naming both plugins.

    Since 0.1.
    """


@hookspec
def harness_register_price_tables(register: Callable[[PriceTable], None]) -> None:
    """Register price tables that cost calculators read.

    Call ``register(table)`` once per table. ``table`` implements
    :class:`harness.contracts.PriceTable`: ``price(provider, model)`` returns a
    :class:`harness.contracts.Price` (per million tokens of each type, with
    currency, date and source), or ``None`` for a model it does not know.

    Called once when the plugin host loads. Returns nothing. Duplicate table
    names are an error naming both plugins.

    Since 0.1.
    """


@hookspec
def harness_register_workloads(register: Callable[[Workload], None]) -> None:
    """Register workloads: named sources of chat requests.

    Call ``register(workload)`` once per workload. ``workload`` implements
    :class:`harness.contracts.Workload`; users pick it with ``--workload
    NAME``, and ``create(settings)`` is called once per simulated user with a
    :class:`harness.contracts.WorkloadSettings`. The returned object's
    ``next_request()`` gives each :class:`harness.contracts.ChatRequest`.

    Called once when the plugin host loads. Returns nothing. Duplicate names
    are an error naming both plugins.

    Since 0.1.
    """


@hookspec
def harness_register_sinks(register: Callable[[Sink], None]) -> None:
    """Register record sinks: destinations for every request record.

    Call ``register(sink)`` once per sink. ``sink`` implements
    :class:`harness.contracts.Sink`; users enable it with ``--sink NAME``
    (repeatable; ``jsonl`` is on by default). ``open(context)`` is called when
    a test starts and returns an object whose ``write(record)`` receives each
    :class:`harness.contracts.RequestRecord` and whose ``close()`` is called
    when the test stops.

    Called once when the plugin host loads. Returns nothing. Duplicate names
    are an error naming both plugins.

    Since 0.1.
    """


@hookspec
def harness_report_sections(report: dict[str, Any]) -> list[ReportSection] | None:
    """Add sections to report.html.

    ``report`` is the run's summary (the content of summary.json, see
    docs/report-schema.md); treat it as read-only. Return a list of
    :class:`harness.contracts.ReportSection` (title, trusted HTML, plain text),
    or ``None`` to add nothing. Sections appear after the built-in ones, in
    plugin registration order.

    Called once each time a report is rendered (at the end of a run, and by
    ``harness report``). Results of all plugins are collected (not firstresult).

    Since 0.1.
    """
