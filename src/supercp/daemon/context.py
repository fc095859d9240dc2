"""What handlers get: the daemon's dependencies and the caller of the current call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from supercp.daemon.config import DaemonConfig
from supercp.daemon.peer import Peer
from supercp.daemon.system.runner import Runner

if TYPE_CHECKING:
    from supercp.daemon.modules import Module
    from supercp.daemon.registry import Registry

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Slot(Generic[T]):
    """A namespace's state in Deps and how it is built; typed, so ``deps.get(slot)`` is a T."""

    name: str
    build: Callable[[DaemonConfig, Runner], T]


@dataclass(frozen=True)
class Deps:
    """Built once at start-up; the one seam between handlers and the outside world."""

    config: DaemonConfig
    runner: Runner
    registry: Registry
    # In registration order: hooks (start, stop, an account's removal) run in it.
    modules: tuple[Module, ...]
    # Each namespace's state by its slot's name.
    states: Mapping[str, Any]

    def get(self, slot: Slot[T]) -> T:
        """The state ``slot`` was built into (a test may have put its own there)."""
        return cast(T, self.states[slot.name])


@dataclass(frozen=True, slots=True)
class Context:
    """One call's view: dependencies plus who is calling."""

    deps: Deps
    peer: Peer
