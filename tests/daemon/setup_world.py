"""Fakes and builders for the ``super-daemon setup`` tests: a temporary root, a runner that records
what would run and answers as the services would (the real services are exercised in
tests/integration), and the helpers that read back what setup left."""

import asyncio
import os
import re
import stat
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path

from supercp.daemon.config import DaemonConfig
from supercp.daemon.setup.machine import Machine, OsPaths
from supercp.daemon.system.runner import Completed, command_failure

# deploy/os.sh's exports, as install.sh hands them to setup.
OS_ENV = {
    "OS_NGINX_CONF_D": "/etc/nginx/conf.d",
    "OS_NGINX_DEFAULT_SITE": "/etc/nginx/sites-enabled/default",
    "OS_NGINX_DEFAULT_SITE_TARGET": "/etc/nginx/sites-available/default",
    "OS_NGINX_DEFAULTS": "/etc/default/nginx",
    "OS_MARIADB_CONF_D": "/etc/mysql/mariadb.conf.d",
    "OS_MARIADB_SOCKET": "/run/mysqld/mysqld.sock",
    "OS_PDNS_DIR": "/etc/powerdns",
    "OS_PDNS_SCHEMA": "/usr/share/pdns-backend-mysql/schema/schema.mysql.sql",
    "OS_PDNS_USER": "pdns",
    "OS_LOGROTATE_D": "/etc/logrotate.d",
    "OS_SYSTEMD_UNIT_DIR": "/etc/systemd/system",
    "OS_RESOLV_CONF": "/etc/resolv.conf",
}
SCHEMA = "CREATE TABLE domains (id INT);\nCREATE TABLE records (id INT);\n"
HOST = "panel.example.test"
MAX_CONNECTIONS = "SELECT @@max_connections;"
TABLES = "SELECT COUNT(*) FROM information_schema.tables"
TLS_DIR = "/etc/supercp/panel/tls"


@dataclass(frozen=True, slots=True)
class Call:
    argv: tuple[str, ...]
    input: bytes | None
    check: bool


class FakeRunner:
    """Records every program and its stdin; answers from what a test scripted, else 0."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        # By the command line joined with spaces: its exit code and what it says then.
        self.codes: dict[str, int] = {}
        self.said: dict[str, str] = {}
        # What MariaDB answers, as `-N -B` prints it.
        self.max_connections = "151"
        self.domains_tables = "0"
        # Units that do not run until something starts them.
        self.stopped: set[str] = set()

    async def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        input: bytes | None = None,
    ) -> Completed:
        args = tuple(argv)
        self.calls.append(Call(args, input, check))
        line = " ".join(args)
        code = self.codes.get(line, self._state(args))
        done = Completed(args, code, self._stdout(args, input), self.said.get(line, ""))
        if code == 0 and args[0] == "openssl":
            make_tls_files(args)
        if check and code != 0:
            raise command_failure(done)
        return done

    def _state(self, args: tuple[str, ...]) -> int:
        # systemctl VERB UNIT, or service UNIT VERB: 3 is LSB's "not running".
        if args[0] == "systemctl" and len(args) == 3:
            verb, unit = args[1:]
        elif args[0] == "service":
            unit, verb = args[1:]
        else:
            return 0
        if verb == "start":
            self.stopped.discard(unit)
        return 3 if verb in ("status", "is-active") and unit in self.stopped else 0

    def _stdout(self, args: tuple[str, ...], input: bytes | None) -> str:
        if args[:2] == ("hostname", "-f"):
            return f"{HOST}\n"
        if args[0] != "mariadb" or input is None:
            return ""
        if input.decode() == MAX_CONNECTIONS:
            return f"{self.max_connections}\n"
        if input.decode().startswith(TABLES):
            return f"{self.domains_tables}\n"
        return ""

    def lines(self) -> list[str]:
        return [" ".join(c.argv) for c in self.calls]

    def sql(self) -> list[str]:
        """What went to MariaDB's client on stdin, in order."""
        return [c.input.decode() for c in self.calls if c.argv[0] == "mariadb" and c.input]

    def forget(self) -> None:
        self.calls.clear()


