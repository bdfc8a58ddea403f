"""The simulator's token rules: how it counts input and what text it generates.

Input tokens
    The simulator does not run a tokenizer. Its input token count is the total
    number of whitespace-separated words (``str.split()`` with no argument)
    across the ``content`` of every message in the request:

    * a string ``content`` counts its words;
    * a list ``content`` (OpenAI "content parts") counts the words of every
      part's string ``"text"`` field, an Anthropic ``tool_result`` block
      the words of its own ``content`` (the same rules), a Gemini
      ``functionResponse`` part the words of the string values of its
      ``response``; other parts (images, audio, tool calls) count 0;
    * a missing or ``null`` content counts 0, and so does everything outside
      ``content`` (roles, names, tool calls, the model name).

    So a prompt generator that wants the simulator to report ``N`` prompt
    tokens builds messages whose contents hold ``N`` words in total.

Output tokens
    Output token ``i`` (0-based) is one short lowercase word with a leading
    space, taken from :data:`VOCABULARY` in a fixed order. The text is the
    same for every request, so runs are reproducible, and an output of ``N``
    tokens is exactly ``N`` words: fed back as an assistant message in a later
    turn, it counts as ``N`` input tokens under the rule above.

Reasoning and cache
    A reasoning phase of ``R`` tokens (simulator setting ``reasoning_tokens``,
    when the request turns reasoning on) is the words ``0 .. R-1`` of the same
    sequence; the answer then starts again at word 0, so the answer text never
    depends on the reasoning. Output counts include the reasoning. With the
    setting ``cache_hit = f`` the first ``floor(f * input_tokens)`` input tokens
    are reported as read from a cache, still counted inside the input.

Tool calls
    A simulated tool call (see :mod:`.tool_calls`) counts, as output, the
    tokens of its name plus those of its arguments' JSON text under the
    harness's offline estimate rule (:func:`rule_tokens`, the rule of
    ``harness/token_estimate.py``, rewritten here because this package imports
    nothing else from ``harness``): so the usage the simulator reports for a
    tool call equals what the harness estimates from the call it assembled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import orjson

# One syllable or two, all ASCII: JSON-encodes to itself with no escapes.
VOCABULARY: tuple[str, ...] = (
    "the", "load", "test", "sends", "a", "prompt", "and", "waits", "for", "each",
    "token", "to", "stream", "back", "from", "model", "while", "clock", "ticks",
    "on", "every", "chunk", "so", "we", "learn", "how", "fast", "server", "can",
    "answer", "when", "many", "users", "ask", "at", "once", "then", "report",
    "shows", "time", "first", "gap", "between", "words", "rate", "of", "all",
    "calls", "with", "cost", "in", "plain", "view", "under", "real", "traffic",
    "slow", "queue", "grows", "as", "slots", "fill", "up", "again",
)  # fmt: skip


# The JSON string of every output token, encoded once at import: stream
# encoders splice these between byte templates instead of serializing per token.
TOKEN_JSON: tuple[bytes, ...] = tuple(orjson.dumps(" " + word) for word in VOCABULARY)


def token_json(index: int) -> bytes:
    """Output token ``index`` (0-based) as a JSON string."""
    return TOKEN_JSON[index % len(TOKEN_JSON)]


def output_token(index: int) -> str:
    """The text of output token ``index`` (0-based): a space and one word."""
    return " " + VOCABULARY[index % len(VOCABULARY)]


def output_text(count: int) -> str:
    """The full text of an output of ``count`` tokens."""
    return "".join(output_token(i) for i in range(count))


def count_words(text: str) -> int:
    """Words in ``text``, split on any run of whitespace."""
    return len(text.split())


def content_words(content: Any) -> int:
    """Words in one message ``content`` (string, list of parts, or absent)."""
    if isinstance(content, str):
        return count_words(content)
    if isinstance(content, list):
        return sum(_part_words(part) for part in content if isinstance(part, dict))
    return 0


def _part_words(part: dict[str, Any]) -> int:
    text = part.get("text")
    if isinstance(text, str):
        return count_words(text)
    if part.get("type") == "tool_result":
        return content_words(part.get("content"))
    response = part.get("functionResponse")
    if isinstance(response, dict) and isinstance(response.get("response"), dict):
        values = response["response"].values()
        return sum(count_words(value) for value in values if isinstance(value, str))
    return 0


# Runs of ASCII letters (and _), runs of ASCII digits, or any other single
# character that is not ASCII whitespace (str.isspace() over ASCII).
_RULE_PIECES = re.compile(r"[A-Za-z_]+|[0-9]+|[^\t\n\x0b\x0c\r\x1c-\x1f ]")


def rule_tokens(text: str) -> int:
    """Tokens of ``text`` under the harness's estimate rule: a letter run one per
    started 12 letters, a digit run one per started 3 digits, any other
    non-whitespace character one."""
    total = 0
    for piece in _RULE_PIECES.findall(text):
        first = piece[0]
        if first.isascii() and (first.isalpha() or first == "_"):
            total += math.ceil(len(piece) / 12)
        elif first.isascii() and first.isdigit():
            total += math.ceil(len(piece) / 3)
        else:
            total += 1
    return total


def count_input_tokens(messages: Iterable[Any]) -> int:
    """The simulator's prompt token count for a list of chat messages."""
    total = 0
    for message in messages:
        if isinstance(message, dict):
            total += content_words(message.get("content"))
    return total
