"""The hooks a plugin may implement (pluggy project ``harness``).

Registration hooks receive a ``register`` callable, so the host decides what
a duplicate name means in one place. Hooks are called once per run, never
per request or per chunk.
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

from harness.contracts import ProviderAdapter

hookspec = pluggy.HookspecMarker("harness")


@hookspec
def harness_register_providers(register: Callable[[ProviderAdapter], None]) -> None:
    """Register provider adapters.

    Call ``register(adapter)`` once per adapter. ``adapter.name`` is the name
    users select with ``--provider``; a name registered by two plugins is an
    error naming both. Called once, when the plugin host loads.

    Since 0.1.
    """
