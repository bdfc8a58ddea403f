"""Fault injection: the spec grammar, scenarios, and the per-request decision.

Grammar: ``KIND[:ARG][@SELECT][@t=START-END]``.

KIND (what happens to a chat request; a "token" is any output token event,
reasoning ones included, and the first one is the first of these):

``cut:K``
    Stream K tokens, then close the connection without the finish chunk,
    ``[DONE]`` or the terminating zero-length chunk (K >= 0). If the output
    is shorter than K tokens the cut happens after the last token.
    Non-streaming: the headers and half the JSON body, then close.
``stall:S``
    After the first token, send nothing for S seconds (S > 0), then go on
    at the normal pace. Non-streaming: the response comes S s later.
``malformed``
    After the first token, send one event whose data is ``{not json``, then
    go on normally. Non-streaming: a 200 whose body is ``{not json``.
``http:STATUS``
    Answer at once with that status (400..599) and the error body of the
    request's dialect (OpenAI: ``server_error`` for 5xx).
``429:S``
    Answer at once with HTTP 429, ``Retry-After: S`` (S >= 0 seconds) and
    the dialect's rate-limit body (OpenAI: ``rate_limit_exceeded``; Gemini
    also puts the wait in a ``RetryInfo`` detail).
``overload``
    After the first token, send the dialect's in-stream error and end the
    stream there, properly terminated (Anthropic: ``event: error`` with an
    ``overloaded_error``; OpenAI: ``data: {"error": ...}`` without
    ``[DONE]``; Gemini has no such event: the stream just ends without a
    ``finishReason``). Non-streaming: the dialect's overload status at once
    (Anthropic 529, the others 503) with its error body.
``blocked``
    Refuse the prompt as a safety filter would: Gemini answers HTTP 200 with
    ``promptFeedback.blockReason: "SAFETY"`` and no candidates (streamed: as
    its only event); dialects without such an answer treat it as ``http:400``.
``wrong_usage:FACTOR``
    Generate normally, but report every usage count multiplied by FACTOR
    (>= 0, rounded), to exercise a client's check of reported usage against
    its own estimate. The simulator's counters keep the true numbers.
``no_usage``
    Generate normally, but leave the usage out of the answer in every dialect
    (OpenAI ``usage``, Anthropic ``usage``, Gemini ``usageMetadata``, echo
    ``tokens_in``/``tokens_out``), as some relays do.
``reset``
    Read the request, then close the connection before any response byte, as
    a crashing upstream or a load balancer dropping the connection would.
``slow_headers:S``
    Wait S seconds (S > 0) before anything, headers included, then answer
    normally: a slow upstream or a long queue in front of the server.

SELECT (which chat requests; counted from the moment the spec is added):

``p=FLOAT``  each request with that probability (0..1), drawn from the seeded
             generator of the plan;
``n=INT``    exactly the INT-th request (1-based), once; if an earlier spec
             already claimed that request, this one is spent unused;
``every=INT`` requests INT, 2*INT, 3*INT, ...;
``next``     the next request that no earlier spec claims, once;
(none)       every request.

WINDOW ``@t=START-END`` (seconds since the simulator started, START
inclusive, END exclusive; ``@t=START-`` has no end; an ``s`` may follow
either number) limits the spec to that stretch of time: it sees only the
requests that arrive inside the window, so its selector counts from the
window's start (``429:1@n=1@t=5-10`` hits the first request after 5 s), and
it is dropped once the window has passed. The window and the selector may
come in either order. ``GET /_harness/faults`` reports the simulator's clock
(``clock_s``) so a client can place windows relative to its own start.

Specs are checked in the order they were added; the first that matches a
request wins. Only well-formed chat requests that got past the server-side
rate limits and the load-driven overload consult the plan.

A scenario (``--scenario``) is several specs separated by ``;``. Each entry
is a spec, or ``START-END[s] SPEC`` with the window written first (it becomes
``SPEC@t=START-END``), or ``START-END[s] ok`` for a stretch without faults,
which adds nothing and only keeps the script readable. The issue's
``0-30s ok; 30-60s 429 storm; 60-90s recover`` reads::

    --scenario '0-30s ok; 30-60s 429:1@p=0.9; 60-90s ok'
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

FAULT_KINDS: tuple[str, ...] = (
    "cut",
    "stall",
    "malformed",
    "http",
    "429",
    "overload",
    "blocked",
    "wrong_usage",
    "no_usage",
    "reset",
    "slow_headers",
)
_NO_ARGUMENT = frozenset(("malformed", "overload", "blocked", "no_usage", "reset"))
SELECTORS: tuple[str, ...] = ("always", "p", "n", "every", "next")

GRAMMAR = (
    "expected KIND[:ARG][@SELECT][@t=START-END] with KIND one of cut:K, stall:SECONDS, "
    "malformed, http:STATUS, 429:SECONDS, overload, blocked, wrong_usage:FACTOR, no_usage, "
    "reset, slow_headers:SECONDS and SELECT one of p=FLOAT, n=INT, every=INT, next"
)
# A scenario entry's leading window: "30-60s 429:1", "30- 429:1", "0-30 ok".
_LEADING_WINDOW = re.compile(r"(\d+(?:\.\d*)?)\s*-\s*(\d+(?:\.\d*)?)?\s*s?\s+(\S.*)")


@dataclass(frozen=True)
class FaultSpec:
    """One parsed fault spec. Only the fields of its ``kind`` are meaningful."""

    spec: str
    kind: str
    chunks: int = 0
    """cut: content chunks sent before the connection is closed."""
    seconds: float = 0.0
    """stall and slow_headers: pause length; 429: the Retry-After value."""
    status: int = 0
    """http and 429: the HTTP status answered."""
    factor: float = 1.0
    """wrong_usage: what reported usage is multiplied by."""
    selector: str = "always"
    probability: float = 1.0
    """p=: chance per request."""
    count: int = 0
    """n= and every=: the request number or period."""
    start_s: float = 0.0
    """@t=: start of the window, in seconds since the simulator started."""
    end_s: float = math.inf
    """@t=: end of the window (exclusive); inf = no end."""

    @property
    def once(self) -> bool:
        """Whether the spec is spent after it fires."""
        return self.selector in ("n", "next")

    @property
    def windowed(self) -> bool:
        return self.start_s > 0.0 or self.end_s != math.inf


def _fail(spec: str, problem: str) -> ValueError:
    return ValueError(f"bad fault spec {spec!r}: {problem}; {GRAMMAR}")


def _parse_int(spec: str, what: str, text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _fail(spec, f"{what} must be an integer, got {text!r}") from None
    if value < minimum:
        raise _fail(spec, f"{what} must be >= {minimum}, got {value}")
    return value


def _parse_float(spec: str, what: str, text: str, minimum: float, strict: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _fail(spec, f"{what} must be a number, got {text!r}") from None
    if not math.isfinite(value) or value < minimum or (strict and value == minimum):
        bound = f"> {minimum:g}" if strict else f">= {minimum:g}"
        raise _fail(spec, f"{what} must be a finite number {bound}, got {text!r}")
    return value


def parse_fault_spec(spec: str) -> FaultSpec:
    """Parse ``KIND[:ARG][@SELECT]``; raise ValueError naming the spec and the problem."""
    text = spec.strip()
    if not text:
        raise _fail(spec, "empty spec")
    action, *qualifiers = text.split("@")
    windows = [q for q in qualifiers if q.strip().startswith("t=")]
    selections = [q for q in qualifiers if not q.strip().startswith("t=")]
    if len(windows) > 1:
        raise _fail(spec, "more than one time window '@t='")
    if len(selections) > 1:
        raise _fail(spec, "more than one selector")
    kind, colon, argument = action.partition(":")
    kind = kind.strip()
    argument = argument.strip()
    if kind not in FAULT_KINDS:
        raise _fail(spec, f"unknown kind {kind!r}")
    if kind in _NO_ARGUMENT:
        if colon:
            raise _fail(spec, f"{kind!r} takes no argument")
    elif not colon or not argument:
        raise _fail(spec, f"{kind!r} needs an argument")

    chunks = 0
    seconds = 0.0
    status = 0
    factor = 1.0
    if kind == "cut":
        chunks = _parse_int(spec, "cut's chunk count K", argument, 0)
    elif kind in ("stall", "slow_headers"):
        seconds = _parse_float(spec, f"{kind}'s seconds", argument, 0.0, strict=True)
    elif kind == "http":
        status = _parse_int(spec, "http's STATUS", argument, 400)
        if status > 599:
            raise _fail(spec, f"http's STATUS must be 400..599, got {status}")
    elif kind == "429":
        seconds = _parse_float(spec, "429's Retry-After seconds", argument, 0.0, strict=False)
        status = 429
    elif kind == "wrong_usage":
        factor = _parse_float(spec, "wrong_usage's FACTOR", argument, 0.0, strict=False)

    selector = "always"
    probability = 1.0
    count = 0
    if selections:
        name, equals, value = selections[0].strip().partition("=")
        name = name.strip()
        value = value.strip()
        if name == "next":
            if equals:
                raise _fail(spec, "'next' takes no value")
        elif name not in ("p", "n", "every"):
            raise _fail(spec, f"unknown selector {name!r}")
        elif not equals or not value:
            raise _fail(spec, f"selector {name!r} needs '={'FLOAT' if name == 'p' else 'INT'}'")
        elif name == "p":
            probability = _parse_float(spec, "p", value, 0.0, strict=False)
            if probability > 1.0:
                raise _fail(spec, f"p must be within 0..1, got {value!r}")
        else:
            count = _parse_int(spec, name, value, 1)
        selector = name
    start_s, end_s = _parse_window(spec, windows[0].strip()[2:]) if windows else (0.0, math.inf)
    return FaultSpec(
        spec=text,
        kind=kind,
        chunks=chunks,
        seconds=seconds,
        status=status,
        factor=factor,
        selector=selector,
        probability=probability,
        count=count,
        start_s=start_s,
        end_s=end_s,
    )


def _window_bound(spec: str, text: str) -> float:
    text = text.strip()
    return _parse_float(spec, "a window bound", text[:-1] if text.endswith("s") else text, 0, False)


def _parse_window(spec: str, text: str) -> tuple[float, float]:
    """``START-END`` or ``START-`` (seconds, an ``s`` allowed after each) as (start, end)."""
    first, dash, second = text.partition("-")
    if not dash or not first.strip():
        raise _fail(spec, f"a time window is t=START-END or t=START-, got 't={text}'")
    start = _window_bound(spec, first)
    end = _window_bound(spec, second) if second.strip() else math.inf
    if end <= start:
        raise _fail(spec, f"the window's END must be after its START, got 't={text}'")
    return start, end


def parse_scenario(text: str) -> tuple[str, ...]:
    """The fault specs of a ``;``-separated scenario, windows written into each.

    ``"0-30s ok; 30-60s 429:1@p=0.9"`` gives ``("429:1@p=0.9@t=30-60",)``.
    Raises ValueError naming the bad entry.
    """
    specs: list[str] = []
    for entry in text.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        leading = _LEADING_WINDOW.fullmatch(entry)
        if leading is None:
            specs.append(parse_fault_spec(entry).spec)
            continue
        start, end, rest = leading.groups()
        if rest.strip() == "ok":
            # Nothing to inject: the stretch is there for the reader.
            _parse_window(entry, f"{start}-{end or ''}")
            continue
        if "@t=" in rest.replace(" ", ""):
            raise _fail(entry, "a scenario entry has its window in front or in '@t=', not both")
        specs.append(parse_fault_spec(f"{rest}@t={start}-{end or ''}").spec)
    return tuple(specs)


class _ArmedFault:
    """A spec inside a plan, with the number of requests it has seen."""

    __slots__ = ("seen", "spec", "spent")

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self.seen = 0
        self.spent = False


class FaultPlan:
    """Decides, once per chat request, which fault (if any) applies."""

    def __init__(
        self,
        specs: Iterable[str | FaultSpec] = (),
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # A separate stream from the latency model's, so adding a fault never
        # shifts the latency draws of a seeded run.
        self._rng = random.Random(None if seed is None else f"faults:{seed}")
        self._armed: list[_ArmedFault] = []
        self._clock = clock
        self._origin = clock()
        # Read the clock per request only while some spec has a window.
        self._windowed = False
        for spec in specs:
            self.add(spec)

    def elapsed(self) -> float:
        """Seconds since the plan (the simulator) started: the clock of ``@t=`` windows."""
        return self._clock() - self._origin

    def add(self, spec: str | FaultSpec) -> FaultSpec:
        """Append a spec (parsed if given as text); its counting starts now."""
        parsed = parse_fault_spec(spec) if isinstance(spec, str) else spec
        self._armed.append(_ArmedFault(parsed))
        self._windowed = self._windowed or parsed.windowed
        return parsed

    def clear(self) -> None:
        """Remove every spec."""
        self._armed.clear()
        self._windowed = False

    @property
    def specs(self) -> tuple[FaultSpec, ...]:
        """The specs still able to fire, in order."""
        return tuple(armed.spec for armed in self._armed)

    def __bool__(self) -> bool:
        return bool(self._armed)

    def choose(self) -> FaultSpec | None:
        """Account for one more chat request and return the fault it gets."""
        if not self._armed:
            return None
        elapsed = self.elapsed() if self._windowed else 0.0
        winner: FaultSpec | None = None
        for armed in self._armed:
            spec = armed.spec
            if elapsed < spec.start_s:
                continue
            if elapsed >= spec.end_s:
                armed.spent = True  # its window has passed for good
                continue
            armed.seen += 1
            selector = spec.selector
            if selector == "p":
                # Draw even when an earlier spec already won, so one spec's
                # sequence does not depend on the others.
                hit = self._rng.random() < spec.probability
            elif selector == "n":
                hit = armed.seen == spec.count
                if hit and winner is not None:
                    armed.spent = True
            elif selector == "every":
                hit = armed.seen % spec.count == 0
            else:
                hit = True
            if hit and winner is None:
                winner = spec
                if spec.once:
                    armed.spent = True
        if any(armed.spent for armed in self._armed):
            self._armed = [armed for armed in self._armed if not armed.spent]
            self._windowed = any(armed.spec.windowed for armed in self._armed)
        return winner
