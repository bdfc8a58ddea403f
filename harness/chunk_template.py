"""Reading a token chunk's text without parsing its JSON, when that is provably the same.

Streaming servers wrap each token in the same JSON envelope: within one
stream, consecutive chunks differ only in the text. Once a chunk has been
parsed in full and found to carry nothing but one text field, its bytes
before and after that text are a template. A later chunk that starts and
ends with exactly those bytes, and whose middle has no ``"``, no ``\\`` and
no control character, is the same JSON document with another string there:
a JSON string without those characters means its characters literally. So
its text is the middle, and every other field is what the full parse found.
Anything else (another envelope, an escape, a usage or finish chunk) goes to
the full parse, which stays the authority. This saves a parse and a
dictionary walk per token, the largest part of a chunk parser's time.
"""

from __future__ import annotations

from collections.abc import Sequence


def is_literal_json_text(text: str) -> bool:
    """True when ``text`` needs no escape inside a JSON string (so it reads literally)."""
    return '"' not in text and "\\" not in text and text.isprintable()


#: Templates a stream may learn in a row without reading a chunk through any:
#: past that, its chunks differ in more than their text (a nonce or padding per
#: chunk, as OpenAI's ``obfuscation`` field) and learning would only cost time.
MAX_UNUSED_TEMPLATES = 3


class TextChunkTemplate:
    """The bytes around the one text field of a chunk that carried only that text."""

    __slots__ = ("_cut", "prefix", "retired", "suffix", "unused_before", "used")

    def __init__(self, prefix: str, suffix: str) -> None:
        self.prefix = prefix
        self.suffix = suffix
        self._cut = len(suffix)
        #: Whether any chunk was read through this template.
        self.used = False
        #: Templates learned just before this one that were never used.
        self.unused_before = 0
        #: Set when the stream gave up on templates: neither try nor replace it.
        self.retired = False

    def next_for(self, data: str, key: str, text: str) -> TextChunkTemplate:
        """The template after ``data`` (only ``key`` = ``text``) did not fit this one.

        A new one learned from ``data``; or, when too many in a row went unused,
        this one retired.
        """
        unused = 0 if self.used else self.unused_before + 1
        if unused >= MAX_UNUSED_TEMPLATES:
            self.retired = True
            return self
        learned = TextChunkTemplate.learn(data, key, text)
        if learned is None:
            return self
        learned.unused_before = unused
        return learned

    @classmethod
    def learn(cls, data: str, key: str, text: str) -> TextChunkTemplate | None:
        """The template of ``data``, a chunk whose full parse found only ``key`` = ``text``.

        None when the text is not written literally, or the key is not written
        exactly once as ``"key":"``: the chunk is then no template.
        """
        if not text or not is_literal_json_text(text):
            return None
        opening = f'"{key}":"'
        start = data.find(opening)
        if start < 0 or data.find(opening, start + 1) >= 0:
            return None
        start += len(opening)
        end = start + len(text)
        if data[start:end] != text or data[end : end + 1] != '"':
            return None
        return cls(data[:start], data[end:])

    def take_texts(self, chunks: Sequence[tuple[str, str]], start: int) -> tuple[list[str], int]:
        """The texts of the run of ``(event, data)`` chunks from ``start`` made from this template.

        Returns the non-empty texts (an empty one carries nothing) and the index
        of the first chunk that is not such a ``message`` event (``len(chunks)``
        at the end). One call per run: this is the per-token path.
        """
        prefix, suffix = self.prefix, self.suffix
        lead, cut = len(prefix), self._cut
        texts: list[str] = []
        end_of_run = len(chunks)
        for index in range(start, end_of_run):
            event, data = chunks[index]
            if event != "message" or not (data.startswith(prefix) and data.endswith(suffix)):
                end_of_run = index
                break
            end = len(data) - cut
            if end < lead:  # prefix and suffix overlap: not this envelope
                end_of_run = index
                break
            text = data[lead:end]
            # is_literal_json_text, inline.
            if '"' in text or "\\" in text or not text.isprintable():
                end_of_run = index
                break
            if text:
                texts.append(text)
        if end_of_run > start:
            self.used = True
        return texts, end_of_run
