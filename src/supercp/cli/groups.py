"""A super-cli command group as main.py mounts it, with the daemon methods its commands reach."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import typer


@dataclass(frozen=True)
class Group:
    """``super-cli <name> …``; tests/cli checks that every daemon method is reached or excused."""

    name: str
    app: typer.Typer
    # Daemon method -> the command that calls it ("site create"), itself or through the
    # panel's services; the check cannot see the call, so the command must exist.
    reaches: Mapping[str, str] = field(default_factory=dict)
    # Daemon methods of this domain that no command calls, each with why not.
    not_offered: Mapping[str, str] = field(default_factory=dict)
    # Commands of this group mounted at the top level (`super-cli rebuild`).
    top: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def mount(self, root: typer.Typer) -> None:
        root.add_typer(self.app, name=self.name)
        for name, command in self.top.items():
            root.command(name)(command)
