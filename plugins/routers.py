"""Built-in routers: small prompts to a cheap target, or each agent role to its own target.

Configured from ``[routing]`` in harness.toml, e.g.::

    [routing]
    policy = "prompt-size"
    small_target = "mini"        # requests of at most max_input_tokens go here
    max_input_tokens = 800

    [routing]
    policy = "by-role"
    roles = { code_generation = "big", customer_support = "mini" }
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness import hookimpl
from harness.contracts import ChatRequest, Router, Target
from harness.errors import HarnessConfigError
from harness.token_estimate import estimate_input_tokens


def _target_name(settings: Mapping[str, Any], key: str, router: str) -> str:
    value = settings.get(key)
    if not isinstance(value, str) or not value:
        raise HarnessConfigError(f"[routing] {key!r} (a target name) is required by {router!r}")
    return value


@dataclass
class PromptSizeRouter:
    name: str = "prompt-size"
    small_target: str = ""
    max_input_tokens: int = 1000

    def configure(self, settings: Mapping[str, Any]) -> PromptSizeRouter:
        limit = settings.get("max_input_tokens", self.max_input_tokens)
        if not isinstance(limit, int) or limit < 1:
            raise HarnessConfigError("[routing] 'max_input_tokens' must be a positive integer")
        return PromptSizeRouter(self.name, _target_name(settings, "small_target", self.name), limit)

    def route(self, request: ChatRequest, assigned: str, targets: Mapping[str, Target]) -> str:
        if self.small_target and estimate_input_tokens(request.messages) <= self.max_input_tokens:
            return self.small_target
        return assigned


@dataclass
class RoleRouter:
    name: str = "by-role"
    roles: dict[str, str] = field(default_factory=dict)

    def configure(self, settings: Mapping[str, Any]) -> RoleRouter:
        roles = settings.get("roles")
        if not isinstance(roles, dict) or not all(isinstance(v, str) for v in roles.values()):
            raise HarnessConfigError("[routing] 'roles' must be a table of role = target name")
        return RoleRouter(self.name, dict(roles))

    def route(self, request: ChatRequest, assigned: str, targets: Mapping[str, Target]) -> str:
        return self.roles.get(request.tags.get("role", ""), assigned)


@hookimpl
def harness_register_routers(register: Callable[[Router], None]) -> None:
    register(PromptSizeRouter())
    register(RoleRouter())
