"""What one simulated user holds across its requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from harness.client import ChatClient
from harness.contracts import RequestSource
from harness.targets import ResolvedTarget


@dataclass
class UserSession:
    """The user's target, its workload, and one client (own connections) per target it reaches.

    Clients for fallback targets are opened only when a request first falls back.
    """

    target: ResolvedTarget
    workload: RequestSource
    clients: dict[str, ChatClient] = field(default_factory=dict)

    def client(
        self, resolved: ResolvedTarget, open_client: Callable[[ResolvedTarget], ChatClient]
    ) -> ChatClient:
        name = resolved.target.name
        if name not in self.clients:
            self.clients[name] = open_client(resolved)
        return self.clients[name]

    def close(self) -> None:
        for client in self.clients.values():
            client.transport.close()
        self.clients.clear()
