"""Atomic file replacement: temp file in the target directory, fsync, chown, rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(
    path: Path,
    data: bytes,
    *,
    mode: int = 0o644,
    uid: int = -1,
    gid: int = -1,
    durable: bool = True,
) -> None:
    """Replace ``path`` with ``data`` so readers see the old or the new file, never a mix.

    ``durable=False`` skips the fsyncs, for batches that sync once at the end: a process
    crash still leaves the old or the new file (rename is atomic), only a power loss may not.
    """
    directory = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fdatasync(fh.fileno())
            os.fchmod(fh.fileno(), mode)
            if uid != -1 or gid != -1:
                os.fchown(fh.fileno(), uid, gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if not durable:
        return
    dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
