"""MetricSet: the counters and latency histograms of one group of attempts.

Everything here merges exactly (counters add, histogram buckets add), so a
MetricSet built on several Locust workers equals one built from all records.

Attempts and logical requests are counted apart: every record is an attempt,
and the one marked ``final`` also closes its logical request, so logical
counts need no state across records and merge like any other counter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.contracts import RequestRecord
from harness.metrics import record_values
from harness.metrics.cost_sums import CostSums
from harness.metrics.error_samples import ErrorSamples
from harness.metrics.histogram import LogHistogram, bucket_value
from harness.slo.sessions import ends_session, session_met

COUNTERS: tuple[str, ...] = (
    "requests",
    "ok",
    "failed",
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cached_input_tokens",
    "usage_estimated",
    "usage_compared",
    "compared_reported_input_tokens",
    "compared_estimated_input_tokens",
    "compared_reported_output_tokens",
    "compared_estimated_output_tokens",
    "bytes_received",
    "logical_requests",
    "logical_ok",
    "retried_logical",
    "succeeded_after_retry",
    "retries",
    "retry_denied_by_budget",
    "limited_attempts",
    "fallback_attempts",
    "fell_back",
    "routed",
    "workflows",
    "slo_met",
    "sessions",
    "sessions_met",
)
HISTOGRAMS: tuple[str, ...] = (
    "ttft",
    "ttfa",
    "itl",
    "tpot",
    "e2e",
    "e2e_failed",
    "headers",
    "output_tps",
    "logical_e2e",
    "first_attempt_e2e",
    "retry_delay",
    "limiter_wait",
    "fallback_logical_e2e",
    "workflow_e2e",
    "ttft_scheduled",
    "e2e_scheduled",
    "schedule_lag",
)
#: Histograms shown under ``latency`` in a metrics block (all but the decode speed).
LATENCY_HISTOGRAMS: tuple[str, ...] = tuple(name for name in HISTOGRAMS if name != "output_tps")


@dataclass(eq=False)
class MetricSet:
    """Counts every attempt; times successful ones.

    Failed attempts are timed only in ``e2e_failed`` and, as any attempt, in
    ``retry_delay`` (backoff slept before a retry) and ``limiter_wait`` (time
    the client-side rate limiter held it; only attempts it did hold).
    ``error_samples`` keeps a few redacted messages of each error kind.

    Token counters include failed attempts that carried usage: those tokens
    were generated (and billed) even though the attempt failed.

    The ``compared_*`` counters sum reported and locally estimated tokens over
    the ``usage_compared`` attempts that carry both, so the usage diff stays a
    ratio of sums that merges exactly (never an average of percentages).

    ``cost`` sums the records' costs exactly (``Decimal``) and counts the
    attempts that had usage but no price, so unknown cost never reads as zero.

    Retries: ``logical_*`` count final attempts (one per logical request,
    filed under the target of its last attempt); ``retries`` counts attempts
    after the first (fallbacks to another target included). "Latency with and
    without retries" is ``logical_e2e`` (successful logical requests, backoff
    and limiter waits included) against ``first_attempt_e2e`` (successful
    first attempts, which needed no retry).

    Fallbacks and routing: ``fallback_attempts`` counts attempts sent to a
    fallback target (``fallback_from`` set) and ``fallback_cost`` sums their
    costs; ``fell_back`` and ``routed`` count logical requests whose final
    attempt fell back or was routed, filed under the target that served them,
    and ``fell_back_from`` says which target each fell back from.
    ``fallback_logical_e2e`` times the successful ones that fell back, against
    ``logical_e2e`` for all.

    Workflows: ``workflows`` counts completed workflow instances and
    ``workflow_e2e`` times them, from the one record per instance that carries
    ``workflow_e2e_s`` (its last step's final attempt); a workflow's cost is
    the ``cost`` of the ``workflows`` grouping divided by ``workflows``.

    Open loop and replay: ``schedule_lag`` holds each logical request's
    ``queue_s`` (actual minus scheduled start), and ``ttft_scheduled`` /
    ``e2e_scheduled`` time successful ones from the scheduled start, so
    queueing in the generator can never hide (coordinated omission).

    Goodput: ``slo_met`` counts the successful attempts that met every
    per-request SLO (``RequestRecord.slo_met``, set when the attempt is
    recorded, see :mod:`harness.slo.per_request`). ``sessions`` counts
    conversations that ended (a record tagged ``session_end``) and
    ``sessions_met`` those whose every turn met them (:mod:`harness.slo.sessions`).
    """

    requests: int = 0
    ok: int = 0
    failed: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    error_samples: ErrorSamples = field(default_factory=ErrorSamples)
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cached_input_tokens: int = 0
    usage_estimated: int = 0
    usage_compared: int = 0
    compared_reported_input_tokens: int = 0
    compared_estimated_input_tokens: int = 0
    compared_reported_output_tokens: int = 0
    compared_estimated_output_tokens: int = 0
    bytes_received: int = 0
    logical_requests: int = 0
    logical_ok: int = 0
    retried_logical: int = 0
    succeeded_after_retry: int = 0
    retries: int = 0
    retry_denied_by_budget: int = 0
    limited_attempts: int = 0
    fallback_attempts: int = 0
    fell_back: int = 0
    routed: int = 0
    workflows: int = 0
    slo_met: int = 0
    sessions: int = 0
    sessions_met: int = 0
    fell_back_from: dict[str, int] = field(default_factory=dict)
    ttft: LogHistogram = field(default_factory=LogHistogram)
    ttfa: LogHistogram = field(default_factory=LogHistogram)
    itl: LogHistogram = field(default_factory=LogHistogram)
    tpot: LogHistogram = field(default_factory=LogHistogram)
    e2e: LogHistogram = field(default_factory=LogHistogram)
    e2e_failed: LogHistogram = field(default_factory=LogHistogram)
    headers: LogHistogram = field(default_factory=LogHistogram)
    output_tps: LogHistogram = field(default_factory=LogHistogram)
    logical_e2e: LogHistogram = field(default_factory=LogHistogram)
    first_attempt_e2e: LogHistogram = field(default_factory=LogHistogram)
    retry_delay: LogHistogram = field(default_factory=LogHistogram)
    limiter_wait: LogHistogram = field(default_factory=LogHistogram)
    fallback_logical_e2e: LogHistogram = field(default_factory=LogHistogram)
    workflow_e2e: LogHistogram = field(default_factory=LogHistogram)
    ttft_scheduled: LogHistogram = field(default_factory=LogHistogram)
    e2e_scheduled: LogHistogram = field(default_factory=LogHistogram)
    schedule_lag: LogHistogram = field(default_factory=LogHistogram)
    cost: CostSums = field(default_factory=CostSums)
    fallback_cost: CostSums = field(default_factory=CostSums)
    first_started_at: float | None = None
    last_ended_at: float | None = None

    def add(self, record: RequestRecord) -> None:
        self.requests += 1
        self.bytes_received += record.bytes_received
        self._add_usage(record)
        self.cost.add(record)
        self._widen_span(record.started_at, record_values.ended_at(record))
        self._add_retry_facts(record)
        if record.final:
            self._add_logical(record)
        if record.final and record.queue_s is not None:
            self.schedule_lag.add(record.queue_s)
        if ends_session(record):
            self.sessions += 1
            self.sessions_met += session_met(record)
        if record.workflow_e2e_s is not None:
            self.workflows += 1
            self.workflow_e2e.add(record.workflow_e2e_s)
        if record.ok:
            self.ok += 1
            self._add_timings(record)
            if record.slo_met:
                self.slo_met += 1
        else:
            self.failed += 1
            _count(self.errors_by_kind, record_values.error_kind(record))
            self.error_samples.add(record)
            _add_if_known(self.e2e_failed, record.e2e_s)

    def _add_retry_facts(self, record: RequestRecord) -> None:
        if record.throttled_by == "budget":
            self.retry_denied_by_budget += 1
        if record.limiter_wait_s > 0:
            self.limited_attempts += 1
            self.limiter_wait.add(record.limiter_wait_s)
        if record_values.is_retry(record):
            self.retries += 1
            self.retry_delay.add(record.retry_delay_s)
        elif record.ok:
            _add_if_known(self.first_attempt_e2e, record.e2e_s)
        if record.fallback_from is not None:
            self.fallback_attempts += 1
            self.fallback_cost.add(record)

    def _add_logical(self, record: RequestRecord) -> None:
        retried = record_values.is_retry(record)
        fell_back_from = record.fallback_from
        self.logical_requests += 1
        if retried:
            self.retried_logical += 1
        if record.routed_by is not None:
            self.routed += 1
        if fell_back_from is not None:
            self.fell_back += 1
            _count(self.fell_back_from, fell_back_from)
        if not record.ok:
            return
        self.logical_ok += 1
        if retried:
            self.succeeded_after_retry += 1
        logical_e2e = record_values.logical_e2e(record)
        _add_if_known(self.logical_e2e, logical_e2e)
        if fell_back_from is not None:
            _add_if_known(self.fallback_logical_e2e, logical_e2e)

    def _add_usage(self, record: RequestRecord) -> None:
        usage = record.usage
        if usage is None:
            return
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        self.reasoning_tokens += usage.reasoning_tokens
        self.cached_input_tokens += usage.cached_input_tokens
        if usage.source == "estimated":
            self.usage_estimated += 1
            return
        estimate = record.usage_estimate
        if estimate is not None:
            self.usage_compared += 1
            self.compared_reported_input_tokens += usage.input_tokens
            self.compared_estimated_input_tokens += estimate.input_tokens
            self.compared_reported_output_tokens += usage.output_tokens
            self.compared_estimated_output_tokens += estimate.output_tokens

    def usage_diff_pct(self) -> dict[str, float | None]:
        """How far reported usage is from the local estimate, in percent of the estimate.

        ``(reported - estimated) / estimated * 100`` for input and output over
        the compared attempts; None without compared attempts or when the
        estimate sums to zero.
        """
        return {
            "input": _percent_over(
                self.compared_reported_input_tokens, self.compared_estimated_input_tokens
            ),
            "output": _percent_over(
                self.compared_reported_output_tokens, self.compared_estimated_output_tokens
            ),
        }

    def _add_timings(self, record: RequestRecord) -> None:
        # Tested inline rather than through _add_if_known: eight values per record.
        ttft, e2e = record.ttft_s, record.e2e_s
        if ttft is not None:
            self.ttft.add(ttft)
        if record.ttfa_s is not None:
            self.ttfa.add(record.ttfa_s)
        if e2e is not None:
            self.e2e.add(e2e)
        if record.headers_s is not None:
            self.headers.add(record.headers_s)
        tpot, output_tps = record_values.decode_figures(record)
        if tpot is not None:
            self.tpot.add(tpot)
        if output_tps is not None:
            self.output_tps.add(output_tps)
        if record.queue_s is not None:  # open loop and replay only
            _add_if_known(self.ttft_scheduled, record_values.since_scheduled(record, ttft))
            _add_if_known(self.e2e_scheduled, record_values.since_scheduled(record, e2e))
        if record.itl_buckets:
            # A record missing its extremes still folds in: the bucket edges bound them.
            low = record.itl_min_s
            high = record.itl_max_s
            self.itl.add_buckets(
                record.itl_buckets,
                record.itl_sum_s,
                low if low is not None else bucket_value(min(record.itl_buckets)),
                high if high is not None else bucket_value(max(record.itl_buckets)),
            )

    def _widen_span(self, start: float, end: float) -> None:
        if self.first_started_at is None or start < self.first_started_at:
            self.first_started_at = start
        if self.last_ended_at is None or end > self.last_ended_at:
            self.last_ended_at = end

    def merge(self, other: MetricSet) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, count in other.errors_by_kind.items():
            _count(self.errors_by_kind, kind, count)
        self.error_samples.merge(other.error_samples)
        for target, count in other.fell_back_from.items():
            _count(self.fell_back_from, target, count)
        for name in HISTOGRAMS:
            self.histogram(name).merge(other.histogram(name))
        self.cost.merge(other.cost)
        self.fallback_cost.merge(other.fallback_cost)
        if other.first_started_at is not None and other.last_ended_at is not None:
            self._widen_span(other.first_started_at, other.last_ended_at)

    def histogram(self, name: str) -> LogHistogram:
        hist: LogHistogram = getattr(self, name)
        return hist

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in COUNTERS}
        data["errors_by_kind"] = dict(sorted(self.errors_by_kind.items()))
        data["error_samples"] = self.error_samples.to_dict()
        data["fell_back_from"] = dict(sorted(self.fell_back_from.items()))
        data["histograms"] = {name: self.histogram(name).to_dict() for name in HISTOGRAMS}
        data["cost"] = self.cost.to_dict()
        data["fallback_cost"] = self.fallback_cost.to_dict()
        data["first_started_at"] = self.first_started_at
        data["last_ended_at"] = self.last_ended_at
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MetricSet:
        metrics = cls(
            errors_by_kind=_counts_from(data["errors_by_kind"]),
            error_samples=ErrorSamples.from_dict(data["error_samples"]),
            fell_back_from=_counts_from(data["fell_back_from"]),
            cost=CostSums.from_dict(data["cost"]),
            fallback_cost=CostSums.from_dict(data["fallback_cost"]),
            first_started_at=data["first_started_at"],
            last_ended_at=data["last_ended_at"],
        )
        for name in COUNTERS:
            setattr(metrics, name, int(data[name]))
        for name in HISTOGRAMS:
            setattr(metrics, name, LogHistogram.from_dict(data["histograms"][name]))
        return metrics


def _percent_over(value: int, reference: int) -> float | None:
    return (value - reference) / reference * 100.0 if reference else None


def _count(counts: dict[str, int], key: str, count: int = 1) -> None:
    counts[key] = counts.get(key, 0) + count


def _counts_from(data: dict[str, Any]) -> dict[str, int]:
    return {str(key): int(value) for key, value in data.items()}


def _add_if_known(hist: LogHistogram, value: float | None) -> None:
    if value is not None:
        hist.add(value)
