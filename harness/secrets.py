"""API keys: where they come from, and how they are kept out of every output.

A key is read from the environment variable a target names (or a secrets file,
one ``NAME=value`` per line). Each key resolved is remembered by the process's
:data:`known_secrets`, and :func:`redact` removes every remembered key from
any text: error messages, logs and reports all pass through it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from harness.errors import HarnessConfigError

REDACTED = "***"
# Short values would redact ordinary words; real API keys are long.
_MIN_SECRET_LENGTH = 8
# Bearer-style tokens that servers echo back, e.g. "Incorrect API key provided: sk-abc".
_KEY_PATTERN = re.compile(r"\b(sk|key|pk|AIza)[-_A-Za-z0-9]{12,}")


class SecretRegistry:
    def __init__(self) -> None:
        self._values: set[str] = set()

    def remember(self, value: str) -> None:
        if len(value) >= _MIN_SECRET_LENGTH:
            self._values.add(value)

    def redact(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        return _KEY_PATTERN.sub(REDACTED, text)


known_secrets = SecretRegistry()


def redact(text: str) -> str:
    return known_secrets.redact(text)


def read_secrets_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines; blank lines and ``#`` comments are skipped."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise HarnessConfigError(f"{path}: cannot read secrets file ({exc.strerror})") from None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, value = stripped.partition("=")
        if not sep or not name.strip():
            raise HarnessConfigError(f"{path}:{number}: expected NAME=value")
        values[name.strip()] = value.strip().strip("\"'")
    return values


def resolve_api_key(env_name: str | None, secrets_file: Path | None = None) -> str | None:
    """The key named ``env_name``; ``None`` when no key is wanted.

    A named key that is missing is an error that names the variable (and
    the file), never a silent unauthenticated run.
    """
    if not env_name:
        return None
    value = os.environ.get(env_name)
    if value is None and secrets_file is not None:
        value = read_secrets_file(secrets_file).get(env_name)
    if not value:
        where = f" or in {secrets_file}" if secrets_file else ""
        raise HarnessConfigError(
            f"API key variable {env_name} is not set in the environment{where}; "
            f"export {env_name}=... or pass --api-key-env with the variable that holds the key"
        )
    known_secrets.remember(value)
    return value
