"""The ``jsonl`` sink: every attempt appended to ``records.jsonl`` as it completes.

Always on: the raw records are the source of truth every report is rebuilt from.
"""

from __future__ import annotations

from collections.abc import Callable

from harness import hookimpl
from harness.contracts import Sink, SinkContext
from harness.records import JsonlRecordWriter

RECORDS_FILE = "records.jsonl"


class JsonlSink:
    name = "jsonl"

    def open(self, context: SinkContext) -> JsonlRecordWriter:
        return JsonlRecordWriter(context.report_dir / RECORDS_FILE)


@hookimpl
def harness_register_sinks(register: Callable[[Sink], None]) -> None:
    register(JsonlSink())
