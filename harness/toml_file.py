"""read_toml: a TOML file as a dict, or one HarnessConfigError naming the file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from harness.errors import HarnessConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


def read_toml(path: Path, what: str = "") -> dict[str, Any]:
    """The parsed file; ``what`` (e.g. "price table") says in the error what was being read."""
    reading = f"cannot read {what}" if what else "cannot read"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HarnessConfigError(f"{path}: {reading} ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise HarnessConfigError(f"{path}: not valid TOML: {exc}") from None
