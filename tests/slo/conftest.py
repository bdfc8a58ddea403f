"""A record factory for the SLO tests (as tests/metrics' make_record)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from harness.contracts import RequestRecord

RecordFactory = Callable[..., RequestRecord]


@pytest.fixture
def make_record() -> RecordFactory:
    """A successful streaming attempt on target "a"; keyword arguments override fields."""
    ids = itertools.count(1)

    def build(**overrides: Any) -> RequestRecord:
        fields: dict[str, Any] = {
            "request_id": f"r{next(ids)}",
            "attempt": 1,
            "started_at": 1000.0,
            "target": "a",
            "provider": "openai",
            "model": "m",
            "stream": True,
            "ok": True,
        }
        fields.update(overrides)
        return RequestRecord(**fields)

    return build
