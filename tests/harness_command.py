"""The ``harness`` command run in a child process, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HARNESS = [sys.executable, "-m", "harness.cli"]


def harness(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HARNESS, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
