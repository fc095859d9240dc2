"""How much disk a directory tree takes, measured by walking it (kernel quotas do not work
on every file system, so the panel's limits are checked against this)."""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

# st_blocks counts 512-byte units whatever the file system's block size (POSIX).
_BLOCK = 512


@dataclass(frozen=True, slots=True)
class Measured:
    """Allocated bytes and entries under a tree; ``complete`` false when time ran out."""

    bytes: int
    entries: int
    complete: bool


def measure(top: Path, budget: float) -> Measured:
    """Walk ``top`` without following links or leaving its file system (a bind mount in a
    home is another tree's disk), for at most ``budget`` seconds.

    Bytes are what the files take (a sparse file its blocks, not its length); a file with
    several hard links in the tree counts once. An entry that goes while it is read, or a
    directory that cannot be read, is left out rather than failing the walk.
    """
    deadline = time.monotonic() + budget
    try:
        root = os.lstat(top)
    except FileNotFoundError:
        return Measured(0, 0, True)
    if not stat.S_ISDIR(root.st_mode):
        return Measured(root.st_blocks * _BLOCK, 1, True)
    total, entries = root.st_blocks * _BLOCK, 1
    seen: set[int] = set()
    pending = [os.fspath(top)]
    while pending:
        if time.monotonic() > deadline:
            return Measured(total, entries, False)
        directory = pending.pop()
        try:
            with os.scandir(directory) as it:
                found = list(it)
        except OSError:
            continue
        for entry in found:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if st.st_dev != root.st_dev:
                continue
            if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):
                if st.st_ino in seen:
                    continue
                seen.add(st.st_ino)
            total += st.st_blocks * _BLOCK
            entries += 1
            if stat.S_ISDIR(st.st_mode):
                pending.append(entry.path)
    return Measured(total, entries, True)
