"""Fault injection: the spec grammar and the per-request decision.

Grammar: ``KIND[:ARG][@SELECT]``.

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

SELECT (which chat requests; counted from the moment the spec is added):

``p=FLOAT``  each request with that probability (0..1), drawn from the seeded
             generator of the plan;
``n=INT``    exactly the INT-th request (1-based), once; if an earlier spec
             already claimed that request, this one is spent unused;
``every=INT`` requests INT, 2*INT, 3*INT, ...;
``next``     the next request that no earlier spec claims, once;
(none)       every request.

Specs are checked in the order they were added; the first that matches a
request wins. Only well-formed chat requests consult the plan.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
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
)
_NO_ARGUMENT = frozenset(("malformed", "overload", "blocked"))
SELECTORS: tuple[str, ...] = ("always", "p", "n", "every", "next")

GRAMMAR = (
    "expected KIND[:ARG][@SELECT] with KIND one of cut:K, stall:SECONDS, malformed, "
    "http:STATUS, 429:SECONDS, overload, blocked, wrong_usage:FACTOR and SELECT one of "
    "p=FLOAT, n=INT, every=INT, next"
)


@dataclass(frozen=True)
class FaultSpec:
    """One parsed fault spec. Only the fields of its ``kind`` are meaningful."""

    spec: str
    kind: str
    chunks: int = 0
    """cut: content chunks sent before the connection is closed."""
    seconds: float = 0.0
    """stall: pause length; 429: the Retry-After value."""
    status: int = 0
    """http and 429: the HTTP status answered."""
    factor: float = 1.0
    """wrong_usage: what reported usage is multiplied by."""
    selector: str = "always"
    probability: float = 1.0
    """p=: chance per request."""
    count: int = 0
    """n= and every=: the request number or period."""

    @property
    def once(self) -> bool:
        """Whether the spec is spent after it fires."""
        return self.selector in ("n", "next")


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
    action, at, selection = text.partition("@")
    if at and "@" in selection:
        raise _fail(spec, "more than one '@'")
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
    elif kind == "stall":
        seconds = _parse_float(spec, "stall's seconds", argument, 0.0, strict=True)
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
    if at:
        name, equals, value = selection.strip().partition("=")
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
    )


class _ArmedFault:
    """A spec inside a plan, with the number of requests it has seen."""

    __slots__ = ("seen", "spec", "spent")

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self.seen = 0
        self.spent = False


class FaultPlan:
    """Decides, once per chat request, which fault (if any) applies."""

    def __init__(self, specs: Iterable[str | FaultSpec] = (), seed: int | None = None) -> None:
        # A separate stream from the latency model's, so adding a fault never
        # shifts the latency draws of a seeded run.
        self._rng = random.Random(None if seed is None else f"faults:{seed}")
        self._armed: list[_ArmedFault] = []
        for spec in specs:
            self.add(spec)

    def add(self, spec: str | FaultSpec) -> FaultSpec:
        """Append a spec (parsed if given as text); its counting starts now."""
        parsed = parse_fault_spec(spec) if isinstance(spec, str) else spec
        self._armed.append(_ArmedFault(parsed))
        return parsed

    def clear(self) -> None:
        """Remove every spec."""
        self._armed.clear()

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
        winner: FaultSpec | None = None
        for armed in self._armed:
            armed.seen += 1
            spec = armed.spec
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
        return winner
