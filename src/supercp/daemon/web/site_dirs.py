"""A site's directories under the account's home, made and removed without following links.

The home and everything in it belong to the customer, who may plant symlinks anywhere in
it. Every step walks from an open directory to the next name with ``O_NOFOLLOW``, so the
daemon (root) never resolves a path the customer controls; a component that is a symlink,
not a directory, or owned by someone else is refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from supercp.protocol.errors import Conflict

_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
SITE_DIR_MODE = 0o2750  # setgid: files made inside stay readable to nginx's group
TMP_MODE = 0o700


@dataclass(frozen=True, slots=True)
class Owner:
    """Who owns what: the account's uid, its primary gid and nginx's gid."""

    uid: int
    gid: int
    web_gid: int


def _refuse(path: Path, why: str) -> Conflict:
    return Conflict(f"{path}: {why}", code="path-conflict", field="docroot")


@contextlib.contextmanager
def _opened(fd: int) -> Iterator[int]:
    try:
        yield fd
    finally:
        os.close(fd)


def _step(parent: int, name: str, path: Path, owner: Owner, *, mode: int, group: int) -> int:
    """Open (making it if missing) directory ``name`` in ``parent``; converge owner and mode."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(name, 0o700, dir_fd=parent)
    try:
        fd = os.open(name, _OPEN_DIR, dir_fd=parent)
    except OSError as err:  # ELOOP: a symlink; ENOTDIR: a file
        raise _refuse(path, "is a symlink or not a directory") from err
    try:
        st = os.fstat(fd)
        if st.st_uid not in (0, owner.uid):
            raise _refuse(path, "belongs to another user")
        if (st.st_uid, st.st_gid) != (owner.uid, group):
            os.fchown(fd, owner.uid, group)
        if stat.S_IMODE(st.st_mode) != mode:
            os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open_home(home: Path, owner: Owner) -> int:
    # The home itself is made by accounts.ensure; its parent (/home) is root's.
    try:
        fd = os.open(home, _OPEN_DIR)
    except OSError as err:
        raise Conflict(f"{home} is missing or not a directory", code="home-conflict") from err
    if os.fstat(fd).st_uid != owner.uid:
        os.close(fd)
        raise Conflict(f"{home} does not belong to the account", code="home-conflict")
    return fd


def _walk(home: Path, parts: Sequence[str], owner: Owner) -> int:
    """Make ``home/parts[0]/parts[1]/...`` (account:web group, 2750); the last one's fd."""
    fd = _open_home(home, owner)
    path = home
    for name in parts:
        path = path / name
        with _opened(fd):
            fd = _step(fd, name, path, owner, mode=SITE_DIR_MODE, group=owner.web_gid)
    return fd


def ensure_site_dirs(home: Path, site_dir: Path, docroot: Path, owner: Owner) -> None:
    """The site's directory, its private temp dir and its document root."""
    with _opened(_walk(home, site_dir.relative_to(home).parts, owner)) as fd:
        os.close(_step(fd, "tmp", site_dir / "tmp", owner, mode=TMP_MODE, group=owner.gid))
    os.close(_walk(home, docroot.relative_to(home).parts, owner))


def remove_site_dir(home: Path, site_dir: Path, owner: Owner) -> bool:
    """Remove ``site_dir`` (inside the home) and everything in it; False when absent."""
    parts = site_dir.relative_to(home).parts
    try:
        fd = os.open(home, _OPEN_DIR)
    except FileNotFoundError:
        return False
    for name in parts[:-1]:
        try:
            next_fd = os.open(name, _OPEN_DIR, dir_fd=fd)
        except FileNotFoundError:
            os.close(fd)
            return False
        except OSError as err:
            os.close(fd)
            raise _refuse(home / name, "is a symlink or not a directory") from err
        os.close(fd)
        fd = next_fd
    with _opened(fd):
        try:
            st = os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        if not stat.S_ISDIR(st.st_mode):
            os.unlink(parts[-1], dir_fd=fd)
            return True
        if st.st_uid not in (0, owner.uid):
            raise _refuse(site_dir, "belongs to another user")
        # With dir_fd, rmtree walks by descriptors and never follows a symlink inside.
        shutil.rmtree(parts[-1], dir_fd=fd)
    return True
