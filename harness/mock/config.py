"""Simulator settings, and the one definition of their command-line flags.

``add_simulator_arguments(parser, prefix)`` adds the flags under an optional
prefix, so ``harness mock --ttft-ms 50`` and ``harness run --mock-ttft-ms 50``
share names, types, checks and help; ``simulator_config_from_args`` reads them
back; ``SimulatorConfig.to_cli_args`` writes a config as the argv of
``python -m harness.mock`` (used by :class:`harness.mock.process.SimulatorProcess`).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .faults import parse_fault_spec, parse_scenario


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything the simulator needs to know; validated on construction."""

    host: str = "127.0.0.1"
    port: int = 0
    """0 picks a free port."""
    ttft_ms: float = 200.0
    """Mean time from the start of generation (after any slot wait) to the first token."""
    itl_ms: float = 20.0
    """Mean gap between consecutive tokens."""
    jitter: float = 0.0
    """Relative spread of every delay (log-normal, mean kept); 0 = exact."""
    slots: int = 0
    """Concurrent generations; 0 = unlimited. Extra requests wait in FIFO order."""
    output_tokens: int | None = None
    """Fixed answer length, capped by the request's max tokens (less any reasoning);
    None = use the request's."""
    default_output_tokens: int = 128
    """Answer length when neither ``output_tokens`` nor the request sets one."""
    reasoning_tokens: int = 0
    """Reasoning tokens sent before the answer when the request turns reasoning on
    (Anthropic ``thinking``, Gemini ``thinkingConfig``, an OpenAI model named
    ``*reasoner*``); capped by the request's budget, and counted with the answer
    within its max tokens."""
    cache_hit: float = 0.0
    """Fraction (0..1) of each prompt's input tokens reported as read from a cache."""
    seed: int | None = None
    models: tuple[str, ...] = ("sim-gpt",)
    """What ``GET /v1/models`` lists; any model name is accepted in requests."""
    faults: tuple[str, ...] = ()
    """Fault specs active from the start (see :mod:`harness.mock.faults`)."""
    rpm_limit: float = 0.0
    """Server-side requests per minute (a token bucket, see :mod:`.limits`); 0 = none."""
    tpm_limit: float = 0.0
    """Server-side tokens per minute (input + max tokens of each request); 0 = none."""
    limit_burst_s: float = 1.0
    """Seconds of each limit that its bucket holds, i.e. the burst it allows."""
    overload_above: int = 0
    """Requests in flight above which arrivals may be refused as overloaded; 0 = never."""
    overload_slope: float = 0.0
    """Chance of that refusal added per request in flight above ``overload_above`` (capped at 1)."""
    tool_call_rate: float = 0.0
    """Chance (0..1) that a request offering tools, whose last message is not a tool
    result, is answered with a tool call (see :mod:`.tool_calls`)."""
    tool_call_tokens: int = 16
    """Words in the argument of a simulated tool call."""

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be within 0..65535, got {self.port}")
        for name in ("ttft_ms", "itl_ms", "jitter", "rpm_limit", "tpm_limit", "overload_slope"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value}")
        if not math.isfinite(self.limit_burst_s) or self.limit_burst_s <= 0:
            raise ValueError(f"limit_burst_s must be a finite number > 0, got {self.limit_burst_s}")
        if self.overload_above < 0:
            raise ValueError(f"overload_above must be >= 0 (0 = off), got {self.overload_above}")
        if self.slots < 0:
            raise ValueError(f"slots must be >= 0 (0 = unlimited), got {self.slots}")
        if self.output_tokens is not None and self.output_tokens < 0:
            raise ValueError(f"output_tokens must be >= 0, got {self.output_tokens}")
        if self.default_output_tokens < 0:
            raise ValueError(
                f"default_output_tokens must be >= 0, got {self.default_output_tokens}"
            )
        if self.reasoning_tokens < 0:
            raise ValueError(f"reasoning_tokens must be >= 0, got {self.reasoning_tokens}")
        if not 0.0 <= self.cache_hit <= 1.0:  # also refuses NaN
            raise ValueError(f"cache_hit must be within 0..1, got {self.cache_hit}")
        if not 0.0 <= self.tool_call_rate <= 1.0:
            raise ValueError(f"tool_call_rate must be within 0..1, got {self.tool_call_rate}")
        if self.tool_call_tokens < 1:
            raise ValueError(f"tool_call_tokens must be >= 1, got {self.tool_call_tokens}")
        if not self.models or not all(self.models):
            raise ValueError(f"models must be non-empty names, got {self.models!r}")
        # Lists from callers become tuples so the config stays hashable and frozen.
        object.__setattr__(self, "models", tuple(self.models))
        object.__setattr__(self, "faults", tuple(self.faults))
        for spec in self.faults:
            parse_fault_spec(spec)

    def to_cli_args(self) -> list[str]:
        """The argv (after ``python -m harness.mock``) that rebuilds this config."""
        args = [
            "--host", self.host,
            "--port", str(self.port),
            "--ttft-ms", repr(float(self.ttft_ms)),
            "--itl-ms", repr(float(self.itl_ms)),
            "--jitter", repr(float(self.jitter)),
            "--slots", str(self.slots),
            "--default-output-tokens", str(self.default_output_tokens),
            "--reasoning-tokens", str(self.reasoning_tokens),
            "--cache-hit", repr(float(self.cache_hit)),
            "--rpm-limit", repr(float(self.rpm_limit)),
            "--tpm-limit", repr(float(self.tpm_limit)),
            "--limit-burst-s", repr(float(self.limit_burst_s)),
            "--overload-above", str(self.overload_above),
            "--overload-slope", repr(float(self.overload_slope)),
            "--tool-call-rate", repr(float(self.tool_call_rate)),
            "--tool-call-tokens", str(self.tool_call_tokens),
        ]  # fmt: skip
        if self.output_tokens is not None:
            args += ["--output-tokens", str(self.output_tokens)]
        if self.seed is not None:
            args += ["--seed", str(self.seed)]
        for model in self.models:
            args += ["--model", model]
        for spec in self.faults:
            args += ["--fault", spec]
        return args


