"""Byte ranges of an uncompressed record file, so several processes can read one file.

A range starts at a line start and takes every line that starts before its
end; the ranges of :func:`line_aligned_slices` cover the file without
overlap, so the records of all of them are the file's records.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from harness.contracts import RequestRecord
from harness.records import parse_lines

#: How much of a slice is read at a time.
_BLOCK_BYTES = 1 << 20


def read_record_slice(
    path: Path, start: int, end: int, on_truncated: Callable[[int, str], None]
) -> Iterator[RequestRecord]:
    """The records on the lines of an uncompressed file that start in bytes [start, end).

    ``start`` must be the start of a line (see :func:`line_aligned_slices`).
    Line numbers are counted from the slice's first line: a malformed line
    raises :class:`RecordFileError` naming the line within the slice, and a
    truncated last line is passed to ``on_truncated(line, problem)``.
    """
    with open(path, "rb") as lines:
        lines.seek(start)
        yield from parse_lines(path, _lines_until(lines, end - start), on_truncated)


def line_aligned_slices(path: Path, parts: int) -> list[tuple[int, int]]:
    """About ``parts`` byte ranges of an uncompressed file, each starting at a line start."""
    size = path.stat().st_size
    bounds = [0]
    with open(path, "rb") as data:
        for part in range(1, parts):
            data.seek(max(size * part // parts, bounds[-1]))
            data.readline()  # on to the start of the next line
            bounds.append(min(data.tell(), size))
    bounds.append(size)
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def line_count(path: Path, end: int) -> int:
    """How many lines start before byte ``end``: the line number offset of a slice."""
    count = 0
    with open(path, "rb") as data:
        while data.tell() < end:
            count += data.read(min(1 << 24, end - data.tell())).count(b"\n")
    return count


def _lines_until(lines: IO[bytes], length: int) -> Iterator[bytes]:
    """The lines from the file position that start within the next ``length`` bytes.

    Whole blocks are read and split into lines by ``BytesIO`` iteration, in C:
    a Python loop counting each line's bytes cost more than reading it.
    """
    return itertools.chain.from_iterable(map(io.BytesIO, _line_blocks(lines, length)))


def _line_blocks(lines: IO[bytes], length: int) -> Iterator[bytes]:
    """Blocks of whole lines, as ``_lines_until`` describes (at least one line)."""
    while True:
        block = lines.read(min(max(length, 1), _BLOCK_BYTES))
        if not block:
            return
        if not block.endswith(b"\n"):
            block += lines.readline()  # the rest of the last line the block started
        yield block
        length -= len(block)
        if length <= 0:
            return
