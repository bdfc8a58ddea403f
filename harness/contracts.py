"""Provider-neutral contracts shared by adapters, the client, metrics and reports.

Every name here is fixed by docs/ARCHITECTURE.md; fields may grow. Nothing in
this module imports gevent or Locust, so plugin authors can use it freely.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

StreamEventKind = Literal[
    "content", "reasoning", "tool_call", "usage", "finish", "error", "keepalive"
]
#: Stream events that carry generated output; TTFT and ITL are measured on these.
OUTPUT_KINDS: frozenset[str] = frozenset({"content", "reasoning", "tool_call"})

ErrorKind = Literal[
    "auth",
    "permission",
    "not_found",
    "bad_request",
    "context_length",
    "rate_limited",
    "quota",
    "overloaded",
    "server",
    "timeout",
    "connection",
    "stream_broken",
    "protocol",
]
ERROR_KINDS: tuple[str, ...] = ErrorKind.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Target:
    """One endpoint under test: which adapter speaks to it, where, and as whom.

    ``api_key_env`` names an environment variable; the key itself is resolved
    by :mod:`harness.secrets` at call time and never stored on a Target, so a
    Target can be logged, serialized and put in reports safely.
    """

    name: str
    provider: str
    base_url: str
    model: str
    api_key_env: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "provider": self.provider,
            "base_url": self.base_url,
            "model": self.model,
            "api_key_env": self.api_key_env,
        }


@dataclass
class ChatRequest:
    """A provider-neutral chat request, turned into HTTP by an adapter.

    ``messages`` and ``tools`` are in OpenAI's Chat Completions form, the
    neutral form every adapter converts from: tools as ``{"type": "function",
    "function": {"name", "description", "parameters"}}``; a tool round as an
    ``assistant`` message with ``tool_calls`` (``[{"id", "type": "function",
    "function": {"name", "arguments"}}]``, see :meth:`ToolCall.to_message_entry`)
    followed by one ``{"role": "tool", "tool_call_id", "content"}`` message
    per call.
    """

    messages: list[dict[str, Any]]
    model: str
    max_tokens: int | None = None
    stream: bool = True
    temperature: float | None = None
    tools: list[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HttpCall:
    """What an adapter asks the transport to send."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Usage:
    """Token usage normalized across providers.

    ``input_tokens`` counts all input, cached included; ``output_tokens``
    counts all output, reasoning included. ``source`` says whether the
    provider reported the numbers or the harness estimated them.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    source: Literal["reported", "estimated"] = "reported"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        if tuple(data) == _USAGE_FIELDS:
            # Every field in order, as the record writer writes them: two per record
            # read, and assigning them directly is several times cheaper than __init__.
            usage = object.__new__(cls)
            usage.__dict__.update(data)
            return usage
        return cls(**data)


_USAGE_FIELDS = tuple(Usage.__dataclass_fields__)


@dataclass
class ErrorInfo:
    """A classified failure. ``message`` must never contain a secret."""

    kind: ErrorKind
    message: str
    http_status: int | None = None
    retryable: bool = False
    retry_after_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ErrorInfo:
        return cls(**data)


@dataclass(slots=True)
class SSEEvent:
    """One dispatched server-sent event, stamped when its last byte arrived.

    Created for every chunk of every stream, so slotted and not frozen: a
    frozen dataclass's ``__init__`` costs several times more.
    """

    data: str
    event: str = "message"
    id: str | None = None
    received_at: float = 0.0


@dataclass(slots=True)
class StreamEvent:
    """What an adapter yields while parsing a stream (one or more per chunk).

    A ``tool_call`` event is one piece of a tool call: ``text`` is a fragment
    of its arguments' JSON text (possibly empty), ``tool_index`` says which
    call of the answer it belongs to, and ``tool_id`` / ``tool_name`` are set
    on the piece that carries them (usually the first). The client joins the
    pieces of each index into a :class:`ToolCall`.
    """

    kind: StreamEventKind
    text: str = ""
    tokens: int = 1
    usage: Usage | None = None
    finish_reason: str | None = None
    error: ErrorInfo | None = None
    tool_index: int = 0
    tool_id: str | None = None
    tool_name: str | None = None


@dataclass(frozen=True)
class ToolCall:
    """One complete tool call of an answer, whatever the provider.

    ``arguments`` is JSON text, as OpenAI sends it; adapters of providers that
    send an object (Anthropic ``input``, Gemini ``args``) serialize it.
    """

    id: str
    name: str
    arguments: str

    def to_message_entry(self) -> dict[str, Any]:
        """The call as an entry of a neutral assistant message's ``tool_calls``."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass
