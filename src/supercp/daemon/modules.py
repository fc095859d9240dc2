"""A daemon namespace's one registration: its methods, its state and its lifecycle hooks.

The server, ``main`` and the accounts handler go through these registrations only, so none
of them names a domain; a new namespace is a handler module with a ``MODULE`` and one line
in ``handlers/__init__.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from supercp.daemon.config import DaemonConfig
from supercp.daemon.context import Deps, Slot
from supercp.daemon.registry import Method, Registry
from supercp.daemon.system.runner import Runner


@dataclass(frozen=True)
class Module:
    """What one handler module registers; hooks get the daemon's Deps, so their own state."""

    name: str
    methods: Sequence[Method[Any, Any]]
    state: Slot[Any] | None = None
    # Runs in the background once the socket is up: calls are answered meanwhile.
    start: Callable[[Deps], Coroutine[Any, Any, None]] | None = None
    # Runs at shutdown once in-flight calls and every start hook are done; gets the grace (s).
    stop: Callable[[Deps, float], Awaitable[None]] | None = None
    # Runs while accounts.remove holds the account, before the user goes: what this module
    # keeps for the account (pools running as it, say) goes first.
    on_account_remove: Callable[[Deps, str], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        for method in self.methods:
            if not method.name.startswith(f"{self.name}."):
                raise ValueError(f"method {method.name} is not in namespace {self.name}")
        if self.state is not None and self.state.name != self.name:
            raise ValueError(f"namespace {self.name} keeps its state in slot {self.state.name}")


def build_deps(config: DaemonConfig, runner: Runner, modules: Iterable[Module]) -> Deps:
    """Build every module's state, in registration order, and the registry of their methods."""
    modules = tuple(modules)
    names = [m.name for m in modules]
    if len(set(names)) != len(names):
        raise ValueError(f"a namespace is registered twice: {names}")
    states = {m.state.name: m.state.build(config, runner) for m in modules if m.state is not None}
    return Deps(
        config=config,
        runner=runner,
        registry=Registry(method for m in modules for method in m.methods),
        modules=modules,
        states=states,
    )


def start(deps: Deps) -> list[asyncio.Task[None]]:
    """Start every module's start hook as a task (``stop`` waits for them)."""
    return [asyncio.create_task(m.start(deps)) for m in deps.modules if m.start is not None]


async def stop(deps: Deps, started: Sequence[asyncio.Task[None]], grace: float) -> None:
    """Wait for the start hooks, then run the stop hooks, last registered first."""
    await asyncio.gather(*started)
    for module in reversed(deps.modules):
        if module.stop is not None:
            await module.stop(deps, grace)


async def remove_account(deps: Deps, name: str) -> None:
    """Run every module's ``on_account_remove`` for ``name``, in registration order."""
    for module in deps.modules:
        if module.on_account_remove is not None:
            await module.on_account_remove(deps, name)
