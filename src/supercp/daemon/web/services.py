"""nginx and PHP-FPM as the reloaders see them: check a candidate, check all, reload.

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
from supercp.daemon.web.layout import WebLayout, fpm_key
from supercp.daemon.web.reloader import Change, Fingerprint
from supercp.daemon.web.render import render_fpm_shard
from supercp.protocol.errors import NotFound, SystemFailure, Timeout

log = logging.getLogger(__name__)

# Long enough for PHP-FPM to re-read 10,000 pools on a busy machine.
RELOAD_TIMEOUT = 120.0
# Polling for a reload's effect: every millisecond at first (on a small server a reload is
# over in tens of them), slowing to every 10 ms over the first half second.
_POLL_FIRST = 0.001
_POLL_MAX = 0.01
# How long a new PHP-FPM master may be up without our sockets before we signal it again.
_RESIGNAL_AFTER = 2.0


def _said(out: str, err: str) -> str:
    text = (err.strip() or out.strip()).splitlines()
    # The checker's own lines minus the "test failed" trailer.
    lines = [line for line in text if "test failed" not in line]
    return "\n".join(lines)[-2000:]


def _read_pid(path: Path) -> int | None:
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


def _retiring(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            title = fh.read()
    except (FileNotFoundError, ProcessLookupError):
        # Gone between the listing and the read: reading an exiting process's cmdline
        # fails with ESRCH rather than ENOENT.
        return True
    return b"shutting down" in title or b"worker process" not in title


async def _until(condition: object, what: str, timeout: float = RELOAD_TIMEOUT) -> None:
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
                said = _said(done.stdout, done.stderr)
                culprit = next((p for p in paths if f"{p}:" in said), None)
                if culprit is None:
                    # Not one block's fault (our http include?): every candidate hears it.
                    return dict.fromkeys(paths.values(), said)
                problems[paths.pop(culprit)] = said.replace(f"{culprit}:", "line ")
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
        return None if done.returncode == 0 else _said(done.stdout, done.stderr)

    async def reload(self, changes: Sequence[Change]) -> None:
        pid = _read_pid(self.layout.nginx_pid)
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

        await _until(reloaded, "nginx reload")


class PhpFpm:
    """One PHP-FPM master: Debian's of a version (``shard=None``: pool.d, where our pools
    were before shards) or one of our shards, whose master the daemon starts and stops."""

    def __init__(
        self,
        version: str,
        layout: WebLayout,
        runner: Runner,
        shard: int | None = None,
        *,
        systemd: bool = False,
    ) -> None:
        self.version = version
        self.shard = shard
        self.key = fpm_key(version, shard)
        self.name = "php-fpm"
        self.layout = layout
        self.runner = runner
        self.systemd = systemd
        self.binary = layout.fpm_binary(version)
        if shard is None:
            self.main_conf = layout.fpm_dir(version) / "php-fpm.conf"
            self.pid_file = layout.fpm_pid(version)
            self.label = f"php{version}-fpm"
        else:
            self.main_conf = layout.shard_conf(version, shard)
            self.pid_file = layout.shard_pid(version, shard)
            self.label = f"php{version}-fpm shard {shard}"
        self.check_candidates = Batched(self._check_candidates)
        # Starts, stops and reloads of this master, one at a time.
        self._control = asyncio.Lock()

    async def _check_candidates(self, files: dict[str, str]) -> dict[str, str]:
        """Check pools on their own, in a main config that includes only them.

        One run over all of them first; php-fpm names no file in its messages, so only
        when that fails is each pool run alone to find the culprits.
        """
        if not files:
            return {}
        with tempfile.TemporaryDirectory(prefix="supercp-fpm-") as tmp:
            base = Path(tmp)
            pools = {}
            for i, (key, text) in enumerate(files.items()):
                pools[key] = base / f"{i}.conf"
                pools[key].write_text(text)
            said = await self._check_pools(base, "all", list(pools.values()))
            if said is None:
                return {}
            if len(pools) == 1:
                return dict.fromkeys(pools, said)
            problems: dict[str, str] = {}
            for i, (key, pool) in enumerate(pools.items()):
                said = await self._check_pools(base, str(i), [pool])
                if said is not None:
                    problems[key] = said
            return problems

    async def _check_pools(self, base: Path, name: str, pools: list[Path]) -> str | None:
        # A shard's main config as rendered, with paths of its own: the pools go into a
        # shard, so the template is checked with them.
        directory = base / f"pools-{name}"
        directory.mkdir()
        for pool in pools:
            (directory / pool.name).symlink_to(pool)
        main = base / f"main-{name}.conf"
        main.write_text(
            render_fpm_shard(self.version, 0, base / "fpm.pid", base / "fpm.log", directory)
        )
        # -n: no php.ini. Pools are parsed by php-fpm itself, whatever the ini holds, and
        # PHP's start (loading every extension) is most of the run.
        done = await self.runner.run([str(self.binary), "-n", "-t", "-y", str(main)], check=False)
        return None if done.returncode == 0 else _said(done.stdout, done.stderr)

    def fingerprint(self) -> Fingerprint:
        """Everything under /etc/php/X.Y/fpm but our pools (and their temp files), and but
        the other masters' shard configs."""
        fpm = self.layout.fpm_dir(self.version)
        legacy = self.layout.legacy_pools(self.version)
        shards = self.layout.shards_dir(self.version)
        own = None if self.shard is None else self.main_conf.name

        def ours(directory: Path, name: str) -> bool:
            if directory == legacy:
                return name.startswith(("supercp.", ".supercp."))
            if directory == fpm and name == shards.name:
                return own is None
            return directory == shards and name != own

        return fingerprint(fpm, ours)

    def pools(self) -> int:
        """How many pools this master's config includes (a shard's; Debian's is not counted)."""
        if self.shard is None:
            return -1
        return len(_names(self.layout.shard_dir(self.version, self.shard), ".conf"))

    def running(self) -> bool:
        return _read_pid(self.pid_file) is not None

    async def check(self) -> str | None:
        if self.pools() == 0:
            return None  # no master to run: reload() stops it
        done = await self.runner.run(
            [str(self.binary), "-t", "-y", str(self.main_conf)], check=False
        )
        return None if done.returncode == 0 else _said(done.stdout, done.stderr)

    async def reload(self, changes: Sequence[Change]) -> None:
        async with self._control:
            if self.shard is not None:
                if self.pools() == 0:
                    await self._stop()
                    return
                if _fpm_master(self.pid_file) is None and _read_pid(self.pid_file) is None:
                    await self._start(changes)
                    return
            await self._reload(changes)

    async def ensure_running(self) -> bool:
        """Start a shard's master if it has pools and does not run; True if started."""
        async with self._control:
            if self.shard is None or self.pools() == 0 or _read_pid(self.pid_file) is not None:
                return False
            await self._start([])
            return True

    def _unit(self) -> str:
        return f"supercp-php-fpm@{self.key}.service"

    async def _start(self, changes: Sequence[Change]) -> None:
        """Start the shard's master with the pools in place; return once it serves them."""
        log.info("%s: starting its master", self.label)
        if self.systemd:
            # Enabled too, so systemd starts it at boot (Type=notify: started means ready).
            argv = ["systemctl", "enable", "--now", self._unit()]
        else:
            # Without systemd the daemon's own start brings every shard back (ensure_running):
            # php-fpm forks, the child (in a session of its own) writes the pid file, and the
            # parent exits once the child is ready.
            argv = [str(self.binary), "--daemonize", "--fpm-config", str(self.main_conf)]
        done = await self.runner.run(argv, check=False)
        if done.returncode != 0:
            raise SystemFailure(
                f"{self.label} did not start: {_said(done.stdout, done.stderr)}",
                code="php-fpm-start-failed",
            )
        sockets = _sockets(changes)
        await _until(
            lambda: (
                _fpm_master(self.pid_file) is not None
                and all(p.exists() == wanted for p, wanted in sockets.items())
            ),
            f"{self.label} start",
        )

    async def _stop(self) -> None:
        """Its last pool went: php-fpm refuses to run without one, so the master stops."""
        pid = _read_pid(self.pid_file)
        if pid is None:
            return
        log.info("%s: its last pool went; stopping its master", self.label)
        if self.systemd:
            await self.runner.run(["systemctl", "disable", "--now", self._unit()])
        else:
            os.kill(pid, signal.SIGQUIT)  # graceful: running requests finish
        await _until(lambda: _fpm_master(self.pid_file) is None, f"{self.label} stop")

    async def _reload(self, changes: Sequence[Change]) -> None:
        pid_file = self.pid_file
        if _read_pid(pid_file) is None:
            log.warning("%s is not running; nothing to reload", self.label)
            return
        sockets = _sockets(changes)
        # Someone else's reload may be under way (a master re-executes itself, reads every
        # pool, then forks its successor): a signal sent in between is lost. So signal only
        # a master that is up, and signal again if a new master is up without our sockets.
        what = f"{self.label} reload"
        await _until(lambda: _fpm_master(pid_file) is not None, what)
        signalled = _fpm_master(pid_file)
        stamp = pid_file.stat().st_mtime_ns
        assert signalled is not None
        os.kill(signalled, signal.SIGUSR2)
        mismatch_since: float | None = None

        def reloaded() -> bool:
            nonlocal signalled, stamp, mismatch_since
            try:
                if pid_file.stat().st_mtime_ns == stamp:
                    return False
            except FileNotFoundError:
                return False
            if all(path.exists() == wanted for path, wanted in sockets.items()):
                return True
            master = _fpm_master(pid_file)
            if master is None or master == signalled:
                return False
            now = time.monotonic()
            if mismatch_since is None:
                mismatch_since = now
            elif now - mismatch_since > _RESIGNAL_AFTER:
                log.warning("%s: reloaded without our pools; signalling again", self.label)
                signalled, stamp, mismatch_since = master, pid_file.stat().st_mtime_ns, None
                os.kill(master, signal.SIGUSR2)
            return False

        await _until(reloaded, what)


