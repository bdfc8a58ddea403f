from __future__ import annotations

import json
import random

import orjson

from harness.chunk_template import MAX_UNUSED_TEMPLATES, TextChunkTemplate, is_literal_json_text
from harness.stream_output import StreamOutput
from harness_plugins.openai_chat import OpenAIChatAdapter


def openai_chunk(content: str, ascii_only: bool = False, **delta: object) -> str:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {**delta, "content": content}, "finish_reason": None}],
        "usage": None,
    }
    return json.dumps(body, ensure_ascii=True) if ascii_only else orjson.dumps(body).decode()


def text_of(template: TextChunkTemplate, data: str) -> str | None:
    """The text of one chunk read through ``template``, None when it cannot be."""
    texts, end = template.take_texts([("message", data)], 0)
    return (texts[0] if texts else "") if end == 1 else None


def test_a_learned_envelope_reads_the_text_of_its_siblings() -> None:
    template = TextChunkTemplate.learn(openai_chunk("Hello"), "content", "Hello")
    assert template is not None
    assert text_of(template, openai_chunk(" world")) == " world"
    assert text_of(template, openai_chunk("")) == ""
    assert text_of(template, openai_chunk("caf\u00e9 \u6f22")) == "caf\u00e9 \u6f22"


def test_anything_that_needs_the_parser_is_refused() -> None:
    template = TextChunkTemplate.learn(openai_chunk("Hello"), "content", "Hello")
    assert template is not None
    assert text_of(template, openai_chunk('say "hi"')) is None  # escaped quote
    assert text_of(template, openai_chunk("two\nlines")) is None  # escape sequence
    assert text_of(template, openai_chunk("caf\u00e9", ascii_only=True)) is None  # \u00e9
    assert text_of(template, openai_chunk("x", role="assistant")) is None  # other envelope
    assert text_of(template, '{"choices":[],"usage":{"prompt_tokens":1}}') is None
    assert text_of(template, "[DONE]") is None
    # Only message events: a comment shaped like a token is still a comment.
    assert template.take_texts([("comment", openai_chunk("x"))], 0) == ([], 0)


def test_a_run_of_token_chunks_is_read_up_to_the_first_other_chunk() -> None:
    template = TextChunkTemplate.learn(openai_chunk("Hello"), "content", "Hello")
    assert template is not None
    chunks = [("message", openai_chunk(text)) for text in ("a", "", "b", 'q"q', "c")]
    assert template.take_texts(chunks, 0) == (["a", "b"], 3)
    assert template.take_texts(chunks, 4) == (["c"], 5)


def test_only_a_literal_single_text_field_makes_a_template() -> None:
    assert TextChunkTemplate.learn(openai_chunk("a\tb"), "content", "a\tb") is None
    assert TextChunkTemplate.learn(openai_chunk("caf\u00e9", True), "content", "caf\u00e9") is None
    spaced = '{"choices":[{"delta":{"content": "Hi"}}]}'
    assert TextChunkTemplate.learn(spaced, "content", "Hi") is None
    twice = '{"a":{"content":"Hi"},"b":{"content":"Hi"}}'
    assert TextChunkTemplate.learn(twice, "content", "Hi") is None
    assert TextChunkTemplate.learn(openai_chunk(""), "content", "") is None
    assert not is_literal_json_text("\x7f") and is_literal_json_text(" caf\u00e9/")


def test_chunks_read_through_templates_equal_the_full_parse() -> None:
    rng = random.Random(11)
    alphabet = ["a", "b", " ", "/", '"', "\\", "\n", "\u00e9", "\u6f22", "\U0001f600", "\u2028"]
    adapter = OpenAIChatAdapter()
    for _ in range(200):
        pieces = [
            "".join(rng.choices(alphabet, k=rng.randint(0, 4))) for _ in range(rng.randint(1, 30))
        ]
        chunks = [openai_chunk(p, ascii_only=rng.random() < 0.2) for p in pieces]
        if rng.random() < 0.5:
            chunks.insert(0, openai_chunk("", role="assistant"))
        out = StreamOutput()
        split = rng.randint(0, len(chunks))
        counted = adapter.parse_chunks([("message", c) for c in chunks[:split]], out)
        counted += adapter.parse_chunks([("message", c) for c in chunks[split:]], out)
        expected = [p for p in pieces if p]
        assert out.answer == expected, chunks
        assert counted == out.output_events == len(expected)


def test_a_stream_whose_chunks_differ_beyond_their_text_stops_learning() -> None:
    # Each chunk carries its own nonce, as OpenAI's "obfuscation" padding does.
    chunks = [("message", openai_chunk(f"t{i}", obfuscation=f"n{i}")) for i in range(20)]
    out = StreamOutput()
    assert OpenAIChatAdapter().parse_chunks(chunks, out) == 20
    assert out.answer == [f"t{i}" for i in range(20)]
    template = out.text_template
    assert template is not None and not template.used and template.retired
    assert template.unused_before == MAX_UNUSED_TEMPLATES - 1  # then it stopped trying


def test_a_first_token_in_another_envelope_does_not_stop_the_reading() -> None:
    # llama.cpp-style: the role comes with the first token, not in a chunk of its own.
    chunks = [("message", openai_chunk("Hi", role="assistant"))]
    chunks += [("message", openai_chunk(f" t{i}")) for i in range(10)]
    out = StreamOutput()
    OpenAIChatAdapter().parse_chunks(chunks, out)
    assert "".join(out.answer) == "Hi" + "".join(f" t{i}" for i in range(10))
    assert out.text_template is not None and out.text_template.used
    assert not out.text_template.retired
