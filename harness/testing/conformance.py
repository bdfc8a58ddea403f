"""``ProviderConformance``: the checks every provider adapter must pass, as pytest tests.

Each check drives the adapter through the harness's real path (ChatClient,
HttpTransport, SSE decoding) against a :class:`TranscriptServer` replaying
the author's canonical responses, or against the embedded simulator when it
speaks the adapter's wire format. A failed check says which check, what was
expected and what the adapter produced.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn

import orjson
import pytest

from harness.client import ChatClient
from harness.contracts import ChatRequest, ProviderAdapter, RequestRecord, Target, Usage
from harness.errors import is_retryable
from harness.mock.config import SimulatorConfig
from harness.mock.dialects import DIALECTS
from harness.mock.process import SimulatorProcess
from harness.secrets import resolve_api_key
from harness.transport import HttpTransport, Timeouts

from .cases import ErrorCase, SuccessCase
from .server import TranscriptServer
from .transcripts import Transcript

FAKE_API_KEY_ENV = "HARNESS_CONFORMANCE_API_KEY"
FAKE_API_KEY = "conformance-secret-5c1e9a7d3b"
BROKEN_STREAM_KINDS = ("stream_broken", "protocol")
_TIMEOUTS = Timeouts(connect=5.0, read=10.0, stall=5.0, total=30.0)
_USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "source",
)


def _fail(message: str) -> NoReturn:
    # No traceback: the kit's internals are not what the adapter author needs to see.
    pytest.fail(message, pytrace=False)


def _fail_if(what: str, problems: list[str]) -> None:
    if problems:
        _fail(f"{what}: " + "; ".join(problems))


def _same_seconds(got: float | None, expected: float | None) -> bool:
    if got is None or expected is None:
        return got is expected
    return math.isclose(got, expected, abs_tol=1e-3)


def usage_differences(got: Usage | None, expected: Usage) -> list[str]:
    """Each field of ``got`` that differs from ``expected``, said readably."""
    if got is None:
        return [f"expected usage {expected}, the record has none"]
    problems = [
        f"{name} expected {getattr(expected, name)!r}, adapter reported {getattr(got, name)!r}"
        for name in _USAGE_FIELDS
        if getattr(got, name) != getattr(expected, name)
    ]
    if got.source == "estimated" and expected.source == "reported":
        problems.append("(the adapter gave no usage, so the client estimated it)")
    return problems


@dataclass
class CallOutcome:
    """One ChatClient.call: its record and the answer's text, or what it raised."""

    record: RequestRecord | None
    text: str = ""
    raised: BaseException | None = None


def _record_failure(record: RequestRecord) -> str:
    error = record.error
    described = f"{error.kind}: {error.message}" if error else "no ErrorInfo"
    hint = ""
    if record.http_status == 404:
        hint = " (HTTP 404: does build_request build the right URL from the target's base_url?)"
    return f"the record failed with {described} (HTTP {record.http_status}){hint}"


def _mode(stream: bool) -> str:
    return "streaming" if stream else "non-streaming"


def _require_record(what: str, outcome: CallOutcome) -> RequestRecord:
    if outcome.raised is not None or outcome.record is None:
        exc = outcome.raised
        _fail(
            f"{what}: ChatClient.call raised {type(exc).__name__}: {exc}; an adapter must turn "
            "every response into a record (ErrorInfo for failures), never raise"
        )
    return outcome.record


def _require_ok(what: str, outcome: CallOutcome) -> RequestRecord:
    record = _require_record(what, outcome)
    if not record.ok:
        _fail(f"{what}: expected an ok record, but {_record_failure(record)}")
    return record


def _echoing_secret(body: bytes, secret: str) -> bytes:
    """``body`` with the secret appended to every JSON string, as a careless server might."""

    def echo(value: Any) -> Any:
        if isinstance(value, str):
            return f"{value} ({secret})"
        if isinstance(value, dict):
            return {key: echo(item) for key, item in value.items()}
        if isinstance(value, list):
            return [echo(item) for item in value]
        return value

    try:
        return orjson.dumps(echo(orjson.loads(body)))
    except orjson.JSONDecodeError:
        return body + f" (key {secret})".encode()