class Completion:
    """A parsed non-streaming response."""

    text: str
    usage: Usage | None
    finish_reason: str | None
    reasoning_text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    error: ErrorInfo | None = None


@runtime_checkable
class ProviderAdapter(Protocol):
    """Speaks one wire format. Adapters are stateless and shared by all users.

    ``parse_stream`` must yield each StreamEvent before pulling the next SSE
    event: the client timestamps an output event with the arrival time of the
    SSE event most recently pulled.
    """

    name: str

    def build_request(
        self, request: ChatRequest, target: Target, api_key: str | None
    ) -> HttpCall: ...

    def parse_response(self, status: int, headers: dict[str, str], body: bytes) -> Completion: ...

    def parse_stream(self, events: Iterable[SSEEvent]) -> Iterator[StreamEvent]: ...

    def classify_error(self, status: int, headers: dict[str, str], body: bytes) -> ErrorInfo: ...


@dataclass
class RequestRecord:
    """One attempt at one request; the raw JSONL line every report is rebuilt from.

    Times are seconds. ``started_at`` is wall-clock (epoch) time for time
    series; every duration comes from ``time.perf_counter()`` differences.
    ``itl_buckets`` holds this request's inter-token gaps as sparse
    log-histogram buckets (see :mod:`harness.metrics.histogram`), so the ITL
    distribution of a whole run can be rebuilt exactly from records alone.

    ``usage`` is what the provider reported, or the harness's estimate
    (``source == "estimated"``) when it reported none. ``usage_estimate`` is
    always the harness's own estimate (:mod:`harness.token_estimate`) when the
    attempt produced output to count, so reports can compare the two.
    ``rate_limit`` holds the response's rate-limit headers, normalized by
    :func:`harness.rate_limits.parse_rate_limit_headers`.
    """

    request_id: str
    attempt: int
    started_at: float
    target: str
    provider: str
    model: str
    stream: bool
    ok: bool
    tags: dict[str, str] = field(default_factory=dict)
    http_status: int | None = None
    error: ErrorInfo | None = None
    headers_s: float | None = None
    ttft_s: float | None = None
    ttfa_s: float | None = None
    e2e_s: float | None = None
    tpot_s: float | None = None
    #: Open loop and trace replay: the send was due at ``scheduled_at`` (epoch) and
    #: started ``queue_s`` later (pool full, generator late); None in closed-loop runs.
    queue_s: float | None = None
    scheduled_at: float | None = None
    itl_buckets: dict[int, int] = field(default_factory=dict)
    itl_sum_s: float = 0.0
    itl_min_s: float | None = None
    itl_max_s: float | None = None
    output_events: int = 0
    usage: Usage | None = None
    usage_estimate: Usage | None = None
    finish_reason: str | None = None
    bytes_sent: int = 0
    bytes_received: int = 0
    rate_limit: dict[str, Any] | None = None
    #: Backoff slept before this attempt (0 for a first attempt).
    retry_delay_s: float = 0.0
    #: Time the client-side rate limiter held this attempt, and which limit ("rpm"/"tpm").
    limiter_wait_s: float = 0.0
    limited_by: str | None = None
    #: "budget" when the policy wanted a retry after this attempt but the retry budget refused.
    throttled_by: str | None = None
    #: The target this attempt fell back from, when an earlier target gave up.
    fallback_from: str | None = None
    #: The router that sent this request away from its user's own target.
    routed_by: str | None = None
    #: True on the attempt that ended its logical request.
    final: bool = True
    #: On the final attempt: first send to last byte of the logical request, backoff included.
    logical_e2e_s: float | None = None
    #: Cost in the report currency as decimal strings (input, cached_input, cache_write,
    #: output, reasoning, total, currency); None when usage or the model's price is unknown.
    cost: dict[str, str] | None = None
    #: On the final record of a workflow's last step: the workflow's start to this end.
    workflow_e2e_s: float | None = None
    #: "warmup", "measured" or "cooldown": only measured attempts count in metrics and SLOs.
    phase: str = "measured"
    #: Whether this attempt met every per-request SLO of the run (goodput); None without SLOs.
    slo_met: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["itl_buckets"] = {str(k): v for k, v in self.itl_buckets.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestRecord:
        if tuple(data) == _RECORD_FIELDS:
            # Every field in order, as the writer writes them: __init__ would only
            # assign them, and its forty-odd keyword arguments cost more than the
            # JSON parsing when a report is rebuilt from a million records. The
            # nested values are converted in the new record's own dict, not a copy.
            record = object.__new__(cls)
            fields = record.__dict__
            fields.update(data)
            _read_nested(fields)
            return record
        data = dict(data)
        _read_nested(data)
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


_RECORD_FIELDS = tuple(RequestRecord.__dataclass_fields__)


def _read_nested(fields: dict[str, Any]) -> None:
    """Turn a record dict's nested JSON values into their types, in place."""
    error = fields.get("error")
    if error is not None:
        fields["error"] = ErrorInfo.from_dict(error)
    for key in ("usage", "usage_estimate"):
        usage = fields.get(key)
        if usage is not None:
            fields[key] = Usage.from_dict(usage)
    buckets = fields.get("itl_buckets", {})
    fields["itl_buckets"] = {_BUCKET_INDEXES[key]: count for key, count in buckets.items()}


class _BucketIndexes(dict[Any, int]):
    """``int()`` of ITL bucket keys, which JSON makes strings, remembered once converted.

    A run's gaps fall into a few hundred buckets, and ``int()`` of the same
    strings for every record read was a quarter of building the record.
    """

    def __missing__(self, key: Any) -> int:
        index = int(key)
        if len(self) < 4096:  # bounded whatever keys a file holds
            self[key] = index
        return index


_BUCKET_INDEXES = _BucketIndexes()


@runtime_checkable
class RetryPolicy(Protocol):
    """Decides whether and when a failed attempt is tried again.

    ``delay`` returns the seconds to wait before attempt ``attempt + 1``, or
    ``None`` to give up; it should honour ``error.retry_after_s`` up to a cap.
    ``previous_delay`` is the delay before ``attempt`` (``None`` for the first),
    for formulas such as decorrelated jitter; one policy serves every user,
    so it must keep no per-request state.
    """

    name: str

    def delay(
        self, attempt: int, error: ErrorInfo, previous_delay: float | None = None
    ) -> float | None: ...


@runtime_checkable
class Router(Protocol):
    """Chooses the target of each request, e.g. a cheap model for small prompts.

    ``route`` returns the name of one of ``targets`` (the run's targets, by
    name); ``assigned`` is the target of the user sending the request. One
    router serves every user, so it must keep no per-request state.
    """

    name: str

    def route(self, request: ChatRequest, assigned: str, targets: Mapping[str, Target]) -> str: ...


@dataclass(frozen=True)
class Price:
    """List prices per million tokens of each type, in ``currency``.

    Unset cached-input, cache-write and reasoning rates fall back to the
    input, input and output rates. Above ``long_context_threshold`` input
    tokens, every rate comes from ``long_context`` (all or nothing, as the
    providers bill it). ``batch_discount`` is the fraction batch jobs save.
    """

    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    reasoning: Decimal | None = None
    currency: str = "USD"
    as_of: str = ""
    source: str = ""
    long_context_threshold: int | None = None
    long_context: Price | None = None
    batch_discount: Decimal | None = None


@runtime_checkable
class PriceTable(Protocol):
    """Answers what a model costs; ``None`` when the table does not know it."""

    name: str

    def price(self, provider: str, model: str) -> Price | None: ...


@dataclass(frozen=True)
class WorkloadSettings:
    """What a workload needs to know to build requests."""

    model: str
    prompt_tokens: int
    max_tokens: int
    stream: bool = True
    seed: int | None = None
    #: Every option of the run (Locust's parsed options), for workload-specific settings.
    options: Mapping[str, Any] = field(default_factory=dict)


class RequestSource(Protocol):
    def next_request(self) -> ChatRequest: ...


@runtime_checkable
class Workload(Protocol):
    """A named source of chat requests; ``create`` is called once per simulated user."""

    name: str
    description: str

    def create(self, settings: WorkloadSettings) -> RequestSource: ...


@dataclass(frozen=True)
class SinkContext:
    """Where a run writes and what it targets, for a sink about to open.

    ``options`` are the run's parsed options by name (``records_gzip``, a
    plugin's own), so a sink can be configured from the command line.
    ``worker_id`` is set on a Locust worker of a distributed run: several
    workers may share ``report_dir``, so a sink writing files names them
    after it (``records-<worker_id>.jsonl``).
    """

    report_dir: Path
    targets: tuple[Target, ...]
    options: Mapping[str, Any] = field(default_factory=dict)
    worker_id: str | None = None


class RecordSink(Protocol):
    def write(self, record: RequestRecord) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class Sink(Protocol):
    """A named destination for records, opened when a test starts, closed when it stops.

    ``write`` is called for every attempt from the load generator's event loop,
    so it must not block for long.
    """

    name: str

    def open(self, context: SinkContext) -> RecordSink: ...


@dataclass(frozen=True)
class ReportSection:
    """An extra section for report.html: ``html`` is trusted markup, ``text`` a plain fallback."""

    title: str
    html: str
    text: str = ""