def make_tls_files(args: tuple[str, ...]) -> None:
    """What ``openssl req`` was told to make, so setup's rename of the new files works."""
    for flag in ("-keyout", "-out"):
        Path(args[args.index(flag) + 1]).write_text(f"made by {flag}\n")


class SameIds:
    """Every user and group is the test's own, so chown works anywhere."""

    def user(self, name: str) -> int:
        return os.getuid()

    def group(self, name: str) -> int:
        return os.getgid()


@dataclass
class World:
    root: Path
    machine: Machine
    runner: FakeRunner
    said: list[str]

    def path(self, system_path: str) -> Path:
        return self.machine.path(system_path)


def make_world(tmp_path: Path, *, systemd: bool = False) -> World:
    root = tmp_path / "root"
    (root / "usr/sbin").mkdir(parents=True)
    (root / "usr/sbin/php-fpm8.2").touch()
    if systemd:
        (root / "run/systemd/system").mkdir(parents=True)
    runner = FakeRunner()
    said: list[str] = []
    machine = Machine(
        DaemonConfig(root=root), OsPaths.from_environ(OS_ENV), runner, SameIds(), said.append
    )
    return World(root, machine, runner, said)


def run(step: Coroutine[object, object, None]) -> None:
    asyncio.run(step)


def owner_and_mode(path: Path) -> tuple[int, int, int]:
    st = path.lstat()
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def tree(root: Path) -> dict[str, tuple[bytes | str, int, int, int]]:
    """Every file and link under ``root``: content (or link target), mode, owner."""
    found: dict[str, tuple[bytes | str, int, int, int]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(root))] = (os.readlink(path), *owner_and_mode(path))
        elif path.is_file():
            found[str(path.relative_to(root))] = (path.read_bytes(), *owner_and_mode(path))
    return found


class Reloads:
    """A reload callable that records each call and raises what it is told to, in turn."""

    def __init__(self, *errors: Exception | None) -> None:
        self.calls: list[list[Path]] = []
        self.errors = list(errors)

    async def __call__(self, changed: list[Path]) -> None:
        self.calls.append(list(changed))
        if self.errors:
            error = self.errors.pop(0)
            if error is not None:
                raise error


def checker(problem: str | None) -> Callable[[], Awaitable[str | None]]:
    async def check() -> str | None:
        return problem

    return check


def debian_default_site(w: World, link: str = OS_ENV["OS_NGINX_DEFAULT_SITE_TARGET"]) -> Path:
    """The package's default site: sites-available/default and its link (absolute, as
    nginx-common's postinst makes it)."""
    target = w.path(OS_ENV["OS_NGINX_DEFAULT_SITE_TARGET"])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("server { listen 80 default_server; }\n")
    site = w.path(OS_ENV["OS_NGINX_DEFAULT_SITE"])
    site.parent.mkdir(parents=True, exist_ok=True)
    site.symlink_to(link)
    return site


def passwords(w: World) -> list[str]:
    found = []
    for path in w.machine.secrets.glob("*.cnf"):
        found += re.findall(r"^password=(\S+)$", path.read_text(), re.MULTILINE)
    return found


def pdns_world(tmp_path: Path, resolv_conf: str = "nameserver 9.9.9.9\n") -> World:
    w = make_world(tmp_path)
    schema = w.path(OS_ENV["OS_PDNS_SCHEMA"])
    schema.parent.mkdir(parents=True)
    schema.write_text(SCHEMA)
    w.path(OS_ENV["OS_RESOLV_CONF"]).parent.mkdir(parents=True, exist_ok=True)
    w.path(OS_ENV["OS_RESOLV_CONF"]).write_text(resolv_conf)
    return w


def schema_loads(w: World) -> list[Call]:
    as_root = ("mariadb", "--protocol=socket", "-u", "root", "-N", "-B", "powerdns")
    return [c for c in w.runner.calls if c.argv == as_root]
