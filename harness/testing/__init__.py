"""A conformance kit for provider adapters, to run in a plugin's own pytest suite.

Subclass :class:`ProviderConformance` in a test module, name the subclass
``Test...``, and describe your wire format with canonical responses::

    from harness.contracts import Usage
    from harness.testing import ErrorCase, ProviderConformance, SuccessCase, Transcript, sse_event

    from harness_myprovider import MyAdapter


    class TestMyAdapterConformance(ProviderConformance):
        adapter = MyAdapter()
        model = "my-model"
        streaming = SuccessCase(
            transcript=Transcript.sse(
                sse_event({"t": "Hel"}, event="token"),
                sse_event({"t": "lo"}, event="token"),
                sse_event({"stop": "end", "in": 4, "out": 2}, event="done"),
            ),
            text="Hello",
            usage=Usage(input_tokens=4, output_tokens=2),
            finish_reason="end",
        )
        non_streaming = SuccessCase(
            transcript=Transcript.json({"output": "Hello", "stop": "end", "in": 4, "out": 2}),
            text="Hello",
            usage=Usage(input_tokens=4, output_tokens=2),
            finish_reason="end",
        )
        error_cases = [
            ErrorCase(429, {"Retry-After": "3"}, {"code": "slow_down"}, "rate_limited", 3.0),
            ErrorCase(503, {}, {"code": "busy"}, "overloaded"),
        ]
        simulator_dialect = None  # or the name of a dialect the simulator serves

Class attributes:

``adapter`` (required)
    The adapter instance under test.
``streaming``, ``non_streaming`` (required)
    :class:`SuccessCase`: a :class:`Transcript`, the expected ``text``,
    normalized ``usage``, ``finish_reason`` and, optionally,
    ``output_events``: how many output events the record counts. Give a streaming transcript one
    piece per event: the broken-stream checks cut it between pieces.
``error_cases``
    :class:`ErrorCase` ``(status, headers, body, kind, retry_after_s=None,
    name="")``, one test each.
``model``
    The model name sent (default ``"conformance-model"``).
``simulator_dialect``
    The name of the embedded simulator's dialect that speaks this format
    (``"openai"``, ``"anthropic"``, ``"gemini"``, ``"echo"``), or None (default) to skip
    the live check.
``base_path``
    Appended to the server's URL to form the target's ``base_url`` (default
    ``""``), for adapters that expect a path such as ``/v1`` in it.
``broken_stream_pieces``
    How many pieces of the streaming transcript go out before the break
    (default half of them; it must fall before the final event).

Override ``make_request(stream)`` to change the :class:`ChatRequest` every
check sends (by default two messages of eight words, ``max_tokens=8``).

The inherited tests drive the adapter through the harness's real path
(``ChatClient`` and ``HttpTransport``) against a :class:`TranscriptServer`
on loopback that replays those responses, and check: streaming and
non-streaming success (text, output events, normalized usage, finish
reason); each error case (``ErrorInfo.kind``, ``retry_after_s``,
``retryable`` as :func:`harness.errors.is_retryable` says, ``http_status``);
a stream cut mid-way and one that ends without its last events (a failed
record of kind ``stream_broken`` or ``protocol``, never an exception); the
API key (sent in a header, never in the body or URL, and absent from every
record and exception even when an error body echoes it). With
``simulator_dialect`` set, live calls against the embedded simulator must
also succeed and report exactly the usage it served.

A failed check says which check, what it expected and what the adapter
produced, e.g. ``error case 429 rate_limit_exceeded: expected kind
'rate_limited', adapter classified it as 'server'``.

Importing this module does not need gevent monkey-patching: the transport
uses gevent's own sockets, and the transcript server runs on threads (real
ones, or greenlets when the process is patched).
"""

from __future__ import annotations

from .cases import ErrorCase, SuccessCase
from .conformance import ProviderConformance
from .server import ReceivedRequest, TranscriptServer
from .transcripts import Transcript, sse_event

__all__ = [
    "ErrorCase",
    "ProviderConformance",
    "ReceivedRequest",
    "SuccessCase",
    "Transcript",
    "TranscriptServer",
    "sse_event",
]
