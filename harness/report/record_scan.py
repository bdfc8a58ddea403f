"""scan_records: one pass over record files into a RunAggregate, on every core for big files.

Parsing JSON lines is most of the cost of rebuilding a report, and it
splits cleanly: an uncompressed file is cut into line-aligned byte ranges,
each range is aggregated in its own process, and the aggregates merge
exactly (see :class:`~harness.metrics.aggregate.RunAggregate`). Small inputs
stay in this process, where starting workers would cost more than it saves;
a gzip file cannot be cut and goes to one worker whole.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.contracts import RequestRecord
from harness.metrics.aggregate import RunAggregate
from harness.record_slices import line_aligned_slices, line_count, read_record_slice
from harness.records import RecordFileError, read_records

#: Below this many bytes in all, one process reads everything.
PARALLEL_FROM_BYTES = 32 * 2**20

#: (path, start, end); end None for a whole file (gzip, or small).
Piece = tuple[str, int, int | None]


@dataclass
class ObservedTargets:
    """What the records themselves say about targets and streaming.

    Kept as the set of distinct (target, provider, model, stream) the records
    showed: one set lookup per record, and a run has only a handful of them.
    """

    seen: set[tuple[str, str, str, bool]] = field(default_factory=set)

    def watch(self, records: Iterable[RequestRecord]) -> Iterator[RequestRecord]:
        """Pass ``records`` through, noting what each says about its target."""
        seen = self.seen
        for record in records:
            seen.add((record.target, record.provider, record.model, record.stream))
            yield record

    def merge(self, other: ObservedTargets) -> None:
        self.seen |= other.seen

    def describe(self) -> list[dict[str, Any]]:
        """Target.describe()-shaped dicts; the records never carry URLs or key names."""
        return [
            {
                "name": name,
                "provider": ", ".join(sorted({p for t, p, _, _ in self.seen if t == name})),
                "base_url": None,
                "model": ", ".join(sorted({m for t, _, m, _ in self.seen if t == name})),
                "api_key_env": None,
            }
            for name in sorted({target for target, _, _, _ in self.seen})
        ]

    @property
    def stream(self) -> bool | None:
        """True or False when every record agrees, None when mixed or empty."""
        modes = {stream for _, _, _, stream in self.seen}
        return next(iter(modes)) if len(modes) == 1 else None


@dataclass
class Scan:
    """Everything one pass over the records gives: the aggregate, targets, truncations."""

    aggregate: RunAggregate = field(default_factory=RunAggregate)
    observed: ObservedTargets = field(default_factory=ObservedTargets)
    #: ``file:line: message`` for each truncated tail skipped.
    truncated: list[str] = field(default_factory=list)


def scan_records(paths: Iterable[str | Path], processes: int | None = 1) -> Scan:
    """Read and aggregate every record of ``paths`` (several files merge).

    ``processes`` above 1 (None: every usable core) spread files over 32 MiB
    across worker processes. They are spawned, which re-imports the calling
    program's main module: a script must guard its entry point with
    ``if __name__ == "__main__"``, as for any multiprocessing. The ``harness``
    command does.
    """
    files = [Path(path) for path in paths]
    workers = processes if processes is not None else _usable_cores()
    if workers < 2 or sum(path.stat().st_size for path in files) < PARALLEL_FROM_BYTES:
        return _scan_in_process(files)
    pieces = _pieces(files, workers)
    if len(pieces) < 2:
        return _scan_in_process(files)
    # spawn, not fork: the caller may be a gevent-patched process (a test, a locustfile).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(workers - 1, 1), mp_context=context) as pool:
        shipped = [pool.submit(_scan_piece, piece) for piece in pieces[1:]]
        # This process reads the first piece meanwhile rather than wait idle.
        results = [_scan_piece(pieces[0]), *(future.result() for future in shipped)]
    scan = Scan()
    for piece, result in zip(pieces, results, strict=True):
        if result.failure is not None:
            # A slice numbers lines from its own start: read the file again for the real line.
            _raise_with_line_number(Path(piece[0]), result.failure)
        scan.aggregate.merge(result.aggregate)
        scan.observed.merge(result.observed)
        scan.truncated += [
            _truncated_message(piece, line, problem) for line, problem in result.truncated
        ]
    return scan


def _scan_in_process(files: list[Path]) -> Scan:
    scan = Scan()
    records = read_records(files, on_truncated=scan.truncated.append)
    scan.aggregate.add_all(scan.observed.watch(records))
    return scan


def _usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _pieces(files: list[Path], workers: int) -> list[Piece]:
    pieces: list[Piece] = []
    for path in files:
        if path.suffix == ".gz":
            pieces.append((str(path), 0, None))
        else:
            pieces += [(str(path), a, b) for a, b in line_aligned_slices(path, workers)]
    return pieces


@dataclass
class PieceScan:
    """What one piece gave: its aggregate, its targets, its truncated tail, or its failure."""

    aggregate: RunAggregate
    observed: ObservedTargets
    #: (line within the piece, problem); line 0 when the message is already whole.
    truncated: list[tuple[int, str]]
    failure: str | None = None


def _scan_piece(piece: Piece) -> PieceScan:
    """The aggregate of one piece; run in a worker process, or in this one."""
    path, start, end = piece
    result = PieceScan(RunAggregate(), ObservedTargets(), [])
    if end is None:
        records = read_records([path], on_truncated=lambda text: result.truncated.append((0, text)))
    else:
        records = read_record_slice(
            Path(path), start, end, lambda line, problem: result.truncated.append((line, problem))
        )
    # Aggregates hold no reference cycles; the collector would only walk the
    # millions of short-lived record objects again and again.
    gc.disable()
    try:
        result.aggregate.add_all(result.observed.watch(records))
    except RecordFileError as exc:
        result.failure = str(exc)
    finally:
        gc.enable()
    return result


def _truncated_message(piece: Piece, line: int, problem: str) -> str:
    path, start, end = piece
    if end is None:
        return problem  # read_records wrote the whole message
    lineno = line_count(Path(path), start) + line
    return f"{path}:{lineno}: truncated last line skipped ({problem})"


def _raise_with_line_number(path: Path, failure: str) -> None:
    for _ in read_records([path], on_truncated=lambda message: None):
        pass
    raise RecordFileError(failure)  # not reached: the same line fails again
