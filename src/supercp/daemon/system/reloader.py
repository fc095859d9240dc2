"""Group commit of config changes: one validation and one reload per batch, for any service.

Callers hand a ``Reloader`` the files they want (already checked on their own, see
``CoalescedCheck``); it writes them, validates the service's whole configuration once,
reloads once, and answers every caller of the batch. Changes that arrive while a batch
runs wait for the next one, so under load the number of reloads stays far below the number
of changes, and an idle service pays no delay at all. Files are written only here, between
two validations, so nothing unvalidated can ever be picked up by a reload.

When the whole configuration fails, the batch's files are put back. If the configuration
without the batch fails too, the breakage is not the batch's: every caller gets the
checker's message and nothing is reloaded. Otherwise halves of the batch are tried in turn
until the culprits are pinned; each gets the checker's message, the rest go through.

The whole check is skipped when it can add nothing: every file of a batch was already
checked on its own, so the whole configuration can only fail through something else. The
service's fingerprint covers everything else (every config file but the ones the daemon
renders itself); when it is the one taken around the last whole check that passed, nothing
else changed and the batch goes straight to its reload (docs/daemon.md, "When the whole
check is skipped", says why that is sound and where it stops). A reload that is not seen
to happen runs the whole check again.

What a service brings is its ``Reloadable``: its name, its whole check, its fingerprint and
a reload that returns once the service uses the files.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from supercp.daemon.system.files import atomic_write
from supercp.daemon.system.processes import checker_message
from supercp.daemon.system.runner import Runner
from supercp.protocol.errors import SuperCPError, SystemFailure

log = logging.getLogger(__name__)

# Files a change wants: bytes to write, or None for "absent".
FileSet = Mapping[Path, bytes | None]
# What identifies the state of a service's other config files (compared, never read).
Fingerprint = frozenset[tuple[str, int, int, int, int]]
Key = TypeVar("Key", bound=Hashable)


class Reloadable(Protocol):
    """What a reloader drives: a whole-config checker and a reload that waits for effect.

    ``name`` goes into error codes (``<name>-config-invalid``) and the log; a service that
    runs as several masters of one name tells them apart in the log by a ``label``.
    """

    name: str

    async def check(self) -> str | None:
        """None when the whole configuration is valid, else the checker's message."""

    def fingerprint(self) -> Fingerprint:
        """The state of every config file that is not one the daemon renders itself."""

    async def reload(self, changes: Sequence[Change]) -> None:
        """Make the running service use the files; return once it does."""


@dataclass(eq=False)
class Change:
    """One caller's files for one service; ``previous`` is filled in when written.

    ``key`` names the change in the log. ``valid`` is set when the change's batch has been
    validated with it (or needed no whole check): all that is left is the reload.
    """

    key: str
    files: FileSet
    previous: FileSet = field(default_factory=dict)
    valid: asyncio.Event = field(default_factory=asyncio.Event)


