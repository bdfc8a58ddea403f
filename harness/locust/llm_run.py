"""Everything one Locust test run shares: target, adapter, records, statistics, reports.

An :class:`LlmRun` is attached to the Locust Environment at ``init``; it
resolves plugins and the target once, opens ``records.jsonl`` when a test
starts, takes every record from every user, and writes the reports when the
test stops (headless or from the web UI alike).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gevent
from locust.env import Environment
from locust.runners import WorkerRunner

from harness.arrivals.counts import ArrivalCounts
from harness.attempts import Leg, RetryControls, run_logical_request
from harness.client import ChatClient
from harness.config import TargetConfig, load_config, routing_targets
from harness.contracts import (
    ChatRequest,
    RecordSink,
    RequestRecord,
    RequestSource,
    Router,
    SinkContext,
    ToolCall,
    Usage,
    WorkloadSettings,
)
from harness.errors import HarnessConfigError
from harness.locust.run_guards import GuardSettings, RunGuards
from harness.locust.user_session import UserSession
from harness.metrics.aggregate import RunAggregate
from harness.plugins import PluginHost, PluginSettings, harness_version
from harness.pricing.assembly import build_price_book
from harness.rate_limiter import LimitSettings, TargetRateLimiter
from harness.report.console import format_console_summary
from harness.report.render import publish_reports
from harness.report.run_config import config_snapshot
from harness.report.run_info import RunInfo
from harness.report.summary import build_summary
from harness.retry_budget import RetryBudget
from harness.retry_settings import retry_choices
from harness.secrets import redact
from harness.slo.config_table import run_rules
from harness.slo.phases import judge_for, with_measurement
from harness.spend_guard import SpendGuard
from harness.targets import ResolvedTarget, WeightedRoundRobin, resolve_targets
from harness.token_estimate import estimate_input_tokens
from harness.transport import HttpTransport, Timeouts

if TYPE_CHECKING:
    from harness.locust.distributed import Distribution

#: Records always go to records.jsonl: every report can be rebuilt from it.
ALWAYS_ON_SINKS = ("jsonl",)

log = logging.getLogger("harness")


#: Adds to a logical request's final record before it is recorded.
Annotate = Callable[[RequestRecord], None]


@dataclass(frozen=True)
class CallOutcome:
    """A logical request's final record, its answer text and tool calls (never in records)."""

    record: RequestRecord
    answer: str
    tool_calls: list[ToolCall] = field(default_factory=list)


class LlmCallFailed(Exception):
    """What Locust's failure table shows for a failed call: kind first, then the reason."""


