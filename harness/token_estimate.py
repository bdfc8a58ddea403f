"""An offline token estimate, for attempts whose provider reports no usage.

No tokenizer is downloaded or run: real tokenizers differ per model family and
fetching them would make a load test depend on the network. The estimate
follows one fixed rule instead, which matches the embedded simulator exactly
and lands in the right neighbourhood for real models on English text.

The rule
    Text is cut into pieces, and each piece counts as follows:

    * a run of ASCII letters (``_`` included) counts one token per started
      :data:`WORD_CHARS` characters: ``"load"`` is 1, a 30-letter identifier 3;
    * a run of ASCII digits counts one token per started :data:`DIGIT_CHARS`
      digits (BPE vocabularies cut long numbers into groups of about three);
    * every other character that is not ASCII whitespace is one token on its
      own: punctuation, symbols and *every non-ASCII character* (a CJK
      character, a curly quote, an emoji, an accented letter, which also
      splits the word it stands in);
    * ASCII whitespace counts nothing.

    So English prose lands near what BPE tokenizers count and CJK text near
    one token per character, while words in other alphabets (Cyrillic, Greek)
    are overestimated about twofold.

    The simulator's output token is one short word with a leading space, so
    an output of N tokens estimates as exactly N; a prompt of N
    space-separated words of up to 12 letters estimates as N input tokens,
    which is what the simulator counts (``harness/mock/tokens.py``).

Cost
    The count runs as a few whole-buffer ``bytes`` operations in C over the
    UTF-8 text, with no Python work per word: about 1 µs for a 32-token
    answer and 30 µs for a 1,000-word prompt.

Input
    :func:`estimate_input_tokens` adds up the ``content`` of every message:
    a string, or the ``"text"`` of each part of a list of content parts.
    Roles, names, tool definitions and the chat template's framing are not
    counted, so a real provider's input is typically a few tokens per message
    above the estimate.

Output
    A tool call is estimated from its name and its arguments' JSON text
    (whose braces and quotes each count), so tool-heavy traffic estimates
    above what a provider reports; the simulator counts its calls this way.
    The calls sent back in a tool round's input are not counted (only
    message contents are), on either side.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.contracts import Usage

#: A run of letters counts one token per started WORD_CHARS characters.
WORD_CHARS = 12
#: A run of digits counts one token per started DIGIT_CHARS digits.
DIGIT_CHARS = 3

_ASCII = [chr(code) for code in range(128)]
_LETTERS = bytes(code for code, ch in enumerate(_ASCII) if ch.isalpha() or ch == "_")
_DIGITS = bytes(code for code, ch in enumerate(_ASCII) if ch.isdigit())
_WHITESPACE = bytes(code for code, ch in enumerate(_ASCII) if ch.isspace())
# A non-ASCII character is one lead byte and one to three of these in UTF-8.
_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))
_NOT_SINGLE = _LETTERS + _WHITESPACE + _UTF8_CONTINUATION


def _run_table(members: bytes) -> bytes:
    """A bytes.translate table: ``members`` become b"a", every other byte b" "."""
    return bytes(ord("a") if code in members else ord(" ") for code in range(256))


_LETTER_RUNS = _run_table(_LETTERS)
_DIGIT_RUNS = _run_table(_DIGITS)


def estimate_text_tokens(text: str) -> int:
    """Tokens in ``text`` under the module's rule."""
    if not text:
        return 0
    # surrogatepass: a lone surrogate still counts as one character, never raises.
    data = text.encode("utf-8", "surrogatepass")
    # Digits, punctuation and one lead byte per non-ASCII character; short in prose.
    singles_and_digits = data.translate(None, _NOT_SINGLE)
    singles = len(singles_and_digits.translate(None, _DIGITS))
    count = singles + _run_tokens(data.translate(_LETTER_RUNS), WORD_CHARS)
    if singles < len(singles_and_digits):  # the text has digits
        count += _run_tokens(data.translate(_DIGIT_RUNS), DIGIT_CHARS)
    return count


def _run_tokens(runs: bytes, chars_per_token: int) -> int:
    """Tokens of the b"a" runs in ``runs`` (b" " between them)."""
    count = runs.count(b" a") + runs.startswith(b"a")
    if b"a" * (chars_per_token + 1) in runs:
        # Rare: some run spans more than one token.
        count += sum((len(run) - 1) // chars_per_token for run in runs.split())
    return count


def content_text(content: Any) -> str:
    """The text of one message ``content``: a string, or the parts' ``"text"`` fields.

    Parts are joined with a space so words in neighbouring parts never merge.
    """
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [part.get("text") for part in content if isinstance(part, dict)]
        return " ".join(text for text in texts if isinstance(text, str))
    return ""


def estimate_input_tokens(messages: Iterable[Any]) -> int:
    """Estimated prompt tokens of a list of chat messages (contents only)."""
    return sum(
        estimate_text_tokens(content_text(message.get("content")))
        for message in messages
        if isinstance(message, dict)
    )


def estimate_usage(messages: Iterable[Any], answer_text: str, reasoning_text: str = "") -> Usage:
    """A Usage marked ``estimated``: prompt from ``messages``, output from the texts.

    ``answer_text`` holds everything generated except reasoning (content and
    tool calls); output tokens include reasoning, as the Usage contract says.
    """
    reasoning = estimate_text_tokens(reasoning_text)
    return Usage(
        input_tokens=estimate_input_tokens(messages),
        output_tokens=estimate_text_tokens(answer_text) + reasoning,
        reasoning_tokens=reasoning,
        source="estimated",
    )
