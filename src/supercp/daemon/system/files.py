"""Atomic file replacement: temp file in the target directory, fsync, chown, rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(
    path: Path, data: bytes, *, mode: int = 0o644, uid: int = -1, gid: int = -1
) -> None:
    """Replace ``path`` with ``data`` so readers see the old or the new file, never a mix."""
    directory = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fdatasync(fh.fileno())
            os.fchmod(fh.fileno(), mode)
            if uid != -1 or gid != -1:
                os.fchown(fh.fileno(), uid, gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
