"""PHP-FPM masters as the reloaders see them: Debian's of each version, and our shards,
which the daemon starts and stops itself (or through systemd's template unit).

A reload sends the master SIGUSR2 and waits for its effect, so a caller is answered only
once its change is live: the master has re-read its files (it rewrites its pid file) and
every socket that should exist does, every socket that should be gone is.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from supercp.daemon.system.processes import checker_message, poll_until, read_pid, title
from supercp.daemon.system.reloader import Change, CoalescedCheck, Fingerprint, fingerprint
from supercp.daemon.system.runner import Runner
from supercp.daemon.system.userdb import read_passwd
from supercp.daemon.web.layout import FpmMaster, WebLayout
from supercp.daemon.web.render import render_fpm_shard
from supercp.protocol.errors import SystemFailure

log = logging.getLogger(__name__)

K = TypeVar("K")

# How long a new PHP-FPM master may be up without our sockets before we signal it again.
_RESIGNAL_AFTER = 2.0
# How long no master may run after a reload's signal before the reload counts as failed.
_GONE_AFTER = 1.0


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
        self.master = FpmMaster(version, shard)
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
        self.check_candidates: CoalescedCheck[str] = CoalescedCheck(self._check_candidates)
        # Starts, stops and reloads of this master, one at a time.
        self._control = asyncio.Lock()

    async def _check_candidates(self, files: dict[K, str]) -> dict[K, str]:
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
            problem = await self._check_pools(base, "all", list(pools.values()))
            if problem is None:
                return {}
            if len(pools) == 1:
                return dict.fromkeys(pools, problem)
            problems: dict[K, str] = {}
            for i, (key, pool) in enumerate(pools.items()):
                problem = await self._check_pools(base, str(i), [pool])
                if problem is not None:
                    problems[key] = problem
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
        return None if done.returncode == 0 else checker_message(done.stdout, done.stderr)

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
        return read_pid(self.pid_file) is not None

    def set_aside_orphans(self) -> list[str]:
        """Move this shard's pools whose user no longer exists out of its config.

        Such a pool can never run, and php-fpm refuses the whole configuration for it
        ("cannot get uid"): every other account's change in the shard would then be refused
        too, its own removal included. It happens when a user is removed outside the daemon
        (userdel by hand). The file goes to the state directory's orphaned-pools/, so an
        administrator can see what it was; returns the pools' names.
        """
        if self.shard is None:
            return []
        directory = self.layout.shard_dir(self.version, self.shard)
        users = read_passwd(self.layout.config.host_path("/"))
        moved = []
        for name in _names(directory, ".conf"):
            pool = directory / name
            user = _pool_user(pool)
            if user is None or user in users:
                continue
            aside = self.layout.orphaned_pools / f"{self.version}-{self.shard}"
            aside.mkdir(parents=True, exist_ok=True, mode=0o700)
            socket = _listen(pool.read_bytes())
            os.replace(pool, aside / name)
            # Its socket, which no master listens on now, still names the gone user's uid,
            # which the next new account may get.
            if socket is not None and socket.parent == self.layout.php_run:
                socket.unlink(missing_ok=True)
            log.error(
                "%s: pool %s runs as %s, who no longer exists: moved to %s",
                self.label,
                name,
                user,
                aside,
            )
            moved.append(name)
        return moved

    async def check(self) -> str | None:
        problem = await self._check_whole()
        # Looked for only when php-fpm refused: the check passes far more often than not.
        if problem is None:
            return None
        moved = await asyncio.to_thread(self.set_aside_orphans)
        return await self._check_whole() if moved else problem

    async def _check_whole(self) -> str | None:
        if self.pools() == 0:
            return None  # no master to run: reload() stops it
        done = await self.runner.run(
            [str(self.binary), "-t", "-y", str(self.main_conf)], check=False
        )
        return None if done.returncode == 0 else checker_message(done.stdout, done.stderr)

    async def reload(self, changes: Sequence[Change]) -> None:
        async with self._control:
            if self.shard is not None:
                if self.pools() == 0:
                    await self._stop()
                    return
                if _fpm_master(self.pid_file) is None and read_pid(self.pid_file) is None:
                    await self._start(changes)
                    return
            await self._reload(changes)

    async def ensure_running(self) -> bool:
        """Start a shard's master if it has pools and does not run; True if started."""
        async with self._control:
            if self.shard is None or self.pools() == 0 or read_pid(self.pid_file) is not None:
                return False
            await self._start([])
            return True

    def _unit(self) -> str:
        return f"supercp-php-fpm@{self.master}.service"

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
                f"{self.label} did not start: {checker_message(done.stdout, done.stderr)}",
                code="php-fpm-start-failed",
            )
        sockets = _sockets(changes)
        await poll_until(
            lambda: (
                _fpm_master(self.pid_file) is not None
                and all(p.exists() == wanted for p, wanted in sockets.items())
            ),
            f"{self.label} start",
        )

    async def _stop(self) -> None:
        """Its last pool went: php-fpm refuses to run without one, so the master stops."""
        pid = read_pid(self.pid_file)
        if pid is None:
            return
        log.info("%s: its last pool went; stopping its master", self.label)
        if self.systemd:
            await self.runner.run(["systemctl", "disable", "--now", self._unit()])
        else:
            os.kill(pid, signal.SIGQUIT)  # graceful: running requests finish
        # Until the process is gone, not only its pid file: a start of the same shard right
        # after must not meet the old master still holding the sockets.
        await poll_until(lambda: not _is_master(pid), f"{self.label} stop")

    async def _reload(self, changes: Sequence[Change]) -> None:
        pid_file = self.pid_file
        if read_pid(pid_file) is None:
            log.warning("%s is not running; nothing to reload", self.label)
            return
        sockets = _sockets(changes)
        # Someone else's reload may be under way (a master re-executes itself, reads every
        # pool, then forks its successor): a signal sent in between is lost. So signal only
        # a master that is up, and signal again if a new master is up without our sockets.
        what = f"{self.label} reload"
        await poll_until(lambda: _fpm_master(pid_file) is not None, what)
        signalled = _fpm_master(pid_file)
        stamp = pid_file.stat().st_mtime_ns
        assert signalled is not None
        os.kill(signalled, signal.SIGUSR2)
        mismatch_since: float | None = None

        gone_since: float | None = None

        def reloaded() -> bool:
            nonlocal signalled, stamp, mismatch_since, gone_since
            # The signalled master exited and no other took its pid file: with --daemonize
            # a reload forks the successor, which writes the pid file before its parent
            # leaves, so only a master that failed to start again looks like this for long.
            if signalled is not None and not _exists(signalled) and _fpm_master(pid_file) is None:
                gone_since = gone_since or time.monotonic()
                if time.monotonic() - gone_since > _GONE_AFTER:
                    raise _MasterGone
            else:
                gone_since = None
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

        try:
            await poll_until(reloaded, what)
        except _MasterGone:
            # A master that fails to read its configuration on SIGUSR2 exits, taking every
            # pool of the shard with it: a pool whose user is gone does that, and only the
            # reload finds it when the files checked before did not change. Start it again
            # without such pools, rather than wait for a reload that cannot come.
            log.error("%s: its master exited on reload", self.label)
            if self.shard is None:
                raise SystemFailure(f"{self.label} exited on reload") from None
            await asyncio.to_thread(self.set_aside_orphans)
            if self.pools() > 0:
                await self._start(changes)


class _MasterGone(Exception):
    """The master signalled to reload exited instead (fpm.PhpFpm._reload)."""


def _pool_user(pool: Path) -> str | None:
    """The ``user =`` of a pool file we rendered (render_fpm_pool), None if it has none."""
    try:
        text = pool.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None  # removed meanwhile
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "user":
            return value.strip()
    return None


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
    pid = read_pid(pid_file)
    return pid if pid is not None and _is_master(pid) else None


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_master(pid: int) -> bool:
    name = title(pid)
    return name is not None and name.startswith(b"php-fpm: master process")


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
