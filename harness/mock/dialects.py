"""The dialects the simulator serves, by name and by route.

Every dialect is served at once, each on its own paths; adding one is a
module implementing :class:`~harness.mock.dialect.Dialect` and a line here.
"""

from __future__ import annotations

from .dialect import Dialect
from .echo_dialect import EchoDialect
from .openai_dialect import OpenAIDialect

DIALECTS: dict[str, Dialect] = {
    dialect.name: dialect for dialect in (OpenAIDialect(), EchoDialect())
}

CHAT_ROUTES: dict[str, Dialect] = {
    path: dialect for dialect in DIALECTS.values() for path in dialect.chat_paths
}
