"""The ``jsonl`` sink: every attempt appended to ``records.jsonl`` as it completes.

Always on: the raw records are the source of truth every report is rebuilt from.
With ``--records-gzip`` the file is ``records.jsonl.gz``, still flushed per record.
A Locust worker of a distributed run writes ``records-<worker id>.jsonl``.
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
        gzip = bool(context.options.get("records_gzip"))
        name = GZIP_RECORDS_FILE if gzip else RECORDS_FILE
        if context.worker_id is not None:
            # records-<worker>.jsonl: workers sharing a report directory never collide.
            stem, _, suffix = name.partition(".")
            name = f"{stem}-{context.worker_id}.{suffix}"
        return JsonlRecordWriter(context.report_dir / name, gzip=gzip)


@hookimpl
def harness_register_sinks(register: Callable[[Sink], None]) -> None:
    register(JsonlSink())
