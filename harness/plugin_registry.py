"""A name -> object table that knows which plugin registered each name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from harness.errors import HarnessConfigError


class Named(Protocol):
    name: str


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """What one registration hook collected, e.g. every provider adapter."""

    def __init__(self, kind: str, selected_with: str) -> None:
        self.kind = kind
        self._selected_with = selected_with
        self._items: dict[str, T] = {}
        self._owners: dict[str, str] = {}

    def register_for(self, owner: str) -> Callable[[T], None]:
        """The ``register`` callable handed to plugin ``owner``'s hook."""

        def register(item: T) -> None:
            name = getattr(item, "name", None)
            if not isinstance(name, str) or not name:
                raise HarnessConfigError(
                    f"plugin {owner!r} registered a {self.kind} without a string `name`: {item!r}"
                )
            if name in self._items:
                raise HarnessConfigError(
                    f"{self.kind} {name!r} is registered by both plugin {self._owners[name]!r} "
                    f"and plugin {owner!r}; disable one with HARNESS_DISABLE_PLUGINS=<plugin>"
                )
            self._items[name] = item
            self._owners[name] = owner

        return register

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise HarnessConfigError(
                f"unknown {self.kind} {name!r} for {self._selected_with}; "
                f"installed: {known} (see `harness plugins`)"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def names(self) -> list[str]:
        return sorted(self._items)

    def items(self) -> dict[str, T]:
        return dict(self._items)

    def registered_by(self, owner: str) -> list[str]:
        return sorted(name for name, who in self._owners.items() if who == owner)

    def owner_of(self, name: str) -> str:
        return self._owners[name]
