"""Read the user and group databases (files under the root prefix, as useradd writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PasswdEntry:
    """One line of /etc/passwd."""

    name: str
    uid: int
    gid: int
    home: str
    shell: str


@dataclass(frozen=True, slots=True)
class GroupEntry:
    """One line of /etc/group."""

    name: str
    gid: int
    members: tuple[str, ...]


def _lines(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def read_passwd(root: Path) -> dict[str, PasswdEntry]:
    """Users by name from ``root``/etc/passwd; malformed lines are skipped."""
    users: dict[str, PasswdEntry] = {}
    for f in _lines(root / "etc/passwd"):
        if len(f) == 7 and f[2].isdigit() and f[3].isdigit():
            users[f[0]] = PasswdEntry(f[0], int(f[2]), int(f[3]), f[5], f[6])
    return users


def read_expired(root: Path) -> set[str]:
    """Users whose account expiry (shadow field 8) is day 1: how suspension is recorded."""
    return {f[0] for f in _lines(root / "etc/shadow") if len(f) >= 8 and f[7] == "1"}


def read_group(root: Path) -> dict[str, GroupEntry]:
    """Groups by name from ``root``/etc/group; malformed lines are skipped."""
    groups: dict[str, GroupEntry] = {}
    for f in _lines(root / "etc/group"):
        if len(f) == 4 and f[2].isdigit():
            members = tuple(m for m in f[3].split(",") if m)
            groups[f[0]] = GroupEntry(f[0], int(f[2]), members)
    return groups
