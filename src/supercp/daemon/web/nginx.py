"""nginx as the reloader sees it (check a candidate, check all, reload) and what PHP-FPM's
masters (``fpm``) share with it.

Reloads signal the master process directly (SIGHUP for nginx, SIGUSR2 for PHP-FPM) and
wait for the effect, so a caller is answered only once its change is live: nginx has new
worker processes; PHP-FPM has re-read its files (it rewrites its pid file) and every
socket that should exist does, every socket that should be gone is.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from supercp.daemon.system.runner import Runner
from supercp.daemon.web.layout import WebLayout
from supercp.daemon.web.reloader import Change, Fingerprint
from supercp.protocol.errors import NotFound, SystemFailure, Timeout

log = logging.getLogger(__name__)

# Long enough for PHP-FPM to re-read 10,000 pools on a busy machine.
RELOAD_TIMEOUT = 120.0
# Polling for a reload's effect: every millisecond at first (on a small server a reload is
# over in tens of them), slowing to every 10 ms over the first half second.
_POLL_FIRST = 0.001
_POLL_MAX = 0.01


def said(out: str, err: str) -> str:
    text = (err.strip() or out.strip()).splitlines()
    # The checker's own lines minus the "test failed" trailer.
    lines = [line for line in text if "test failed" not in line]
    return "\n".join(lines)[-2000:]


def read_pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def _children(pid: int) -> set[int]:
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


def _retiring(pid: int) -> bool:
    name = title(pid)
    return name is None or b"shutting down" in name or b"worker process" not in name


async def until(condition: object, what: str, timeout: float = RELOAD_TIMEOUT) -> None:
    start = time.monotonic()
    assert callable(condition)
    while not condition():
        waited = time.monotonic() - start
        if waited > timeout:
            raise Timeout(f"{what} did not happen within {timeout:.0f} s")
        await asyncio.sleep(min(_POLL_MAX, _POLL_FIRST + waited / 50))


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


class Batched:
    """Candidate checks of calls in flight together, run as one checker process.

    A burst of site creations arrives as hundreds of calls at once, each with a file or
    two; one checker run per call made them queue for the CPU before they could share a
    reload. Calls that arrive while a run is under way go together into the next one (as
    the reloaders' batches do); an idle checker starts at once. Problems still come back
    by key, to the call whose file it was.
    """

    def __init__(self, check: Callable[[dict[str, str]], Awaitable[dict[str, str]]]) -> None:
        self._check = check
        self._queue: list[tuple[dict[str, str], asyncio.Future[dict[str, str]]]] = []
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    async def __call__(self, files: dict[str, str]) -> dict[str, str]:
        if not files:
            return {}
        future: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
        self._queue.append((files, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        return await asyncio.shield(future)

    async def _run(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            merged = {
                f"{n}|{key}": text
                for n, (files, _) in enumerate(batch)
                for key, text in files.items()
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
                        {key: problems[f"{n}|{key}"] for key in files if f"{n}|{key}" in problems}
                    )


class Nginx:
    """nginx with our http-level include; every site a file in the sites directory."""

    name = "nginx"

    def __init__(self, layout: WebLayout, runner: Runner) -> None:
        self.layout = layout
        self.runner = runner
        self.binary = layout.sbin / "nginx"
        self.check_candidates = Batched(self._check_candidates)

    def _require(self) -> None:
        if not self.layout.nginx_http.exists():
            raise NotFound(
                f"{self.layout.nginx_http} is missing; re-run the installer", code="not-installed"
            )

    async def _check_candidates(self, files: dict[str, str]) -> dict[str, str]:
        """Check server blocks on their own, with only our http settings; problems by key.

        Cheap (no other site is parsed) and pins a problem to its own block. One run over
        many blocks; a failing block is taken out by the file name nginx reports.
        """
        self._require()
        problems: dict[str, str] = {}
        with tempfile.TemporaryDirectory(prefix="supercp-nginx-") as tmp:
            base = Path(tmp)
            paths: dict[Path, str] = {}
            for i, (key, text) in enumerate(files.items()):
                path = base / f"{i}.conf"
                path.write_text(text)
                paths[path] = key
            while paths:
                main = base / "nginx.conf"
                includes = "".join(f"    include {p};\n" for p in paths)
                main.write_text(
                    f"pid {base}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
                    f"http {{\n    include {self.layout.nginx_http};\n{includes}}}\n"
                )
                done = await self.runner.run(
                    [str(self.binary), "-t", "-q", "-c", str(main)], check=False
                )
                if done.returncode == 0:
                    break
                message = said(done.stdout, done.stderr)
                culprit = next((p for p in paths if f"{p}:" in message), None)
                if culprit is None:
                    # Not one block's fault (our http include?): every candidate hears it.
                    return dict.fromkeys(paths.values(), message)
                problems[paths.pop(culprit)] = message.replace(f"{culprit}:", "line ")
        return problems

    def fingerprint(self) -> Fingerprint:
        """Everything under /etc/nginx but the sites directory (our server blocks)."""
        sites = self.layout.vhost_dir
        return fingerprint(self.layout.nginx_conf.parent, lambda d, n: d / n == sites)

    async def check(self) -> str | None:
        self._require()
        done = await self.runner.run(
            [str(self.binary), "-t", "-q", "-c", str(self.layout.nginx_conf)], check=False
        )
        return None if done.returncode == 0 else said(done.stdout, done.stderr)

    async def reload(self, changes: Sequence[Change]) -> None:
        pid = read_pid(self.layout.nginx_pid)
        if pid is None:
            # Not running: the files are valid and in place; its next start reads them.
            log.warning("nginx is not running; nothing to reload")
            return
        before = _children(pid)
        os.kill(pid, signal.SIGHUP)

        def reloaded() -> bool:
            # New workers run the new configuration; an old one may still finish requests
            # but takes no new ones once it calls itself "shutting down".
            now = _children(pid)
            return bool(now - before) and all(_retiring(p) for p in now & before)

        await until(reloaded, "nginx reload")


def php_versions(layout: WebLayout) -> list[str]:
    """Installed PHP-FPM versions (binary and config directory), newest first."""
    found = []
    try:
        entries = os.listdir(layout.sbin)
    except FileNotFoundError:
        return []
    for entry in entries:
        version = entry.removeprefix("php-fpm")
        if version != entry and _is_version(version) and layout.fpm_dir(version).is_dir():
            found.append(version)
    return sorted(found, key=lambda v: tuple(int(x) for x in v.split(".")), reverse=True)


def _is_version(text: str) -> bool:
    major, dot, minor = text.partition(".")
    return bool(dot) and major.isdigit() and minor.isdigit()


def failure(what: str, message: str) -> SystemFailure:
    return SystemFailure(message, code=f"{what}-config-invalid", details={"checker": message})
