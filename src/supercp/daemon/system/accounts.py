"""Hosting accounts: Linux users that the daemon created, and only those.

An account is managed when three things agree: a marker file the daemon wrote before it
ran useradd (``<state_dir>/accounts/<name>.json``), a uid inside the managed range, and
the primary group ``supercp-users``. Writing the marker first makes a crash between the
two steps converge on retry instead of leaving a user the daemon no longer recognises.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from supercp.daemon.config import DaemonConfig
from supercp.daemon.system import disk
from supercp.daemon.system.files import atomic_write
from supercp.daemon.system.runner import Runner, command_failure
from supercp.daemon.system.userdb import PasswdEntry, read_expired, read_group, read_passwd
from supercp.protocol.accounts import Account, DiskUsage
from supercp.protocol.errors import (
    Conflict,
    Forbidden,
    NotFound,
    SuperCPError,
    SystemFailure,
    ValidationFailed,
)
from supercp.protocol.names import ACCOUNT_NAME_PATTERN

NOLOGIN = "/usr/sbin/nologin"
LOGIN_SHELL = "/bin/bash"
HOME_MODE = 0o711
# How long a removal keeps killing an account's processes before userdel has its say.
KILL_SECONDS = 5.0
# How long one measurement of a home may walk it; a bigger home is reported incomplete.
DISK_BUDGET = 10.0

# Names no hosting account may take even when no such user exists yet: system and service
# accounts of the packages we install (or may install later), and names that confuse people.
RESERVED_NAMES = frozenset(
    """
    root daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc gnats
    nobody nogroup _apt messagebus systemd-network systemd-resolve systemd-timesync
    systemd-coredump sshd mysql mariadb postfix dovecot dovenull pdns powerdns ftp ftpuser
    pure-ftpd nginx redis postgres memcache opendkim clamav amavis debian-spamd vmail
    supercp supercp-daemon supercp-users admin administrator hostmaster postmaster webmaster
    abuse security noc support info localhost ssl-cert tss uuidd tcpdump polkitd
    """.split()  # noqa: SIM905 (a word list reads better than 60 quoted strings)
)
_NAME_RE = re.compile(ACCOUNT_NAME_PATTERN.replace("$", r"\Z"))


def check_name(name: str) -> None:
    """Refuse names outside the pattern or on the reserved list (defence in depth)."""
    if not _NAME_RE.match(name):
        raise ValidationFailed("invalid account name", code="invalid-name", field="name")
    if name in RESERVED_NAMES or name.startswith(("systemd-", "supercp")):
        raise ValidationFailed(
            f"'{name}' is reserved for the system", code="reserved-name", field="name"
        )


def processes_of(uid: int, proc: Path = Path("/proc")) -> list[int]:
    """Live processes whose real, effective or saved uid is ``uid``, as userdel counts them
    (a zombie, which userdel ignores, is left out)."""
    found = []
    for entry in os.scandir(proc):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uids = fields.get("Uid", "").split()[:3]
        if str(uid) in uids and not fields.get("State", "").strip().startswith("Z"):
            found.append(int(entry.name))
    return found


class AccountManager:
    """Creates, converges and removes hosting accounts under the configured root."""

    def __init__(self, config: DaemonConfig, runner: Runner) -> None:
        self.config = config
        self.runner = runner
        self.root = config.host_path("/")
        self.markers = config.host_path(config.state_dir) / "accounts"
        self.home_root = config.host_path(config.home_root)

    # -- queries -----------------------------------------------------------------------

    def _users_gid(self) -> int:
        group = read_group(self.root).get(self.config.users_group)
        if group is None:
            raise SystemFailure(
                f"group {self.config.users_group} is missing; re-run the installer",
                code="not-installed",
            )
        return group.gid

    def _marker(self, name: str) -> Path:
        return self.markers / f"{name}.json"

    def _is_managed(self, entry: PasswdEntry, gid: int) -> bool:
        return (
            self._marker(entry.name).exists()
            and self.config.uid_min <= entry.uid <= self.config.uid_max
            and entry.gid == gid
        )

    def _account(self, entry: PasswdEntry, expired: set[str]) -> Account:
        return Account(
            name=entry.name,
            uid=entry.uid,
            group=self.config.users_group,
            home=entry.home,
            shell=entry.shell,
            suspended=entry.name in expired,
        )

    def resolve(self, names: Iterable[str]) -> dict[str, PasswdEntry | SuperCPError]:
        """The passwd entry of each managed account, or why the name is not one."""
        gid = self._users_gid()
        users = read_passwd(self.root)
        found: dict[str, PasswdEntry | SuperCPError] = {}
        for name in set(names):
            entry = users.get(name)
            if entry is None:
                found[name] = NotFound(f"no account '{name}'", code="no-account", field="account")
            elif not self._is_managed(entry, gid):
                found[name] = Forbidden(
                    f"'{name}' is not an account GetSuperCP manages",
                    code="unmanaged-account",
                    field="account",
                )
            else:
                found[name] = entry
        return found

    def all(self, names: Iterable[str] | None = None) -> list[Account]:
        """Every managed account, or those of ``names`` (the others left out), by name.

        With names, only those are checked: the panel shows one account's page without the
        daemon looking at (a marker file each) and sending every account there is.
        """
        gid = self._users_gid()
        users = read_passwd(self.root)
        expired = read_expired(self.root)
        wanted = sorted(users) if names is None else sorted(set(names) & users.keys())
        return [self._account(users[n], expired) for n in wanted if self._is_managed(users[n], gid)]

    # -- changes -----------------------------------------------------------------------

    def _prefix_args(self) -> list[str]:
        return [] if self.root == Path("/") else ["--prefix", str(self.root)]

    async def ensure(
        self, name: str, *, login_shell: bool, suspended: bool = False, create_only: bool = False
    ) -> tuple[Account, bool]:
        """Create the account or converge it to the desired state; idempotent, unless
        ``create_only`` refuses a name the system has already."""
        check_name(name)
        gid = self._users_gid()
        shell = LOGIN_SHELL if login_shell else NOLOGIN
        home = str(self.config.home_root / name)
        entry = read_passwd(self.root).get(name)
        if entry is not None and create_only:
            raise Conflict(
                f"the system has an account '{name}' already", code="account-exists", field="name"
            )
        created = entry is None
        if entry is None:
            # The marker goes first: after a crash, the retry recognises its own user.
            self.markers.mkdir(parents=True, exist_ok=True, mode=0o700)
            record = {"name": name, "created": time.time()}
            atomic_write(self._marker(name), json.dumps(record).encode(), mode=0o600)
            argv = [
                "useradd",
                *self._prefix_args(),
                "-K", f"UID_MIN={self.config.uid_min}",
                "-K", f"UID_MAX={self.config.uid_max}",
                "-g", self.config.users_group,
                "-N",  # no per-user group: supercp-users is the primary group
                "-M",  # the home is made below, with our owner and mode
                "-d", home,
                "-s", shell,
                "-c", "GetSuperCP hosting account",
                name,
            ]  # fmt: skip
            done = await self.runner.run(argv, check=False)
            if done.returncode != 0:
                # Nothing was created, so the marker must not vouch for whoever owns the name.
                self._marker(name).unlink(missing_ok=True)
            if done.returncode == 9:
                raise Conflict(f"user '{name}' already exists", code="account-exists")
            if done.returncode == 4:
                raise Conflict("no free uid in the managed range", code="uid-range-full")
            if done.returncode != 0:
                raise command_failure(done, "useradd")
            entry = read_passwd(self.root).get(name)
            if entry is None:
                raise SystemFailure(f"useradd did not create '{name}'")
        if not self._is_managed(entry, gid):
            raise Forbidden(
                f"'{name}' is an existing account that GetSuperCP does not manage",
                code="unmanaged-account",
                field="name",
            )
        if entry.shell != shell or entry.home != home:
            await self.runner.run(["usermod", *self._prefix_args(), "-s", shell, "-d", home, name])
            entry = read_passwd(self.root)[name]
        self._ensure_home(self.home_root / name, entry.uid, gid)
        is_suspended = name in read_expired(self.root)
        if suspended != is_suspended:
            # Expiry day 1 makes PAM refuse every login, su and cron job of the account;
            # an empty expiry lifts it. The password field is left alone ("!" already).
            expiry = "1" if suspended else ""
            await self.runner.run(["usermod", *self._prefix_args(), "-e", expiry, name])
        if suspended:
            await self._kill_processes(entry.uid)
        return self._account(entry, read_expired(self.root)), created

    async def _kill_processes(self, uid: int) -> None:
        """Kill every process of ``uid`` until none is left (zombies aside).

        One pkill is not enough: a root parent may start another right away (PHP-FPM's
        master replacing a pool's workers during a reload does), and userdel then refused
        the account ("currently used by process"). So kill again until none is left, for
        KILL_SECONDS at most; userdel says so if one still is.
        """
        if self.root != Path("/"):
            # Under a test root the uid belongs to no real process: nothing to signal.
            return
        deadline = time.monotonic() + KILL_SECONDS
        while True:
            done = await self.runner.run(["pkill", "-KILL", "-U", str(uid)], check=False)
            if done.returncode not in (0, 1):  # 1: there was nothing to kill
                raise command_failure(done, "pkill")
            if done.returncode == 1 and not await asyncio.to_thread(processes_of, uid):
                return
            if time.monotonic() >= deadline:
                return
            await asyncio.sleep(0.02)

    def _ensure_home(self, path: Path, uid: int, gid: int) -> None:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, HOME_MODE)
        st = os.lstat(path)
        # lstat: a symlink planted where the home should be is refused, never followed.
        if not stat.S_ISDIR(st.st_mode):
            raise Conflict(f"{path} exists and is not a directory", code="home-conflict")
        os.chown(path, uid, gid, follow_symlinks=False)
        os.chmod(path, HOME_MODE)

    def disk_usage(self, name: str, budget: float = DISK_BUDGET) -> DiskUsage:
        """What a managed account's home takes on disk (blocking: run it in a thread)."""
        check_name(name)
        entry = read_passwd(self.root).get(name)
        if entry is None or not self._is_managed(entry, self._users_gid()):
            raise NotFound(f"no managed account '{name}'", field="name")
        found = disk.measure(self.home_root / name, budget)
        return DiskUsage(
            name=name, bytes=found.bytes, entries=found.entries, complete=found.complete
        )

    def check_removable(self, name: str) -> None:
        """Refuse, before anything changes, a name that is not a managed account."""
        check_name(name)
        entry = read_passwd(self.root).get(name)
        if entry is not None and not self._is_managed(entry, self._users_gid()):
            raise Forbidden(
                f"'{name}' is an account that GetSuperCP does not manage",
                code="unmanaged-account",
                field="name",
            )

    async def remove(self, name: str, *, keep_home: bool) -> bool:
        """Remove a managed account (and its home); False when it was already gone."""
        check_name(name)
        gid = self._users_gid()
        entry = read_passwd(self.root).get(name)
        marker = self._marker(name)
        if entry is None:
            if not marker.exists():
                return False
            # A removal was interrupted after userdel: finish it.
            if not keep_home:
                self._remove_home(self.home_root / name)
            marker.unlink()
            return True
        if not self._is_managed(entry, gid):
            raise Forbidden(
                f"'{name}' is an account that GetSuperCP does not manage",
                code="unmanaged-account",
                field="name",
            )
        # userdel refuses while the user has processes; a removed account keeps none.
        await self._kill_processes(entry.uid)
        await self.runner.run(["userdel", *self._prefix_args(), name])
        if not keep_home:
            self._remove_home(self.home_root / name)
        marker.unlink(missing_ok=True)
        return True

    def _remove_home(self, path: Path) -> None:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(st.st_mode):
            # rmtree uses fd-based traversal here and never follows symlinks inside the tree.
            shutil.rmtree(path)
        else:
            path.unlink()
