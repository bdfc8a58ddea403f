from __future__ import annotations

import pytest

from harness.mock.tokens import count_input_tokens, output_text
from harness.token_estimate import (
    DIGIT_CHARS,
    WORD_CHARS,
    estimate_input_tokens,
    estimate_text_tokens,
    estimate_usage,
)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("load", 1),
        (" the load test", 3),
        ("Hello, world!", 4),  # two words, a comma, an exclamation mark
        ("snake_case_name", 2),  # "_" is part of a word: one 15-letter run
        ("a" * WORD_CHARS, 1),
        ("a" * (WORD_CHARS + 1), 2),
        ("a" * (3 * WORD_CHARS), 3),
        ("7", 1),
        ("1" * DIGIT_CHARS, 1),
        ("1" * (DIGIT_CHARS + 1), 2),
        ("2026-01-31", 6),  # "2026" is two tokens, "01" and "31" one each, two hyphens
        ("gpt4o", 3),  # letters, digits, letters
        ("日本語です", 5),  # one per CJK character
        ("who\u2019s", 3),  # a curly quote is one token and splits the word
        ("café", 2),  # as does any non-ASCII letter
        ("😀!", 2),
        ("x\ud800", 2),  # a lone surrogate counts, never raises
    ],
)
def test_rule(text: str, tokens: int) -> None:
    assert estimate_text_tokens(text) == tokens


@pytest.mark.parametrize("count", [0, 1, 7, 64, 65, 500])
def test_simulator_output_of_n_tokens_estimates_as_n(count: int) -> None:
    assert estimate_text_tokens(output_text(count)) == count


def test_prompt_of_n_plain_words_estimates_as_the_simulator_counts() -> None:
    messages = [
        {"role": "system", "content": "you review throughput reports"},
        {"role": "user", "content": [{"type": "text", "text": "latency\tbudget  queue\n"}]},
        {"role": "assistant", "content": output_text(9)},
        {"role": "user", "content": None},
    ]
    assert estimate_input_tokens(messages) == count_input_tokens(messages) == 4 + 3 + 9


def test_input_counts_text_parts_only_and_never_merges_neighbouring_parts() -> None:
    content = [
        {"type": "text", "text": "alpha"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        {"type": "text", "text": "beta"},
        "not a part",
    ]
    messages = [{"role": "user", "content": content, "name": "ignored"}, "not a message"]
    assert estimate_input_tokens(messages) == 2


def test_usage_estimate_counts_reasoning_inside_output() -> None:
    messages = [{"role": "user", "content": "one two three"}]
    usage = estimate_usage(messages, answer_text=" the load", reasoning_text=" test sends a")
    assert usage.source == "estimated"
    assert (usage.input_tokens, usage.output_tokens, usage.reasoning_tokens) == (3, 5, 3)
    assert (usage.cached_input_tokens, usage.cache_write_tokens) == (0, 0)
