"""The ``jsonl`` sink: every attempt appended to ``records.jsonl`` as it completes.

Always on: the raw records are the source of truth every report is rebuilt from.
With ``--records-gzip`` the file is ``records.jsonl.gz``, still flushed per record.
"""

from __future__ import annotations

from collections.abc import Callable

from harness import hookimpl
from harness.contracts import Sink, SinkContext
from harness.records import JsonlRecordWriter

RECORDS_FILE = "records.jsonl"
GZIP_RECORDS_FILE = "records.jsonl.gz"


class JsonlSink:
    name = "jsonl"

    def open(self, context: SinkContext) -> JsonlRecordWriter:
        if context.options.get("records_gzip"):
            return JsonlRecordWriter(context.report_dir / GZIP_RECORDS_FILE, gzip=True)
        return JsonlRecordWriter(context.report_dir / RECORDS_FILE)


@hookimpl
def harness_register_sinks(register: Callable[[Sink], None]) -> None:
    register(JsonlSink())