def _sockets(changes: Sequence[Change]) -> dict[Path, bool]:
    """Sockets the changes' pools should have made (True) or taken away (False)."""
    sockets: dict[Path, bool] = {}
    for change in changes:
        for data in change.files.values():
            sock = _listen(data)
            if sock is not None:
                sockets[sock] = True
        for data in change.previous.values():
            sock = _listen(data)
            if sock is not None:
                sockets.setdefault(sock, False)
    return sockets


def _names(directory: Path, suffix: str) -> list[str]:
    try:
        return [n for n in os.listdir(directory) if n.endswith(suffix) and not n.startswith(".")]
    except FileNotFoundError:
        return []


def fpm_shards(layout: WebLayout, version: str) -> list[int]:
    """The shards of a version that have a directory (with pools or not)."""
    try:
        entries = os.listdir(layout.shards_dir(version))
    except FileNotFoundError:
        return []
    return sorted(int(e) for e in entries if e.isdigit() and str(int(e)) == e)


def _fpm_master(pid_file: Path) -> int | None:
    """The master's pid once it runs as one (its handlers set), else None."""
    pid = _read_pid(pid_file)
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            title = fh.read()
    except FileNotFoundError:
        return None
    return pid if title.startswith(b"php-fpm: master process") else None


def _listen(data: bytes | None) -> Path | None:
    if data is None:
        return None
    for line in data.decode().splitlines():
        if line.startswith("listen = "):
            return Path(line.removeprefix("listen = "))
    return None


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
