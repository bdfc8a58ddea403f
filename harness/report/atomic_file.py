"""Replace a file in one step, so readers never see it half written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

REPORT_FILE_MODE = 0o644


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same directory.

    ``os.replace`` within one filesystem is atomic: ``path`` holds either its
    old content or all of ``data``. On failure the temp file is removed and
    the error propagates.
    """
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp creates owner-only files; a report is meant to be shared.
        os.fchmod(handle, REPORT_FILE_MODE)
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
