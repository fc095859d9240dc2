"""Render, check, swap, reload, restore: how setup changes a service's configuration.

A step hands ``converge`` the files it wants, whole (content, mode, owner; or absent). Only
the ones that differ are written; the service's own checker then judges the configuration
with them in place, and the service is reloaded. When the check or the reload fails, every
file is put back as it was (content, mode, owner, or the link it was) and the service, if
it was reloaded, is reloaded onto the old files: a run that cannot finish leaves the
service as it found it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from supercp.daemon.system.files import atomic_write
from supercp.daemon.system.processes import checker_message
from supercp.daemon.system.runner import Runner
from supercp.protocol.errors import SuperCPError


class SetupFailed(Exception):
    """A setup step could not converge; the message says what and what was put back."""


@dataclass(frozen=True, slots=True)
class Wanted:
    """One file as a step wants it: ``content`` None means the path must not exist."""

    path: Path
    content: bytes | None
    mode: int = 0o644
    uid: int = 0
    gid: int = 0


@dataclass(frozen=True, slots=True)
class _Was:
    """What a path held before a swap, to put it back."""

    path: Path
    content: bytes | None = None
    link: str | None = None
    mode: int = 0o644
    uid: int = 0
    gid: int = 0


def _snapshot(path: Path) -> _Was:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return _Was(path)
    if stat.S_ISLNK(st.st_mode):
        return _Was(path, link=os.readlink(path))
    return _Was(path, path.read_bytes(), None, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)


def _differs(want: Wanted, was: _Was) -> bool:
    if want.content is None:
        return was.content is not None or was.link is not None
    if was.link is not None:
        return True
    return (was.content, was.mode, was.uid, was.gid) != (
        want.content,
        want.mode,
        want.uid,
        want.gid,
    )


def _put(path: Path, content: bytes, mode: int, uid: int, gid: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        path.unlink()
    atomic_write(path, content, mode=mode, uid=uid, gid=gid)


class Swap:
    """Files written in one go, with what each path held before, to restore on failure."""

    def __init__(self, wanted: Sequence[Wanted]) -> None:
        self.wanted = list(wanted)
        self.previous: list[_Was] = []

    def apply(self) -> list[Path]:
        """Write what differs; the paths changed, in order."""
        changed = []
        for want in self.wanted:
            was = _snapshot(want.path)
            if not _differs(want, was):
                continue
            self.previous.append(was)
            if want.content is None:
                want.path.unlink()
            else:
                _put(want.path, want.content, want.mode, want.uid, want.gid)
            changed.append(want.path)
        return changed

    def restore(self) -> None:
        """Put every changed path back as it was, last first."""
        for was in reversed(self.previous):
            if was.link is not None:
                with contextlib.suppress(FileNotFoundError):
                    was.path.unlink()
                os.symlink(was.link, was.path)
            elif was.content is None:
                was.path.unlink(missing_ok=True)
            else:
                _put(was.path, was.content, was.mode, was.uid, was.gid)
        self.previous = []


async def check_with(runner: Runner, argv: Sequence[str]) -> str | None:
    """Run a configuration checker; None when it passes, else what it said."""
    done = await runner.run(argv, check=False)
    if done.returncode == 0:
        return None
    return checker_message(done.stdout, done.stderr) or f"{argv[0]} exited {done.returncode}"


async def converge(
    service: str,
    wanted: Sequence[Wanted],
    *,
    check: Callable[[], Awaitable[str | None]],
    reload: Callable[[list[Path]], Awaitable[None]],
) -> list[Path]:
    """Write ``wanted``, check, reload; on a failed check or reload put everything back.

    ``reload`` gets the paths that changed (never called when none did) and decides what the
    change needs (a reload, a restart). Returns those paths.
    """
    swap = Swap(wanted)
    try:
        changed = swap.apply()
        problem = await check() if changed else None
    except BaseException:
        # A write that failed halfway, or a checker that timed out: the run cannot finish,
        # so the service keeps the files it had.
        swap.restore()
        raise
    if not changed:
        return []
    if problem is not None:
        swap.restore()
        raise SetupFailed(
            f"{service} refused the new configuration, so the previous one was put back: {problem}"
        )
    try:
        await reload(changed)
    except (SuperCPError, OSError) as err:
        swap.restore()
        try:
            await reload(changed)
        except (SuperCPError, OSError) as again:
            raise SetupFailed(
                f"{service} failed with the new configuration ({err}); the previous one is "
                f"back, but {service} failed with it too: {again}"
            ) from err
        raise SetupFailed(
            f"{service} failed with the new configuration, so the previous one was put back: {err}"
        ) from err
    return changed
