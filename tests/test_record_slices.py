from __future__ import annotations

import itertools

from harness.contracts import RequestRecord
from harness.record_slices import line_aligned_slices, line_count, read_record_slice
from harness.records import JsonlRecordWriter


def test_slices_cover_every_record_once_in_order(tmp_path):
    path = tmp_path / "records.jsonl"
    with JsonlRecordWriter(path) as writer:
        for index in range(997):
            writer.write(
                RequestRecord(f"r{index}", 1, float(index), "t", "openai", "m", True, True)
            )

    for parts in (1, 2, 3, 7, 2000):
        slices = line_aligned_slices(path, parts)
        assert slices[0][0] == 0 and slices[-1][1] == path.stat().st_size
        assert all(a[1] == b[0] for a, b in itertools.pairwise(slices))
        ids = []
        for start, end in slices:
            # A slice's line numbers start after the lines before it.
            assert line_count(path, start) == len(ids)
            ids += [r.request_id for r in read_record_slice(path, start, end, lambda *_: None)]
        assert ids == [f"r{index}" for index in range(997)], parts
