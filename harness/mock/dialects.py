"""The dialects the simulator serves, by name and by route.

Every dialect is served at once, each on its own paths; adding one is a
module implementing :class:`~harness.mock.dialect.Dialect` and a line here.
A dialect is found by exact path first, then by path prefix (Gemini puts the
model and the method in the path).
"""

from __future__ import annotations

from .anthropic_dialect import AnthropicDialect
from .dialect import Dialect
from .echo_dialect import EchoDialect
from .gemini_dialect import GeminiDialect
from .openai_dialect import OpenAIDialect

DIALECTS: dict[str, Dialect] = {
    dialect.name: dialect
    for dialect in (OpenAIDialect(), AnthropicDialect(), GeminiDialect(), EchoDialect())
}

CHAT_ROUTES: dict[str, Dialect] = {
    path: dialect for dialect in DIALECTS.values() for path in dialect.chat_paths
}

CHAT_PREFIXES: tuple[tuple[str, Dialect], ...] = tuple(
    (prefix, dialect) for dialect in DIALECTS.values() for prefix in dialect.chat_prefixes
)


def chat_dialect(path: str) -> Dialect | None:
    """The dialect serving ``path`` (without its query), or None."""
    found = CHAT_ROUTES.get(path)
    if found is None:
        for prefix, dialect in CHAT_PREFIXES:
            if path.startswith(prefix):
                return dialect
    return found
