"""Every daemon method is reached by a super-cli command or says why not; groups mount once."""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from typing import Any

import typer

import supercp.cli
from supercp.cli.main import GROUPS, app
from supercp.daemon.handlers import all_methods


def subcommands(command: Any) -> dict[str, Any]:
    # typer's groups are click groups of the click typer brings, not always the one here.
    found: dict[str, Any] = getattr(command, "commands", {})
    return found


def command_paths(command: Any, prefix: str = "") -> set[str]:
    """Every runnable command of the tree, as typed after `super-cli` ("dns zone create")."""
    if not subcommands(command):
        return {prefix}
    paths: set[str] = set()
    for name, sub in subcommands(command).items():
        paths |= command_paths(sub, f"{prefix} {name}".strip())
    return paths


def registered() -> set[str]:
    return {m.name for m in all_methods()}


def test_every_daemon_method_is_reached_by_a_command_or_says_why_not():
    reached = {method for g in GROUPS for method in g.reaches}
    excused = {method for g in GROUPS for method in g.not_offered}
    assert not reached & excused, "both reached and not offered"
    missing = registered() - reached - excused
    assert not missing, f"no command reaches {sorted(missing)} and no group says why not"


def test_groups_name_no_method_the_daemon_does_not_serve():
    named = [method for g in GROUPS for method in [*g.reaches, *g.not_offered]]
    assert set(named) <= registered(), sorted(set(named) - registered())
    twice = [method for method, n in Counter(named).items() if n > 1]
    assert not twice, f"claimed by two groups: {twice}"


def test_each_command_said_to_reach_a_method_exists():
    paths = command_paths(typer.main.get_command(app))
    for group in GROUPS:
        for method, command in group.reaches.items():
            assert command in paths, f"{method}: no command `super-cli {command}`"


def test_each_reason_is_a_sentence_not_a_placeholder():
    for group in GROUPS:
        for method, why in group.not_offered.items():
            assert len(why.split()) >= 4, f"{method}: {why!r}"


def test_each_group_and_top_level_command_is_mounted_once():
    names = [g.name for g in GROUPS] + [name for g in GROUPS for name in g.top]
    assert len(names) == len(set(names)), names
    assert set(subcommands(typer.main.get_command(app))) == set(names)


def test_every_module_s_groups_are_in_main_s_list():
    for info in pkgutil.iter_modules(supercp.cli.__path__):
        module = importlib.import_module(f"supercp.cli.{info.name}")
        for group in getattr(module, "GROUPS", []):
            assert group in GROUPS, f"cli/{info.name}.py: group {group.name} is not mounted"