def fingerprint(root: Path, ours: Callable[[Path, str], bool]) -> Fingerprint:
    """Path, size, mtime, ctime and inode of every file under ``root`` that is not ours.

    ``ours(directory, name)`` says which files (or whole directories) to leave out. A link
    counts by what it points to: pointing it elsewhere, or editing its target, shows.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        directory = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not ours(directory, d)]
        for name in filenames:
            if ours(directory, name):
                continue
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:  # a dangling link, or gone meanwhile
                found.append((path, -1, -1, -1, -1))
                continue
            found.append((path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return frozenset(found)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _put(files: FileSet) -> None:
    for path, data in files.items():
        if data is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, data, mode=0o644, durable=False)


def write(changes: Sequence[Change]) -> None:
    for change in changes:
        change.previous = {path: _read(path) for path in change.files}
        _put(change.files)


def restore(changes: Sequence[Change]) -> None:
    for change in reversed(changes):
        _put(change.previous)


class ReloadFailed(SystemFailure):
    """The configuration was valid and is in place, but the reload was not seen to happen."""

    default_code = "reload-failed"


def config_invalid(service: str, message: str) -> SystemFailure:
    """The whole configuration failed with this change in it."""
    return SystemFailure(
        f"{service} refused the configuration: {message}",
        code=f"{service}-config-invalid",
        details={"checker": message},
    )


def candidate_invalid(service: str, message: str) -> SystemFailure:
    """The change's own file failed its check (the code a whole check's refusal has)."""
    return SystemFailure(message, code=f"{service}-config-invalid", details={"checker": message})


class CoalescedCheck(Generic[Key]):
    """Checks of files on their own, for calls in flight together run as one checker run.

    Starting a checker (nginx -t, php-fpm -t) costs far more than the few files a call
    brings, so calls that arrive while a run is under way go together into the next one,
    as the reloaders' batches do; an idle checker starts at once. ``check`` gets every
    call's files under keys of its own (the call's number, the call's key) and returns the
    problems by those keys; each call gets back its own, by its own keys.
    """

    def __init__(
        self,
        check: Callable[[dict[tuple[int, Key], str]], Awaitable[dict[tuple[int, Key], str]]],
    ) -> None:
        self._check = check
        self._queue: list[tuple[Mapping[Key, str], asyncio.Future[dict[Key, str]]]] = []
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    async def __call__(self, files: Mapping[Key, str]) -> dict[Key, str]:
        if not files:
            return {}
        future: asyncio.Future[dict[Key, str]] = asyncio.get_running_loop().create_future()
        self._queue.append((files, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        return await asyncio.shield(future)

    async def _run(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            merged = {
                (n, key): text for n, (files, _) in enumerate(batch) for key, text in files.items()
            }
            self.runs += 1
            try:
                problems = await self._check(merged)
            except Exception as err:  # the checker's timeout, say: every caller hears it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(err)
                continue
            for n, (files, future) in enumerate(batch):
                if not future.done():
                    future.set_result(
                        {key: problems[(n, key)] for key in files if (n, key) in problems}
                    )


class CommandService:
    """A ``Reloadable`` whose whole check and reload are programs, for a service whose reload
    command returns once the service uses its files (``postfix check`` / ``postfix
    reload``, ``nft -c -f`` / ``nft -f``); one that only signals needs a ``reload`` of its
    own that waits for the effect, as nginx's and PHP-FPM's do.

    ``ours(directory, name)`` names the files under ``config_dir`` the daemon renders (left
    out of the fingerprint, see ``fingerprint``).
    """

    def __init__(
        self,
        name: str,
        runner: Runner,
        *,
        check: Sequence[str],
        reload: Sequence[str],
        config_dir: Path,
        ours: Callable[[Path, str], bool],
    ) -> None:
        self.name = name
        self.runner = runner
        self.check_argv = tuple(check)
        self.reload_argv = tuple(reload)
        self.config_dir = config_dir
        self.ours = ours

    async def check(self) -> str | None:
        done = await self.runner.run(self.check_argv, check=False)
        return None if done.returncode == 0 else checker_message(done.stdout, done.stderr)

    def fingerprint(self) -> Fingerprint:
        return fingerprint(self.config_dir, self.ours)

    async def reload(self, changes: Sequence[Change]) -> None:
        # A failing reload raises the runner's SystemFailure: the reloader's ReloadFailed.
        await self.runner.run(self.reload_argv)


class Reloader:
    """Coalesces changes to one service into batches: write, check, reload, answer."""

    def __init__(self, service: Reloadable) -> None:
        self.service = service
        self.reloads = 0
        self.batches = 0
        self.checks = 0  # whole-config checks run
        self.skipped = 0  # batches that needed none
        # The fingerprint around the last whole check that passed; None: check next time.
        self._trusted: Fingerprint | None = None
        self._queue: list[tuple[Change, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def commit(self, changes: Sequence[Change]) -> list[SuperCPError | None]:
        """Apply ``changes``; each gets None (live now) or the error that refused it."""
        if not changes:
            return []
        loop = asyncio.get_running_loop()
        waiting = [(c, loop.create_future()) for c in changes]
        self._queue.extend(waiting)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        results: list[SuperCPError | None] = []
        for _, future in waiting:
            try:
                await asyncio.shield(future)
                results.append(None)
            except SuperCPError as err:
                results.append(err)
        return results

    async def _run(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                outcome = await self._batch([c for c, _ in batch])
            except Exception as err:  # a bug or an OS error: every caller hears of it
                log.exception("%s: batch failed", self.service.name)
                failure = err if isinstance(err, SuperCPError) else SystemFailure(str(err))
                outcome = dict.fromkeys((c for c, _ in batch), failure)
            for change, future in batch:
                if future.done():
                    continue
                error = outcome.get(change)
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)

    async def _check(self) -> str | None:
        """The whole check; trusts the fingerprint if it passed and nothing moved meanwhile."""
        self._trusted = None
        self.checks += 1
        before = await asyncio.to_thread(self.service.fingerprint)
        problem = await self.service.check()
        if problem is None and before == await asyncio.to_thread(self.service.fingerprint):
            self._trusted = before
        return problem

    async def _batch(self, changes: list[Change]) -> dict[Change, SuperCPError | None]:
        self.batches += 1
        started = time.monotonic()
        unchanged = self._trusted is not None and self._trusted == await asyncio.to_thread(
            self.service.fingerprint
        )
        await asyncio.to_thread(write, changes)
        outcome: dict[Change, SuperCPError | None] = {}
        problem = None
        if unchanged:
            self.skipped += 1
        else:
            try:
                problem = await self._check()
            except BaseException:
                # Unchecked files must not stay for the next reload to pick up.
                await asyncio.to_thread(restore, changes)
                raise
        if problem is not None:
            await asyncio.to_thread(restore, changes)
            baseline = await self._check()
            if baseline is not None:
                # Broken without this batch too: not its fault, and no reload on top of it.
                log.error("%s: configuration invalid outside our changes", self.service.name)
                error = config_invalid(self.service.name, baseline)
                return dict.fromkeys(changes, error)
            await self._pin(changes, outcome)
        accepted = [c for c in changes if outcome.get(c) is None]
        for change in accepted:
            change.valid.set()
        if accepted:
            reload_started = time.monotonic()
            try:
                await self.service.reload(accepted)
            except SuperCPError as err:
                # The files stay: they passed the check, and the service may well use them.
                # What the whole check says now may explain why (a limit only the whole
                # configuration reaches, say); unless it passes, the next batch is checked whole.
                message = f"{self.service.name}: {err.message}"
                with contextlib.suppress(SuperCPError):
                    problem = await self._check()
                    if problem is not None:
                        message += f"; the whole configuration now fails: {problem}"
                log.error("%s (%d change(s))", message, len(accepted))
                return {**outcome, **dict.fromkeys(accepted, ReloadFailed(message))}
            self.reloads += 1
            # Several masters may share a name: their label tells them apart.
            label = getattr(self.service, "label", None)
            done = time.monotonic()
            log.info(
                "%s: reload #%d%s done with %d change(s), %s, batch %.3f s (reload %.3f s)",
                self.service.name,
                self.reloads,
                f" in {label}" if label else "",
                len(accepted),
                "whole check skipped" if unchanged else f"whole check #{self.checks}",
                done - started,
                done - reload_started,
            )
        return outcome

    async def _pin(self, group: list[Change], outcome: dict[Change, SuperCPError | None]) -> None:
        """Bisect ``group`` (already restored) against a valid config: keep what passes."""
        await asyncio.to_thread(write, group)
        problem = await self._check()
        if problem is None:
            return
        await asyncio.to_thread(restore, group)
        if len(group) == 1:
            log.warning("%s: refused the change of %s", self.service.name, group[0].key)
            outcome[group[0]] = config_invalid(self.service.name, problem)
            return
        half = len(group) // 2
        await self._pin(group[:half], outcome)
        await self._pin(group[half:], outcome)

    async def idle(self) -> None:
        """Wait until no batch is running (for shutdown and tests)."""
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