def _number(
    minimum: float, convert: Callable[[str], float], maximum: float = math.inf
) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value) or value < minimum:
            raise argparse.ArgumentTypeError(f"must be a finite number >= {minimum:g}: {text!r}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be <= {maximum:g}: {text!r}")
        return value

    return parse


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0: {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _usage_error(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """``parse`` with its ValueError turned into a usage error that shows the message."""

    def checked(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return checked


_fault = _usage_error(lambda text: parse_fault_spec(text).spec)
_scenario = _usage_error(parse_scenario)


def _dest(prefix: str, name: str) -> str:
    return (prefix + name).replace("-", "_")


def add_simulator_arguments(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """Add the simulator flags to ``parser``, each named ``--{prefix}NAME``.

    Adds ttft-ms, itl-ms, jitter, slots, output-tokens, default-output-tokens,
    reasoning-tokens, cache-hit, rpm-limit, tpm-limit, limit-burst-s,
    overload-above, overload-slope, tool-call-rate, tool-call-tokens, seed,
    model (repeatable), fault (repeatable) and scenario (repeatable; its specs
    join the faults).
    ``--host``/``--port`` are left to the caller, which knows whether a port
    makes sense for it.
    """
    defaults = SimulatorConfig()
    group = parser.add_argument_group("simulator" if not prefix else f"simulator ({prefix}*)")
    flag = "--" + prefix

    def add(name: str, kind: Callable[[str], Any], metavar: str, text: str) -> None:
        """A flag for the config field of the same name, defaulting to its default."""
        field = name.replace("-", "_")
        group.add_argument(
            flag + name,
            dest=_dest(prefix, field),
            type=kind,
            default=getattr(defaults, field),
            metavar=metavar,
            help=text,
        )

    add(
        "ttft-ms",
        _number(0.0, float),
        "MS",
        "mean time to first token, counted after any wait for a free slot (default: %(default)s)",
    )
    add(
        "itl-ms", _number(0.0, float), "MS", "mean gap between output tokens (default: %(default)s)"
    )
    add(
        "jitter",
        _number(0.0, float),
        "J",
        "relative spread of every delay: each is drawn log-normal with the configured mean "
        "and standard deviation J times it; 0 = exact (default: %(default)s)",
    )
    add(
        "slots",
        _count,
        "N",
        "concurrent generations; further requests queue in FIFO order and their TTFT "
        "includes the wait; 0 = unlimited (default: %(default)s)",
    )
    add(
        "output-tokens",
        _count,
        "N",
        "fixed answer length (never above the request's max tokens, less any reasoning); "
        "unset = the request's max tokens",
    )
    add(
        "default-output-tokens",
        _count,
        "N",
        f"answer length when neither --{prefix}output-tokens nor the request sets one "
        "(default: %(default)s)",
    )
    add(
        "reasoning-tokens",
        _count,
        "N",
        "reasoning tokens sent before the answer when a request turns reasoning on "
        "(Anthropic thinking, Gemini thinkingConfig, an OpenAI model named *reasoner*); "
        "they count within the request's max tokens (default: %(default)s)",
    )
    add(
        "cache-hit",
        _number(0.0, float, maximum=1.0),
        "F",
        "fraction 0..1 of each prompt's input tokens reported as cached (default: %(default)s)",
    )
    add(
        "rpm-limit",
        _number(0.0, float),
        "N",
        "server-side requests per minute: over it, a 429 with Retry-After and "
        "x-ratelimit-* headers on every response; 0 = none (default: %(default)s)",
    )
    add(
        "tpm-limit",
        _number(0.0, float),
        "N",
        "server-side tokens per minute, counting input + max tokens per request; "
        "0 = none (default: %(default)s)",
    )
    add(
        "limit-burst-s",
        _number(1e-3, float),
        "S",
        "seconds of each server-side limit that may arrive at once (default: %(default)s)",
    )
    add(
        "overload-above",
        _count,
        "N",
        "requests in flight above which arrivals may get the dialect's overload status "
        "(503, Anthropic 529); 0 = never (default: %(default)s)",
    )
    add(
        "overload-slope",
        _number(0.0, float, maximum=1.0),
        "P",
        "chance of that overload answer per request in flight above --"
        + prefix
        + "overload-above, capped at 1 (default: %(default)s)",
    )
    add(
        "tool-call-rate",
        _number(0.0, float, maximum=1.0),
        "F",
        "chance 0..1 that a request offering tools is answered with a call of one of them; "
        "a request whose last message is a tool result always gets text (default: %(default)s)",
    )
    add(
        "tool-call-tokens",
        _number(1.0, int),
        "N",
        "words in the argument of a simulated tool call (default: %(default)s)",
    )
    add("seed", _seed, "INT", "seed for latency jitter and probabilistic faults (default: random)")

    def repeatable(
        name: str, field: str, kind: Callable[[str], Any], metavar: str, text: str
    ) -> None:
        """A flag that may be given several times, collected in a list."""
        group.add_argument(
            flag + name,
            dest=_dest(prefix, field),
            action="append",
            type=kind,
            default=None,
            metavar=metavar,
            help=text,
        )

    repeatable(
        "model",
        "models",
        str,
        "NAME",
        "a model listed by GET /v1/models; repeatable (default: "
        + ", ".join(defaults.models)
        + "); requests may name any model",
    )
    repeatable(
        "fault",
        "faults",
        _fault,
        "SPEC",
        "inject a fault, KIND[:ARG][@SELECT][@t=START-END]: cut:K, stall:SECONDS, "
        "malformed, http:STATUS, 429:SECONDS, overload, blocked, wrong_usage:FACTOR, "
        "no_usage, reset, slow_headers:SECONDS; SELECT: p=FLOAT, n=INT, every=INT, next; "
        "t=: seconds since the simulator started; repeatable, first match wins",
    )
    repeatable(
        "scenario",
        "scenario",
        _scenario,
        "SCRIPT",
        "fault specs separated by ';', each optionally led by its time window, e.g. "
        "'0-30s ok; 30-60s 429:1@p=0.9; 60-90s ok' (a storm of 429s from 30 s to 60 s)",
    )


def simulator_config_from_args(namespace: argparse.Namespace, prefix: str = "") -> SimulatorConfig:
    """Build the config from flags added by :func:`add_simulator_arguments`.

    ``{prefix}host`` and ``{prefix}port`` are read too when the namespace has
    them; anything absent or None keeps the config default. Raises ValueError
    when a value is out of range.
    """
    settings: dict[str, Any] = {}
    for name in (
        "host",
        "port",
        "ttft_ms",
        "itl_ms",
        "jitter",
        "slots",
        "output_tokens",
        "default_output_tokens",
        "reasoning_tokens",
        "cache_hit",
        "rpm_limit",
        "tpm_limit",
        "limit_burst_s",
        "overload_above",
        "overload_slope",
        "tool_call_rate",
        "tool_call_tokens",
        "seed",
        "models",
        "faults",
    ):
        found = getattr(namespace, _dest(prefix, name), None)
        if found is not None:
            settings[name] = tuple(found) if name in ("models", "faults") else found
    # A scenario is only a way of writing fault specs: they join the others, in order.
    for script in getattr(namespace, _dest(prefix, "scenario"), None) or ():
        settings["faults"] = (*settings.get("faults", ()), *script)
    return SimulatorConfig(**settings)
