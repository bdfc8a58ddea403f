"""config_snapshot: the run's options as the report shows them, secrets redacted.

Every option is kept so a reader can tell how the run was set up, but an
option whose *name* says it holds a secret (an API key, a token, a
password) is replaced outright, and every string value also passes through
:func:`harness.secrets.redact`, which catches keys pasted where they do not
belong (a header, a URL). Options that *name* where a secret lives
(``api_key_env``, ``secrets_file``) are references, not secrets, and stay.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from harness.secrets import REDACTED, redact

_SECRET_NAME = re.compile(
    r"(^|_)(api_?key|key|secret|password|passwd|token|auth|credentials?)($|_)"
)
_REFERENCE_NAME = re.compile(r"_(env|file|path)$")


def config_snapshot(options: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready options by name, sorted, with secrets redacted."""
    snapshot: dict[str, Any] = {}
    for name in sorted(options):
        value = options[name]
        if _SECRET_NAME.search(name) and not _REFERENCE_NAME.search(name) and value:
            snapshot[name] = REDACTED
        else:
            snapshot[name] = _plain(value)
    return snapshot


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return redact(str(value))
