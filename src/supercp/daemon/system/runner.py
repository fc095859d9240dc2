"""Run programs as argv lists (never through a shell), with a timeout and a fixed environment."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from supercp.protocol.errors import SystemFailure, Timeout

# Programs see a fixed, minimal environment: nothing of the caller's leaks into them.
_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
# How much of a failing program's output reaches the caller (the rest is in the log).
_TAIL = 2000


@dataclass(frozen=True, slots=True)
class Completed:
    """A finished program."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class Runner(Protocol):
    """What appliers use to run programs; tests may substitute a recording runner."""

    async def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        input: bytes | None = None,
    ) -> Completed:
        """Run ``argv``; ``input`` goes to its stdin (secrets, never on the command line)."""


def _check_argv(argv: Sequence[str]) -> tuple[str, ...]:
    if not argv:
        raise ValueError("empty argv")
    for arg in argv:
        if not isinstance(arg, str) or "\0" in arg:
            raise ValueError("argv members must be strings without NUL")
    return tuple(argv)


class SystemRunner:
    """Runs programs for real, each in its own process group so a timeout kills all of it."""

    def __init__(self, default_timeout: float = 120.0) -> None:
        self.default_timeout = default_timeout

    async def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        input: bytes | None = None,
    ) -> Completed:
        args = _check_argv(argv)
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL if input is None else asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=_ENV,
            start_new_session=True,
        )
        try:
            async with asyncio.timeout(timeout or self.default_timeout):
                out, err = await proc.communicate(input)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
            raise Timeout(f"{args[0]} did not finish in time") from None
        done = Completed(
            args,
            proc.returncode if proc.returncode is not None else -1,
            out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"),
        )
        if check and done.returncode != 0:
            raise command_failure(done)
        return done


def command_failure(done: Completed, what: str | None = None) -> SystemFailure:
    """The error for a failed program, carrying the tail of what it said."""
    said = (done.stderr.strip() or done.stdout.strip())[-_TAIL:]
    label = what or os.path.basename(done.argv[0])
    message = f"{label} failed (exit {done.returncode})" + (f": {said}" if said else "")
    return SystemFailure(message, details={"exit_code": done.returncode})
