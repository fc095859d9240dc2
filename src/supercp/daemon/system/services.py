"""The allow-listed system services: state, version, reload and restart.

Through systemd where it is PID 1, through Debian's ``service`` and init scripts otherwise.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from supercp.daemon.system.runner import Runner, command_failure
from supercp.protocol.errors import NotFound
from supercp.protocol.names import SERVICE_NAMES, ServiceName
from supercp.protocol.services import ServiceState, ServiceStatus


@dataclass(frozen=True, slots=True)
class Unit:
    """One init unit of a managed service and the package that ships it."""

    name: ServiceName
    unit: str
    package: str


# Fixed units and packages per service (php-fpm is found per installed version).
_FIXED: dict[ServiceName, tuple[str, str]] = {
    "nginx": ("nginx", "nginx"),
    "mariadb": ("mariadb", "mariadb-server"),
    "postfix": ("postfix", "postfix"),
    "dovecot": ("dovecot", "dovecot-core"),
    "pdns": ("pdns", "pdns-server"),
    "pure-ftpd": ("pure-ftpd-mysql", "pure-ftpd-mysql"),
}
# Pure-FTPd has no configuration reload; it reads its MySQL users at each login anyway.
_RELOAD_VERB: dict[ServiceName, str] = {"pure-ftpd": "restart"}
_PHP_FPM = re.compile(r"^php-fpm(\d+\.\d+)$")
# LSB exit codes of `service X status`.
_LSB_STATE: dict[int, ServiceState] = {0: "running", 1: "failed", 2: "failed", 3: "stopped"}
_SYSTEMD_STATE: dict[str, ServiceState] = {
    "active": "running",
    "reloading": "running",
    "inactive": "stopped",
    "failed": "failed",
}
# How old the states system.info reports may be: the dashboard asks several times a second,
# and each state is an init script run (a shell script) or a systemctl call.
STATUS_TTL = 2.0

Probe = Callable[[], Awaitable[list[ServiceStatus]]]


class _Recent:
    """A probe's last result, kept for ``ttl`` seconds; concurrent callers share one probe.

    ``invalidate`` drops the result and disowns a probe in flight: callers after it start a
    new probe, and the old one's result (read before the change) is never kept.
    """

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self.clock = clock
        self._value: list[ServiceStatus] | None = None
        self._at = 0.0
        self._flight: asyncio.Task[list[ServiceStatus]] | None = None
        self._generation = 0

    async def get(self, probe: Probe) -> list[ServiceStatus]:
        if self._value is not None and self.clock() - self._at < self.ttl:
            return list(self._value)
        if self._flight is None:
            self._flight = asyncio.create_task(self._fill(probe, self._generation))
            self._flight.add_done_callback(_retrieve)
        # Shielded: a caller that gives up does not cancel the probe the others wait for.
        return list(await asyncio.shield(self._flight))

    async def _fill(self, probe: Probe, generation: int) -> list[ServiceStatus]:
        try:
            value = await probe()
        finally:
            if generation == self._generation:
                self._flight = None
        if generation == self._generation:
            self._value, self._at = value, self.clock()
        return value

    def invalidate(self) -> None:
        self._generation += 1
        self._value = None
        self._flight = None


def _retrieve(task: asyncio.Task[list[ServiceStatus]]) -> None:
    # Every waiter may have gone; the failure is theirs to see, not the loop's to log.
    if not task.cancelled():
        task.exception()


def systemd_runs(root: Path) -> bool:
    """True when systemd is PID 1 (its runtime directory exists under ``root``)."""
    return (root / "run/systemd/system").is_dir()


class ServiceManager:
    """Knows the units of each allow-listed service and drives them."""

    def __init__(
        self,
        root: Path,
        runner: Runner,
        timeout: float = 120.0,
        status_ttl: float = STATUS_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root = root
        self.runner = runner
        self.timeout = timeout
        self._versions: dict[str, str] = {}
        self._versions_stamp: float = -1.0
        self._recent = _Recent(status_ttl, clock)

    @property
    def systemd(self) -> bool:
        """True when systemd is PID 1 (its runtime directory exists)."""
        return systemd_runs(self.root)

    def php_versions(self) -> list[str]:
        """Installed PHP-FPM versions, detected from their binaries, newest first."""
        found: list[str] = []
        try:
            names = os.listdir(self.root / "usr/sbin")
        except FileNotFoundError:
            return found
        for entry in names:
            m = _PHP_FPM.match(entry)
            if m:
                found.append(m.group(1))
        return sorted(found, key=lambda v: tuple(int(x) for x in v.split(".")), reverse=True)

    def units(self, service: ServiceName | None = None) -> list[Unit]:
        names = SERVICE_NAMES if service is None else (service,)
        units: list[Unit] = []
        for name in names:
            if name == "php-fpm":
                versions = self.php_versions()
                units.extend(Unit("php-fpm", f"php{v}-fpm", f"php{v}-fpm") for v in versions)
                if not versions:
                    # Reported as not installed under the name of Debian's metapackage.
                    units.append(Unit("php-fpm", "php-fpm", "php-fpm"))
            else:
                unit, package = _FIXED[name]
                units.append(Unit(name, unit, package))
        return units

    async def _package_versions(self) -> dict[str, str]:
        # dpkg's status file changes on every install; cache versions until it does.
        status_file = self.root / "var/lib/dpkg/status"
        try:
            stamp = status_file.stat().st_mtime
        except FileNotFoundError:
            return {}
        if stamp != self._versions_stamp:
            packages = sorted({u.package for u in self.units()})
            done = await self.runner.run(
                [
                    "dpkg-query",
                    f"--admindir={self.root / 'var/lib/dpkg'}",
                    "-W",
                    "-f=${Package}\\t${Version}\\t${db:Status-Abbrev}\\n",
                    *packages,
                ],
                check=False,
            )
            versions: dict[str, str] = {}
            for line in done.stdout.splitlines():
                parts = line.split("\t")
                if len(parts) == 3 and parts[2].startswith("ii"):
                    versions[parts[0]] = parts[1]
            self._versions, self._versions_stamp = versions, stamp
        return self._versions

    async def _state(self, unit: Unit, installed: bool) -> ServiceState:
        if not installed:
            return "not-installed"
        if self.systemd:
            done = await self.runner.run(["systemctl", "is-active", unit.unit], check=False)
            return _SYSTEMD_STATE.get(done.stdout.strip(), "unknown")
        done = await self.runner.run(["service", unit.unit, "status"], check=False)
        return _LSB_STATE.get(done.returncode, "unknown")

    async def status(self, service: ServiceName | None = None) -> list[ServiceStatus]:
        """Version and state of each unit of ``service`` (or of every managed service)."""
        versions = await self._package_versions()
        units = self.units(service)
        # Init scripts are slow shell scripts: ask all of them at once.
        states = await asyncio.gather(*(self._state(u, u.package in versions) for u in units))
        return [
            ServiceStatus(
                name=u.name,
                unit=u.unit,
                package=u.package,
                version=versions.get(u.package),
                state=state,
            )
            for u, state in zip(units, states, strict=True)
        ]

    async def recent_status(self) -> list[ServiceStatus]:
        """Every managed service's state, read at most ``status_ttl`` s ago (or since the last
        reload or restart); concurrent callers share one probe."""
        return await self._recent.get(self.status)

    async def act(self, service: ServiceName, verb: str) -> list[ServiceStatus]:
        """Reload or restart every installed unit of ``service``; then report their state."""
        if verb == "reload":
            verb = _RELOAD_VERB.get(service, "reload")
        versions = await self._package_versions()
        installed = [u for u in self.units(service) if u.package in versions]
        if not installed:
            raise NotFound(f"{service} is not installed", code="not-installed", field="service")
        try:
            for unit in installed:
                argv = (
                    ["systemctl", verb, unit.unit] if self.systemd else ["service", unit.unit, verb]
                )
                done = await self.runner.run(argv, check=False, timeout=self.timeout)
                if done.returncode != 0:
                    raise command_failure(done, f"{verb} of {unit.unit}")
        finally:
            # Even a failed one may have stopped the service.
            self._recent.invalidate()
        return await self.status(service)
