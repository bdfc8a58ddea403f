"""The raw JSONL record file: one RequestRecord per line, the run's source of truth.

Reading tolerates exactly one kind of damage: a last line cut short by a
writer that was killed mid-write. Any other malformed line is an error that
names the file and line, because silently dropping records would skew every
number rebuilt from them.
"""

from __future__ import annotations

import gzip
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson

from harness.contracts import RequestRecord


class RecordFileError(ValueError):
    """A malformed line in a record file; the message reads ``file:line: problem``."""


class TruncatedRecordWarning(UserWarning):
    """The last line of a record file was cut short and skipped."""


_RECORD_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE


class JsonlRecordWriter:
    """Writes RequestRecords as JSON lines, each handed to the OS as it is written.

    Writing each record straight to the OS means a killed process loses
    at most the line being written; no fsync, which would cost a disk round
    trip per request. The file is truncated unless ``append`` is set, so
    rerunning into the same path never mixes two runs.

    With ``gzip`` the file is one gzip stream, sync-flushed after every line:
    each record still reaches the OS whole (a reader decompresses everything
    up to the last complete line of a killed run) while the compressor keeps
    its dictionary, so long runs shrink several times over.
    """

    def __init__(self, path: str | Path, *, append: bool = False, gzip: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Unbuffered: one write system call per record, no separate flush.
        mode = "ab" if append else "wb"
        self._file: IO[bytes] = open(self.path, mode, buffering=0)  # noqa: SIM115
        self._compressed = _GzipLines(self._file, mode) if gzip else None
        self.written = 0

    def write(self, record: RequestRecord) -> None:
        # orjson serializes the dataclass itself, 30 times faster than via to_dict(),
        # to the same bytes (integer ITL bucket keys become strings either way).
        line = orjson.dumps(record, option=_RECORD_OPTIONS)
        if self._compressed is None:
            self._file.write(line)
        else:
            self._compressed.write(line)
        self.written += 1

    def close(self) -> None:
        if self._compressed is not None:
            self._compressed.close()
        self._file.close()

    def __enter__(self) -> JsonlRecordWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _GzipLines:
    """A gzip stream over ``raw`` that hands each line to the OS as a sync-flushed block."""

    def __init__(self, raw: IO[bytes], mode: str) -> None:
        # mtime=0: the same records give the same bytes.
        self._stream = gzip.GzipFile(fileobj=raw, mode=mode, mtime=0)

    def write(self, line: bytes) -> None:
        self._stream.write(line)
        self._stream.flush(zlib.Z_SYNC_FLUSH)

    def close(self) -> None:
        # Writes the gzip trailer; the raw file stays open for its owner to close.
        self._stream.close()


def read_records(
    paths: Iterable[str | Path],
    on_truncated: Callable[[str], None] | None = None,
) -> Iterator[RequestRecord]:
    """Yield the records of every file in turn; ``.gz`` files are decompressed.

    A truncated last line is skipped and reported as ``file:line: message`` to
    ``on_truncated`` (by default a :class:`TruncatedRecordWarning`). Any other
    malformed line raises :class:`RecordFileError`.
    """
    report = on_truncated or _warn_truncated
    for path in paths:
        yield from _read_file(Path(path), report)


def _warn_truncated(message: str) -> None:
    warnings.warn(message, TruncatedRecordWarning, stacklevel=2)


def _read_file(path: Path, on_truncated: Callable[[str], None]) -> Iterator[RequestRecord]:
    def truncated(at_line: int, problem: str) -> None:
        on_truncated(f"{path}:{at_line}: truncated last line skipped ({problem})")

    with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as lines:
        yield from parse_lines(path, lines, truncated)


def parse_lines(
    path: Path, lines: Iterable[bytes], on_truncated: Callable[[int, str], None]
) -> Iterator[RequestRecord]:
    """The records of ``lines`` (numbered from 1) of the file ``path``.

    A last line cut short goes to ``on_truncated(line, problem)``; any other
    malformed line raises :class:`RecordFileError` naming ``path`` and line.
    """
    lineno = 0
    try:
        for lineno, line in enumerate(lines, start=1):
            # isspace(), not strip(): no copy of every line just to find blank ones.
            if line.isspace():
                continue
            try:
                record = _parse(line)
            except ValueError as exc:
                # Only a file's last line can lack its newline: a cut-off write.
                if not line.endswith(b"\n"):
                    on_truncated(lineno, str(exc))
                    return
                raise RecordFileError(f"{path}:{lineno}: {exc}") from exc
            yield record
    except EOFError as exc:
        # A gzip stream without its end (a killed writer): every complete line was read.
        on_truncated(lineno + 1, f"compressed stream cut short: {exc}")


def _parse(line: bytes) -> RequestRecord:
    try:
        data: Any = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    try:
        record = RequestRecord.from_dict(data)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a RequestRecord: {exc}") from exc
    _check_types(record)
    return record


def _check_types(record: RequestRecord) -> None:
    # from_dict trusts its input; these are the fields every aggregate relies on.
    # Each check first asks for the exact type JSON gives: it runs for every record read.
    started_at = record.started_at
    if type(started_at) is not float and (
        isinstance(started_at, bool) or not isinstance(started_at, (int, float))
    ):
        raise ValueError(f"started_at must be a number, got {started_at!r}")
    if type(record.ok) is not bool:  # bool has no subclasses
        raise ValueError(f"ok must be true or false, got {record.ok!r}")
    if type(record.target) is not str and not isinstance(record.target, str):
        raise ValueError(f"target must be a string, got {record.target!r}")