class ProviderConformance:
    """Subclass as ``Test...`` and set the class attributes; pytest runs the inherited checks.

    The attributes, and what each check does, are described in :mod:`harness.testing`.
    """

    adapter: ClassVar[ProviderAdapter]
    streaming: ClassVar[SuccessCase]
    non_streaming: ClassVar[SuccessCase]
    error_cases: ClassVar[Sequence[ErrorCase]] = ()
    model: ClassVar[str] = "conformance-model"
    simulator_dialect: ClassVar[str | None] = None
    base_path: ClassVar[str] = ""
    broken_stream_pieces: ClassVar[int | None] = None

    def make_request(self, stream: bool) -> ChatRequest:
        """Eight words of prompt in two messages, eight output tokens at most."""
        messages = [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Name three colours, briefly please."},
        ]
        return ChatRequest(messages=messages, model=self.model, max_tokens=8, stream=stream)

    def call(self, base_url: str, stream: bool, api_key: str | None = None) -> CallOutcome:
        """One call through ChatClient and HttpTransport; never raises."""
        target = Target("conformance", self.adapter.name, base_url + self.base_path, self.model)
        transport = HttpTransport(_TIMEOUTS)
        client = ChatClient(target, self.adapter, transport, api_key)
        try:
            record = client.call(self.make_request(stream))
        except Exception as exc:
            return CallOutcome(None, raised=exc)
        finally:
            transport.close()
        return CallOutcome(record, client.last_answer)

    def replay(
        self,
        server: TranscriptServer,
        transcript: Transcript,
        stream: bool,
        api_key: str | None = None,
    ) -> CallOutcome:
        server.play(transcript)
        return self.call(server.url, stream, api_key)

    # -- fixtures ------------------------------------------------------------------
    # Function-scoped: a server starts in milliseconds, and class-scoped fixtures
    # written as methods are deprecated from pytest 9.1 on.

    @pytest.fixture
    def conformance_server(self) -> Iterator[TranscriptServer]:
        with TranscriptServer() as server:
            yield server

    @pytest.fixture
    def conformance_simulator(self) -> Iterator[SimulatorProcess]:
        dialect = self.simulator_dialect
        if dialect is None:
            pytest.skip("simulator_dialect is None: the embedded simulator does not speak it")
        if dialect not in DIALECTS:
            _fail(
                f"simulator_dialect {dialect!r} is not served by the embedded simulator; "
                f"it serves: {', '.join(sorted(DIALECTS))}"
            )
        with SimulatorProcess(SimulatorConfig(ttft_ms=2.0, itl_ms=1.0, seed=0)) as simulator:
            yield simulator

    @pytest.fixture
    def conformance_api_key(self, monkeypatch: pytest.MonkeyPatch) -> str:
        """A fake key, resolved from the environment as a real run resolves one."""
        monkeypatch.setenv(FAKE_API_KEY_ENV, FAKE_API_KEY)
        key = resolve_api_key(FAKE_API_KEY_ENV)
        assert key is not None
        return key

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "error_case" in metafunc.fixturenames:
            cases = list(getattr(metafunc.cls, "error_cases", ()))
            metafunc.parametrize("error_case", cases, ids=[case.label for case in cases])

    # -- successful responses --------------------------------------------------------

    def test_streaming_call_succeeds(self, conformance_server: TranscriptServer) -> None:
        self._succeed(conformance_server, stream=True)

    def test_streaming_text(self, conformance_server: TranscriptServer) -> None:
        self._check_text(conformance_server, stream=True)

    def test_streaming_usage_is_normalized(self, conformance_server: TranscriptServer) -> None:
        self._check_usage(conformance_server, stream=True)

    def test_streaming_finish_reason(self, conformance_server: TranscriptServer) -> None:
        self._check_finish_reason(conformance_server, stream=True)

    def test_non_streaming_call_succeeds(self, conformance_server: TranscriptServer) -> None:
        self._succeed(conformance_server, stream=False)

    def test_non_streaming_text(self, conformance_server: TranscriptServer) -> None:
        self._check_text(conformance_server, stream=False)

    def test_non_streaming_usage_is_normalized(self, conformance_server: TranscriptServer) -> None:
        self._check_usage(conformance_server, stream=False)

    def test_non_streaming_finish_reason(self, conformance_server: TranscriptServer) -> None:
        self._check_finish_reason(conformance_server, stream=False)

    def _succeed(
        self, server: TranscriptServer, stream: bool
    ) -> tuple[SuccessCase, CallOutcome, RequestRecord]:
        """Replay the success case; fail unless the record is ok."""
        case = self.streaming if stream else self.non_streaming
        outcome = self.replay(server, case.transcript, stream)
        return case, outcome, _require_ok(f"{_mode(stream)} call", outcome)

    def _check_text(self, server: TranscriptServer, stream: bool) -> None:
        case, outcome, record = self._succeed(server, stream)
        problems = []
        if outcome.text != case.text:
            problems.append(f"expected {case.text!r}, adapter produced {outcome.text!r}")
        if case.output_events is not None and record.output_events != case.output_events:
            problems.append(
                f"expected {case.output_events} output events, "
                f"the record counted {record.output_events}"
            )
        if case.text and record.ttft_s is None:
            problems.append("the record has no time to first token: no output event was seen")
        _fail_if(f"{_mode(stream)} text", problems)

    def _check_usage(self, server: TranscriptServer, stream: bool) -> None:
        case, _, record = self._succeed(server, stream)
        _fail_if(f"{_mode(stream)} usage", usage_differences(record.usage, case.usage))

    def _check_finish_reason(self, server: TranscriptServer, stream: bool) -> None:
        case, _, record = self._succeed(server, stream)
        if record.finish_reason != case.finish_reason:
            _fail(
                f"{_mode(stream)} finish_reason: expected {case.finish_reason!r}, "
                f"adapter produced {record.finish_reason!r}"
            )

    # -- failures --------------------------------------------------------------------

    def test_error_case_is_classified(
        self, conformance_server: TranscriptServer, error_case: ErrorCase
    ) -> None:
        what = f"error case {error_case.label}"
        outcome = self.replay(conformance_server, error_case.transcript(), stream=True)
        record = _require_record(what, outcome)
        error = record.error
        if record.ok or error is None:
            _fail(f"{what}: expected a failed record of kind {error_case.kind!r}, it is ok")
        problems = []
        if error.kind != error_case.kind:
            problems.append(
                f"expected kind {error_case.kind!r}, adapter classified it as {error.kind!r}"
            )
        if not _same_seconds(error.retry_after_s, error_case.retry_after_s):
            problems.append(
                f"expected retry_after_s {error_case.retry_after_s!r}, "
                f"adapter gave {error.retry_after_s!r}"
            )
        if error.retryable != is_retryable(error.kind):
            problems.append(
                f"retryable={error.retryable} disagrees with "
                f"harness.errors.is_retryable({error.kind!r}) = {is_retryable(error.kind)}"
            )
        if error.http_status != error_case.status:
            problems.append(
                f"expected http_status {error_case.status}, adapter set {error.http_status!r}"
            )
        if not error.message:
            problems.append("the ErrorInfo has an empty message")
        _fail_if(what, problems)

    def test_cut_stream_is_a_failed_record(self, conformance_server: TranscriptServer) -> None:
        keep, total = self._broken_stream_split()
        what = f"stream cut after {keep} of {total} pieces"
        transcript = self.streaming.transcript.cut(keep)
        self._check_broken(what, self.replay(conformance_server, transcript, stream=True))

    def test_stream_missing_its_end_is_a_failed_record(
        self, conformance_server: TranscriptServer
    ) -> None:
        keep, total = self._broken_stream_split()
        what = f"stream that ends cleanly after {keep} of {total} pieces, without its last events"
        transcript = self.streaming.transcript.truncated(keep)
        self._check_broken(what, self.replay(conformance_server, transcript, stream=True))

    def _broken_stream_split(self) -> tuple[int, int]:
        total = len(self.streaming.transcript.pieces)
        keep = self.broken_stream_pieces
        if keep is None:
            keep = total // 2
        if not 0 < keep < total:
            _fail(
                f"broken stream: cannot break a streaming transcript of {total} pieces after "
                f"{keep}; give it one piece per event, or set broken_stream_pieces"
            )
        return keep, total

    def _check_broken(self, what: str, outcome: CallOutcome) -> None:
        record = _require_record(what, outcome)
        expected = " or ".join(repr(kind) for kind in BROKEN_STREAM_KINDS)
        if record.ok or record.error is None:
            _fail(
                f"{what}: expected a failed record of kind {expected}, but the adapter "
                "accepted the stream as complete"
            )
        if record.error.kind not in BROKEN_STREAM_KINDS:
            _fail(f"{what}: expected kind {expected}, the record has {record.error.kind!r}")

    # -- secrets ---------------------------------------------------------------------

    def test_api_key_is_sent_in_a_header_only(self, conformance_api_key: str) -> None:
        target = Target("conformance", self.adapter.name, "http://127.0.0.1:9", self.model)
        call = self.adapter.build_request(self.make_request(True), target, conformance_api_key)
        problems = []
        if conformance_api_key.encode() in call.body:
            problems.append("build_request put the API key in the request body")
        if conformance_api_key in call.url:
            problems.append("build_request put the API key in the URL")
        if not any(conformance_api_key in value for value in call.headers.values()):
            problems.append("build_request sent the API key in no header")
        _fail_if("API key", problems)

    def test_api_key_never_in_records_or_exceptions(
        self, conformance_server: TranscriptServer, conformance_api_key: str
    ) -> None:
        plain_text = ErrorCase(401, {}, "bad key", "auth", name="text", content_type="text/plain")
        problems = []
        for case in [*self.error_cases, plain_text]:
            base = case.transcript()
            echoing = Transcript.json(
                _echoing_secret(base.body, conformance_api_key),
                case.status,
                (*base.headers, ("X-Echoed-Key", conformance_api_key)),
                content_type=case.content_type,
            )
            outcome = self.replay(conformance_server, echoing, True, conformance_api_key)
            if outcome.raised is not None:
                leaked = conformance_api_key in str(outcome.raised)
                problems.append(
                    f"error case {case.label}: ChatClient.call raised "
                    f"{type(outcome.raised).__name__}"
                    + (" with the API key in its message" if leaked else "")
                )
                continue
            assert outcome.record is not None
            leaking = [
                name
                for name, value in outcome.record.to_dict().items()
                if conformance_api_key.encode() in orjson.dumps(value)
            ]
            if leaking:
                problems.append(
                    f"error case {case.label}: the record's JSON contains the API key "
                    f"(in {', '.join(leaking)})"
                )
        _fail_if("secrets, with error bodies that echo the key", problems)

    # -- the embedded simulator ----------------------------------------------------------

    def test_simulator_calls_report_the_usage_it_served(
        self, conformance_simulator: SimulatorProcess
    ) -> None:
        for stream in (True, False):
            self._check_against_simulator(conformance_simulator, stream)

    def _check_against_simulator(self, simulator: SimulatorProcess, stream: bool) -> None:
        what = f"simulator ({self.simulator_dialect}, {_mode(stream)}; expected: what it served)"
        simulator.reset()
        record = _require_ok(what, self.call(simulator.url, stream))
        stats = simulator.stats()
        served = Usage(
            input_tokens=stats["input_tokens"],
            output_tokens=stats["output_tokens"],
            cached_input_tokens=stats["cached_input_tokens"],
            reasoning_tokens=stats["reasoning_tokens"],
        )
        problems = usage_differences(record.usage, served)
        if stats["completed"] != 1:
            problems.append(f"the simulator completed {stats['completed']} responses, expected 1")
        if stream and record.output_events != stats["output_tokens"]:
            problems.append(
                f"the record counted {record.output_events} output events, the simulator "
                f"streamed {stats['output_tokens']} tokens, one per event"
            )
        _fail_if(what, problems)
