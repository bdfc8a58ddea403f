from __future__ import annotations

import orjson

from harness.contracts import ErrorInfo
from harness.metrics.error_samples import MESSAGE_CHARS, SAMPLES_PER_KIND, ErrorSamples


def failure(make_record, kind: str, message: str, status: int | None = None):
    return make_record(ok=False, error=ErrorInfo(kind=kind, message=message, http_status=status))


def test_first_distinct_messages_per_kind_with_counts(make_record):
    samples = ErrorSamples()
    for index in range(10):
        samples.add(failure(make_record, "server", f"upstream {index % 5}", 502))
    samples.add(failure(make_record, "timeout", "no byte for 5 s"))
    samples.add(make_record(ok=False))  # a failure without ErrorInfo

    summary = samples.summary()
    assert list(summary) == ["server", "timeout", "unknown"]
    assert len(summary["server"]) == SAMPLES_PER_KIND
    assert summary["server"][0] == {"message": "upstream 0", "count": 2, "http_status": 502}
    assert summary["timeout"] == [{"message": "no byte for 5 s", "count": 1, "http_status": None}]


def test_messages_are_redacted_and_cut(make_record):
    samples = ErrorSamples()
    samples.add(failure(make_record, "auth", "invalid key sk-live-0123456789abcdefXYZ"))
    samples.add(failure(make_record, "server", "<html>" + "x" * 5000))

    summary = samples.summary()
    assert summary["auth"][0]["message"] == "invalid key ***"
    assert len(summary["server"][0]["message"]) == MESSAGE_CHARS


def test_merge_adds_counts_and_round_trips(make_record):
    one, two = ErrorSamples(), ErrorSamples()
    one.add(failure(make_record, "server", "boom", 500))
    two.add(failure(make_record, "server", "boom", 500))
    two.add(failure(make_record, "server", "bang", 503))

    one.merge(ErrorSamples.from_dict(orjson.loads(orjson.dumps(two.to_dict()))))

    assert one.summary()["server"] == [
        {"message": "boom", "count": 2, "http_status": 500},
        {"message": "bang", "count": 1, "http_status": 503},
    ]