class LlmRun:
    def __init__(self, environment: Environment, plugins: PluginHost | None = None) -> None:
        self.environment = environment
        options = environment.parsed_options
        self.plugins = plugins or PluginHost(
            PluginSettings.from_environment(
                getattr(options, "plugin", None) or (),
                getattr(options, "disable_plugin", None) or (),
            )
        )
        self.aggregate = RunAggregate()
        self._sinks: list[RecordSink] = []
        self._started_at = 0.0
        self.stop_reason: str | None = None
        #: Set on a Locust master or worker by harness.locust.distributed.
        self.distribution: Distribution | None = None
        self._running = False
        #: Set by the open-loop dispatcher (ArrivalUser) of this process.
        self.arrivals: ArrivalCounts | None = None
        # A Locust worker's options come from the master when a test starts.
        if not isinstance(environment.runner, WorkerRunner):
            self._prepare()
        self.last_summary: dict[str, Any] | None = None

    def _prepare(self) -> None:
        """Resolve targets, controls and counters from the current options."""
        self.targets = self.resolve_targets()
        self._by_name = {resolved.target.name: resolved for resolved in self.targets}
        self._targets_by_name = {name: r.target for name, r in self._by_name.items()}
        self._assigner = WeightedRoundRobin(self.targets)
        self._controls = self.retry_controls()
        self._admitted = 0
        self.guards = RunGuards(
            GuardSettings.from_options(self.options), self.stop_early, judge_for(self.slo_rules)
        )
        self._request_share: int | None = None
        self.stop_reason = None

    @property
    def options(self) -> Any:
        return self.environment.parsed_options

    def resolve_targets(self) -> list[ResolvedTarget]:
        """Check the options now, so bad input stops the run before any traffic."""
        options = self.options
        for name in options.sink or ():
            self.plugins.sinks.get(name)
        host = self.environment.host
        single = TargetConfig(
            name=options.target_name
            or (host.split("://", 1)[-1].rstrip("/") if host else options.provider),
            provider=options.provider,
            model=options.model,
            base_url=host,
            api_key_env=options.api_key_env,
        )
        config_path = Path(options.harness_config) if options.harness_config else None
        selected = [name.strip() for name in (options.targets or "").split(",") if name.strip()]
        config = load_config(config_path)
        self._retry_table = config.retry
        self.slo_rules = run_rules(config.slo, options.slo)
        resolved = resolve_targets(
            self.plugins,
            config,
            selected,
            single,
            json.loads(options.simulated_targets) if options.simulated_targets else {},
            Path(options.secrets_file) if options.secrets_file else None,
        )
        self.spend_guard = None if options.budget is None else SpendGuard(Decimal(options.budget))
        self.prices = build_price_book(
            self.plugins,
            config.pricing,
            [Path(name) for name in options.prices or ()],
            {r.target.name: r.fx_rate for r in resolved if r.fx_rate is not None},
            config.path,
        )
        self.router = self._router(options.router, config.routing, resolved)
        if self.spend_guard is not None:
            for target in resolved:
                if self.prices.lookup(target.target.provider, target.target.model) is None:
                    raise HarnessConfigError(
                        f"--budget needs a price for model {target.target.model!r} of target "
                        f"{target.target.name!r}; add it with --prices FILE or [[pricing.models]]"
                    )
        # Build the workload once now: a workload that rejects its options (any
        # plugin's, not only the built-ins) then stops the run before any user starts.
        self.new_workload(resolved[0])
        return resolved

    def _router(
        self, name: str | None, settings: dict[str, Any], resolved: list[ResolvedTarget]
    ) -> Router | None:
        name = name or settings.get("policy")
        if not name:
            return None
        router = self.plugins.routers.get(name)
        configure = getattr(router, "configure", None)
        if configure is not None:
            router = configure({k: v for k, v in settings.items() if k != "policy"})
        known = {r.target.name for r in resolved}
        missing = sorted(set(routing_targets(settings)) - known)
        if missing:
            raise HarnessConfigError(
                f"[routing] names target {missing[0]!r}, which is not defined "
                f"(targets: {', '.join(sorted(known))})"
            )
        return router

    def retry_controls(self) -> dict[str, RetryControls]:
        """One policy for the run; a retry budget and a rate limiter per target."""
        options = self.options
        name, settings, budget = retry_choices(options, self._retry_table)
        try:
            limits = LimitSettings(options.rpm, options.tpm, options.limit_burst_s)
        except ValueError as exc:
            raise HarnessConfigError(f"rate-limit options: {exc}") from None
        policy = self.plugins.retry_policies.get(name)
        configure = getattr(policy, "configure", None)
        if configure is not None:
            policy = configure(settings)
        now = time.monotonic()
        return {
            resolved.target.name: RetryControls(
                policy=policy,
                budget=RetryBudget(budget),
                limiter=TargetRateLimiter(limits, now) if limits.active else None,
            )
            for resolved in self.targets
        }

    def add_arrivals(self, counts: ArrivalCounts) -> None:
        """A worker's dispatcher counters, on the master of a distributed run."""
        if self.arrivals is None:
            self.arrivals = counts
        else:
            self.arrivals.merge(counts)

    def new_session(self) -> UserSession:
        """A simulated user's target (by weight), workload, and its own connections."""
        target = self._assigner.next()
        return UserSession(target, self.new_workload(target))

    def execute(
        self, session: UserSession, request: ChatRequest, annotate: Annotate | None = None
    ) -> CallOutcome | None:
        """One logical request with its retries and fallbacks; ``None`` once the run is full.

        Every attempt is recorded as it ends; ``annotate`` may add to the final
        attempt's record just before it is recorded.
        """
        if not self._admit():
            return None
        guard = self.spend_guard
        if guard is None:
            return self._send(session, request, annotate)
        worst_case = self._worst_case(session.target, request)
        if not guard.reserve(worst_case):
            self.stop_early(
                f"--budget {guard.limit} {self.prices.currency} reached "
                f"(spent {guard.spent:.6f}, {guard.reserved:.6f} in flight)"
            )
            return None
        try:
            return self._send(session, request, annotate)
        finally:
            guard.release(worst_case)

    def _send(
        self, session: UserSession, request: ChatRequest, annotate: Annotate | None
    ) -> CallOutcome:
        primary = session.target
        routed_by = None
        if self.router is not None:
            assigned = primary.target.name
            chosen = self.router.route(request, assigned, self._targets_by_name)
            if chosen != assigned:
                primary, routed_by = self._by_name[chosen], self.router.name
        names = (primary.target.name, *primary.fallbacks)
        chain = [
            Leg(
                session.client(self._by_name[name], self.new_client),
                self._controls[name],
                primary.fallback_on if position + 1 < len(names) else frozenset(),
            )
            for position, name in enumerate(names)
        ]
        emit = self.record
        if routed_by is not None or annotate is not None:

            def emit(record: RequestRecord) -> None:
                if routed_by is not None:
                    record.routed_by = routed_by
                if annotate is not None and record.final:
                    annotate(record)
                self.record(record)

        with self.guards.in_flight():
            record = run_logical_request(chain, request, emit, gevent.sleep)
        # The client that made the last attempt holds its answer (one call at a time).
        client = session.clients[record.target]
        return CallOutcome(record, client.last_answer, client.last_tool_calls)

    def _worst_case(self, resolved: ResolvedTarget, request: ChatRequest) -> Decimal:
        """The most ``request`` can cost on its target: estimated input, ``max_tokens`` out."""
        usage = Usage(
            input_tokens=estimate_input_tokens(request.messages),
            output_tokens=request.max_tokens or 0,
            source="estimated",
        )
        target = resolved.target
        cost = self.prices.cost(target.provider, target.model, usage, target.name)
        # resolve_targets checked every target's price when --budget was given.
        assert cost is not None
        return cost.total

    def _admit(self) -> bool:
        """Count a logical request against --max-requests; stop the run when it is reached."""
        limit = self.options.max_requests if self._request_share is None else self._request_share
        if limit is None:
            return True
        if self._admitted >= limit:
            total = self.options.max_requests
            share = "" if limit == total else f"this worker's share ({limit}) of "
            self.stop_early(f"{share}--max-requests {total} reached")
            return False
        self._admitted += 1
        return True

    def stop_early(self, reason: str) -> None:
        """Stop the test now; the first reason given becomes the run's warning."""
        if self.stop_reason is not None:
            return
        self.stop_reason = reason
        runner = self.environment.runner
        if runner is not None:
            # The web UI keeps running for the next test; a headless run ends.
            # A worker stops its users and tells the master, which ends the run.
            keep_process = self.environment.web_ui is not None or isinstance(runner, WorkerRunner)
            stop = runner.stop if keep_process else runner.quit
            gevent.spawn(stop)

    def limit_to_share(self, max_requests: int | None, budget: Decimal | None) -> None:
        """On a worker: its part of the run's --max-requests and --budget, for this test."""
        self._request_share = max_requests
        if budget is not None and budget > 0 and self.spend_guard is not None:
            self.spend_guard = SpendGuard(budget)

    def new_workload(self, resolved: ResolvedTarget) -> RequestSource:
        options = self.options
        settings = WorkloadSettings(
            model=resolved.target.model,
            prompt_tokens=options.prompt_tokens,
            max_tokens=options.max_tokens,
            stream=options.stream,
            options=vars(options),
        )
        return self.plugins.workloads.get(options.workload).create(settings)

    def new_client(self, resolved: ResolvedTarget) -> ChatClient:
        options = self.options
        timeouts = Timeouts(
            connect=options.connect_timeout,
            read=options.read_timeout,
            stall=options.stall_timeout,
            total=options.request_timeout,
        )
        transport = HttpTransport(timeouts)
        return ChatClient(resolved.target, resolved.adapter, transport, resolved.api_key)

    @property
    def report_dir(self) -> Path:
        return Path(self.options.report_dir)

    def start(self) -> None:
        # Options may have changed in the web UI's start form since init.
        self._prepare()
        self.aggregate = RunAggregate()
        distribution = self.distribution
        context = SinkContext(
            self.report_dir,
            tuple(t.target for t in self.targets),
            vars(self.options),
            distribution.worker_id if distribution is not None else None,
        )
        names = dict.fromkeys([*ALWAYS_ON_SINKS, *(self.options.sink or ())])
        if distribution is not None and not distribution.records:
            names = {}  # a master runs no users: it has no records to write
        self._running = True
        self._sinks = [self.plugins.sinks.get(name).open(context) for name in names]
        self._started_at = time.time()
        self.guards.start(self._started_at)
        self.arrivals = None

    def record(self, record: RequestRecord) -> None:
        self.guards.classify(record)
        self.prices.price_record(record)
        if self.spend_guard is not None and record.cost is not None:
            self.spend_guard.add(Decimal(record.cost["total"]))
        for sink in self._sinks:
            sink.write(record)
        self.aggregate.add(record)
        self.guards.observe(record)
        error = record.error
        self.environment.events.request.fire(
            request_type="STREAM" if record.stream else "POST",
            name=record.target,
            response_time=(record.e2e_s or 0.0) * 1000.0,
            response_length=record.bytes_received,
            exception=None if error is None else LlmCallFailed(f"{error.kind}: {error.message}"),
            context={"request_id": record.request_id},
        )

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self.guards.stop()
        sinks, self._sinks = self._sinks, []
        for sink in sinks:
            sink.close()
        info = with_measurement(self.run_info(), self.aggregate, self.slo_rules)
        if self.distribution is not None:
            # A master waits for the workers' last numbers; a worker reports nothing.
            finished = self.distribution.finish(info)
            if finished is None:
                return
            info = finished
        summary = build_summary(self.aggregate, info)
        if self.arrivals is not None:
            self.arrivals.add_to_summary(summary)
        written = publish_reports(summary, self.report_dir, self.plugins)
        self.last_summary = summary
        print(format_console_summary(summary), flush=True)
        print(f"reports: {', '.join(str(p) for p in written)}", flush=True)

    def run_info(self) -> RunInfo:
        options = self.options
        runner = self.environment.runner
        return RunInfo(
            harness_version=harness_version(),
            started_at=self._started_at,
            ended_at=time.time(),
            command=[redact(arg) for arg in sys.argv],
            targets=[resolved.target.describe() for resolved in self.targets],
            users=getattr(runner, "target_user_count", None) or options.num_users or 0,
            spawn_rate=float(options.spawn_rate or 0),
            run_time_s=float(options.run_time) if options.run_time else None,
            stream=bool(options.stream),
            plugins=[info.to_dict() for info in self.plugins.plugin_infos()],
            warnings=[
                *([f"stopped early: {self.stop_reason}"] if self.stop_reason else []),
                *self.prices.unknown.values(),
                *self.guards.warnings(),
            ],
            partial=False,
            simulator=json.loads(options.simulator_settings)
            if options.simulator_settings
            else None,
            pricing=self.prices.describe(),
            generator=self.guards.health.report(),
            config=config_snapshot(vars(options)),
        )
