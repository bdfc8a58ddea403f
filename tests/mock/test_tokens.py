from __future__ import annotations

from harness.mock.tokens import (
    VOCABULARY,
    count_input_tokens,
    count_words,
    output_text,
    output_token,
)


def test_input_tokens_count_words_of_string_contents() -> None:
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "  what   is\tthe\ncapital  "},
    ]
    assert count_input_tokens(messages) == 3 + 4


def test_input_tokens_count_text_parts_only() -> None:
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "two words"},
                {"type": "image_url", "image_url": {"url": "data:..."}},
                {"type": "text", "text": "three more words"},
            ],
        }
    ]
    assert count_input_tokens(messages) == 5


def test_input_tokens_ignore_everything_outside_content() -> None:
    messages = [
        {"role": "assistant", "content": None, "tool_calls": [{"id": "x y z"}]},
        {"role": "tool", "name": "many words here"},
        "not a message",
        {"role": "user", "content": ""},
    ]
    assert count_input_tokens(messages) == 0


def test_output_tokens_are_one_word_each_with_a_leading_space() -> None:
    tokens = [output_token(i) for i in range(3 * len(VOCABULARY))]
    assert all(t.startswith(" ") and count_words(t) == 1 for t in tokens)
    assert tokens[0] == tokens[len(VOCABULARY)]


def test_output_text_is_deterministic_and_counts_back_as_its_length() -> None:
    assert output_text(200) == output_text(200)
    assert count_words(output_text(200)) == 200
    assert output_text(0) == ""
    assert count_input_tokens([{"role": "assistant", "content": output_text(37)}]) == 37
