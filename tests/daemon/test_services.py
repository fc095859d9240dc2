"""ServiceManager's choice of units and commands, against a temporary root and a runner that
records what would run (the real services are exercised in tests/integration)."""

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from supercp.daemon.system.runner import Completed
from supercp.daemon.system.services import ServiceManager
from supercp.protocol.errors import NotFound, SystemFailure


class RecordingRunner:
    def __init__(self, codes: dict[str, int] | None = None, stdout: str = "") -> None:
        self.calls: list[tuple[str, ...]] = []
        self.codes = codes or {}
        self.stdout = stdout

    async def run(
        self, argv: Sequence[str], *, check: bool = True, timeout: float | None = None
    ) -> Completed:
        args = tuple(argv)
        self.calls.append(args)
        if args[0] == "dpkg-query":
            out = "".join(f"{p}\t1.0\tii \n" for p in args[4:])
            return Completed(args, 0, out, "")
        code = self.codes.get(" ".join(args), 0)
        return Completed(args, code, self.stdout, "boom" if code else "")


class NothingInstalled(RecordingRunner):
    """dpkg-query knows none of the packages; every other program fails too."""

    async def run(
        self, argv: Sequence[str], *, check: bool = True, timeout: float | None = None
    ) -> Completed:
        return Completed(tuple(argv), 1, "", "")


def make_root(tmp_path: Path, php: Sequence[str] = ("8.2",), systemd: bool = False) -> Path:
    (tmp_path / "usr/sbin").mkdir(parents=True)
    for version in php:
        (tmp_path / f"usr/sbin/php-fpm{version}").touch()
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    (tmp_path / "var/lib/dpkg/status").touch()
    if systemd:
        (tmp_path / "run/systemd/system").mkdir(parents=True)
    return tmp_path


def test_it_finds_every_installed_php_fpm_version(tmp_path):
    manager = ServiceManager(make_root(tmp_path, php=("7.4", "8.3", "8.2")), RecordingRunner())
    assert manager.php_versions() == ["8.3", "8.2", "7.4"]
    assert [u.unit for u in manager.units("php-fpm")] == ["php8.3-fpm", "php8.2-fpm", "php7.4-fpm"]


def test_without_systemd_it_uses_service_and_maps_lsb_exit_codes(tmp_path):
    runner = RecordingRunner({"service nginx status": 3, "service pdns status": 1})
    manager = ServiceManager(make_root(tmp_path), runner)
    states = {s.unit: s.state for s in asyncio.run(manager.status())}
    assert states["nginx"] == "stopped"
    assert states["pdns"] == "failed"
    assert states["mariadb"] == "running"
    assert ("service", "postfix", "status") in runner.calls


def test_with_systemd_it_asks_systemctl(tmp_path):
    runner = RecordingRunner(stdout="inactive\n")
    manager = ServiceManager(make_root(tmp_path, systemd=True), runner)
    [status] = asyncio.run(manager.status("nginx"))
    assert status.state == "stopped"
    assert ("systemctl", "is-active", "nginx") in runner.calls


def test_reload_of_pure_ftpd_restarts_it_since_it_has_no_reload(tmp_path):
    runner = RecordingRunner()
    manager = ServiceManager(make_root(tmp_path), runner)
    asyncio.run(manager.act("pure-ftpd", "reload"))
    assert ("service", "pure-ftpd-mysql", "restart") in runner.calls


def test_reload_of_php_fpm_reloads_every_version(tmp_path):
    runner = RecordingRunner()
    manager = ServiceManager(make_root(tmp_path, php=("8.2", "8.3"), systemd=True), runner)
    asyncio.run(manager.act("php-fpm", "reload"))
    assert ("systemctl", "reload", "php8.3-fpm") in runner.calls
    assert ("systemctl", "reload", "php8.2-fpm") in runner.calls


def test_a_failed_reload_reports_the_tools_message(tmp_path):
    runner = RecordingRunner({"service nginx reload": 1})
    manager = ServiceManager(make_root(tmp_path), runner)
    with pytest.raises(SystemFailure, match="boom"):
        asyncio.run(manager.act("nginx", "reload"))


def test_acting_on_a_service_that_is_not_installed_is_not_found(tmp_path):
    manager = ServiceManager(make_root(tmp_path), NothingInstalled())
    with pytest.raises(NotFound):
        asyncio.run(manager.act("nginx", "restart"))
    assert {s.state for s in asyncio.run(manager.status())} == {"not-installed"}


def test_without_any_php_fpm_it_reports_the_metapackage_as_not_installed(tmp_path):
    manager = ServiceManager(make_root(tmp_path, php=()), NothingInstalled())
    [php] = asyncio.run(manager.status("php-fpm"))
    assert (php.unit, php.state) == ("php-fpm", "not-installed")
