"""Watching a service's processes through /proc and its pid file, to see a reload take effect.

Reloads signal a master process and then poll for what the reload does (new workers, a
rewritten pid file, sockets that appear), so a caller is answered only once its change is
live. A process can exit between any two reads of /proc: every helper treats that as gone.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

from supercp.protocol.errors import Timeout

# Long enough for a master to re-read every file of a large configuration on a busy machine.
RELOAD_TIMEOUT = 120.0
# Polling for a reload's effect: every millisecond at first (on a small configuration a
# reload is over in tens of them), slowing to every 10 ms over the first half second.
_POLL_FIRST = 0.001
_POLL_MAX = 0.01


def checker_message(out: str, err: str) -> str:
    """What a config checker (``nginx -t``, ``php-fpm -t``) said, for the caller."""
    text = (err.strip() or out.strip()).splitlines()
    # The checker's own lines minus the "test failed" trailer.
    lines = [line for line in text if "test failed" not in line]
    return "\n".join(lines)[-2000:]


def read_pid(path: Path) -> int | None:
    """The pid in a pid file, if that process runs."""
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def children(pid: int) -> set[int]:
    """The process's children (none once it is gone)."""
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found.update(int(p) for p in fh.read().split())
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def title(pid: int) -> bytes | None:
    """A process's title (its cmdline), None once it is gone."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except (FileNotFoundError, ProcessLookupError):
        # Gone between the listing and the read: reading an exiting process's cmdline
        # fails with ESRCH rather than ENOENT.
        return None


async def poll_until(
    condition: Callable[[], bool], what: str, timeout: float = RELOAD_TIMEOUT
) -> None:
    """Return once ``condition()`` holds; Timeout (naming ``what``) after ``timeout`` s."""
    start = time.monotonic()
    while not condition():
        waited = time.monotonic() - start
        if waited > timeout:
            raise Timeout(f"{what} did not happen within {timeout:.0f} s")
        await asyncio.sleep(min(_POLL_MAX, _POLL_FIRST + waited / 50))
