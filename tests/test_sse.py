from __future__ import annotations

import random

from harness.sse import COMMENT_EVENT, SSEDecoder


def decode(*blocks: bytes) -> list[tuple[str, str, float]]:
    decoder = SSEDecoder()
    out = []
    for t, block in enumerate(blocks):
        out += [(e.event, e.data, e.received_at) for e in decoder.feed(block, float(t))]
    out += [(e.event, e.data, e.received_at) for e in decoder.close(99.0)]
    return out


def test_events_dispatch_on_blank_line_with_arrival_time_of_completing_block() -> None:
    events = decode(b'data: {"a":1}\n\ndata: par', b"tial\n\n")
    assert events == [("message", '{"a":1}', 0.0), ("message", "partial", 1.0)]


def test_multiline_data_joins_with_newline_and_event_name_is_kept() -> None:
    events = decode(b"event: message_start\ndata: one\ndata: two\n\n")
    assert events == [("message_start", "one\ntwo", 0.0)]


def test_crlf_and_lone_cr_line_endings_including_crlf_split_across_blocks() -> None:
    events = decode(b"data: a\r\n\r\ndata: b\r", b"\n\r\ndata: c\r\r")
    assert [data for _, data, _ in events] == ["a", "b", "c"]


def test_comments_surface_as_comment_events() -> None:
    events = decode(b": keep-alive\n\ndata: x\n\n")
    assert events[0][:2] == (COMMENT_EVENT, "keep-alive")
    assert events[1][:2] == ("message", "x")


def test_field_without_space_and_unknown_fields() -> None:
    events = decode(b"data:tight\nretry: 100\nfoo: bar\n\n")
    assert events == [("message", "tight", 0.0)]


def test_final_event_without_blank_line_is_dispatched_at_close() -> None:
    events = decode(b"data: last")
    assert events == [("message", "last", 99.0)]


def test_event_field_alone_does_not_dispatch() -> None:
    assert decode(b"event: ping\n\n") == []


def test_partial_state_is_visible() -> None:
    decoder = SSEDecoder()
    list(decoder.feed(b"data: half", 0.0))
    assert decoder.has_partial_event
    list(decoder.feed(b"\n\n", 1.0))
    assert not decoder.has_partial_event


def test_extra_blank_lines_and_comments_between_single_line_events() -> None:
    events = decode(b"data: x\n\n\n: ping\ndata: y\n\n\n\ndata: z\n\n")
    assert [(name, data) for name, data, _ in events] == [
        ("message", "x"),
        (COMMENT_EVENT, "ping"),
        ("message", "y"),
        ("message", "z"),
    ]


def test_last_event_id_carries_over_blocks() -> None:
    decoder = SSEDecoder()
    first = decoder.feed(b"id: 7\ndata: a\n\n", 0.0)
    second = decoder.feed(b"data: b\n\n", 1.0)
    assert (first[0].id, second[0].id) == ("7", "7")


def test_block_of_plain_events_keeps_last_id_block_time_and_partial_tail() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 7\ndata: first\n\n", 0.0)[0].id == "7"
    events = decoder.feed(b"data: a\n\ndata: b\n\ndata:  c\n\ndata: par", 1.0)
    assert [(e.data, e.id, e.received_at) for e in events] == [
        ("a", "7", 1.0),
        ("b", "7", 1.0),
        (" c", "7", 1.0),
    ]
    assert [e.data for e in decoder.feed(b"tial\n\n", 2.0)] == ["partial"]


def test_any_split_of_any_stream_decodes_as_the_general_rules_do() -> None:
    rng = random.Random(7)
    pieces = [
        b'data: {"a":1}\n\n',
        b"data: plain text\n\n",
        b"data: \n\n",
        b"data:tight\n\n",
        b": keep-alive\n\n",
        b"event: ping\ndata: p\n\n",
        b"id: 9\ndata: with id\n\n",
        b"data: one\ndata: two\n\n",
        b"\n\n",
        b"data: crlf\r\n\r\n",
        "data: caf\u00e9 \u6f22\u5b57\n\n".encode(),
        b"data: bad \xff\xc3 bytes\n\n",  # invalid UTF-8 is replaced, never raises
        b"data: cut \xe6\xbc\n\n",  # a character cut short at the end of the field
    ]
    for _ in range(300):
        body = b"".join(rng.choices(pieces, k=rng.randint(1, 12)))
        if rng.random() < 0.3:
            body += b"data: unterminated"
        cuts = sorted(rng.sample(range(1, len(body)), k=min(len(body) - 1, rng.randint(0, 6))))
        decoder = SSEDecoder()
        pairs_decoder = SSEDecoder()
        events = []
        pairs = []
        for start, stop in zip([0, *cuts], [*cuts, len(body)], strict=True):
            events += decoder.feed(body[start:stop], 0.0)
            pairs += pairs_decoder.feed_pairs(body[start:stop])
        events += decoder.close(1.0)
        pairs += pairs_decoder.close_pairs()
        normalized = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        expected = SSEDecoder()._parse_event(normalized, 0.0)
        assert [(e.event, e.data, e.id) for e in events] == [
            (e.event, e.data, e.id) for e in expected
        ], body
        assert pairs == [(e.event, e.data) for e in expected], body
