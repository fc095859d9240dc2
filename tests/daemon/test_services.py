"""ServiceManager's choice of units and commands, and the short cache of states behind
system.info, against a temporary root and a runner that records what would run (the real
services are exercised in tests/integration)."""

import asyncio
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from supercp.daemon.system.runner import Completed
from supercp.daemon.system.services import ServiceManager
from supercp.protocol.client import DaemonClient
from supercp.protocol.errors import NotFound, SystemFailure
from supercp.protocol.services import ServiceStatus
from tests.daemon.threaded import ThreadDaemon


class RecordingRunner:
    def __init__(self, codes: dict[str, int] | None = None, stdout: str = "") -> None:
        self.calls: list[tuple[str, ...]] = []
        self.codes = codes or {}
        self.stdout = stdout

    async def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        input: bytes | None = None,
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
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        input: bytes | None = None,
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


# --- recent_status: the short cache behind system.info -----------------------------------------


class GatedRunner(RecordingRunner):
    """A status run reads the state when it starts and answers once ``gate`` is open."""

    def __init__(self, codes: dict[str, int] | None = None) -> None:
        super().__init__(codes)
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = False

    async def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        input: bytes | None = None,
    ) -> Completed:
        done = await super().run(argv, check=check, timeout=timeout)
        if argv[-1] == "status":
            await self.gate.wait()
            if self.fail:
                raise SystemFailure("status failed")
        return done

    def probes(self) -> int:
        """How many times the state of nginx was asked."""
        return self.calls.count(("service", "nginx", "status"))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cached(tmp_path: Path, runner: RecordingRunner, clock: Clock | None = None) -> ServiceManager:
    return ServiceManager(make_root(tmp_path), runner, status_ttl=2.0, clock=clock or Clock())


def states(found: list[ServiceStatus]) -> dict[str, str]:
    return {s.unit: s.state for s in found}


def test_concurrent_callers_share_one_status_probe(tmp_path):
    runner = GatedRunner()
    manager = cached(tmp_path, runner)

    async def main() -> list[list[ServiceStatus]]:
        runner.gate.clear()
        callers = [asyncio.create_task(manager.recent_status()) for _ in range(20)]
        await asyncio.sleep(0.01)  # every caller is waiting
        runner.gate.set()
        return await asyncio.gather(*callers)

    answers = asyncio.run(main())
    assert runner.probes() == 1
    # One run per unit, however many callers.
    status_runs = [c for c in runner.calls if c[-1] == "status"]
    assert len(status_runs) == len(manager.units())
    assert all(a == answers[0] for a in answers)


def test_states_are_reused_for_the_ttl_then_read_again(tmp_path):
    runner, clock = GatedRunner(), Clock()
    manager = cached(tmp_path, runner, clock)

    async def main() -> None:
        await manager.recent_status()
        clock.now += 1.9
        await manager.recent_status()
        assert runner.probes() == 1
        clock.now += 0.2
        await manager.recent_status()
        assert runner.probes() == 2

    asyncio.run(main())


@pytest.mark.parametrize("verb", ["reload", "restart"])
def test_a_reload_or_restart_makes_the_next_caller_read_the_states_again(tmp_path, verb):
    runner = GatedRunner()
    manager = cached(tmp_path, runner)

    async def main() -> None:
        assert states(await manager.recent_status())["nginx"] == "running"
        runner.codes["service nginx status"] = 3
        await manager.act("nginx", verb)
        probed = runner.probes()
        assert states(await manager.recent_status())["nginx"] == "stopped"
        assert runner.probes() == probed + 1

    asyncio.run(main())


def test_a_failed_reload_invalidates_too(tmp_path):
    runner = GatedRunner({"service nginx reload": 1})
    manager = cached(tmp_path, runner)

    async def main() -> None:
        await manager.recent_status()
        with pytest.raises(SystemFailure):
            await manager.act("nginx", "reload")
        await manager.recent_status()
        assert runner.probes() == 2

    asyncio.run(main())


def test_a_probe_that_started_before_a_restart_is_not_kept(tmp_path):
    runner = GatedRunner()
    manager = cached(tmp_path, runner)

    async def main() -> None:
        runner.gate.clear()
        early = asyncio.create_task(manager.recent_status())
        await asyncio.sleep(0.01)  # the probe is in flight, having read "running"
        runner.codes["service nginx status"] = 3
        restart = asyncio.create_task(manager.act("nginx", "restart"))
        await asyncio.sleep(0.01)  # restarted; now reading the states it reports
        runner.gate.set()
        await restart
        assert states(await early)["nginx"] == "running"
        # Kept neither the early probe's answer nor joined it.
        assert states(await manager.recent_status())["nginx"] == "stopped"

    asyncio.run(main())


def test_a_caller_that_gives_up_does_not_cancel_the_others_probe(tmp_path):
    runner = GatedRunner()
    manager = cached(tmp_path, runner)

    async def main() -> None:
        runner.gate.clear()
        quitter = asyncio.create_task(manager.recent_status())
        stayer = asyncio.create_task(manager.recent_status())
        await asyncio.sleep(0.01)
        quitter.cancel()
        await asyncio.sleep(0.01)
        runner.gate.set()
        assert states(await stayer)["nginx"] == "running"
        assert quitter.cancelled()
        assert runner.probes() == 1

    asyncio.run(main())


def test_a_failed_probe_reaches_every_caller_and_is_not_kept(tmp_path):
    runner = GatedRunner()
    runner.fail = True
    manager = cached(tmp_path, runner)

    async def main() -> None:
        answers = await asyncio.gather(
            manager.recent_status(), manager.recent_status(), return_exceptions=True
        )
        assert all(isinstance(a, SystemFailure) for a in answers)
        runner.fail = False
        assert states(await manager.recent_status())["nginx"] == "running"

    asyncio.run(main())


# --- the same, through the daemon's socket -------------------------------------------------------


@pytest.fixture
def daemon(world_dir: Path) -> Iterator[tuple[ThreadDaemon, GatedRunner]]:
    runner = GatedRunner()
    services = ServiceManager(make_root(world_dir / "services"), runner)
    d = ThreadDaemon(world_dir, services=services)
    d.start()
    yield d, runner
    d.stop()


def info(d: ThreadDaemon) -> dict[str, str]:
    with DaemonClient(d.socket) as c:
        return {s["unit"]: s["state"] for s in c.call("system.info")["services"]}


def test_system_info_called_at_once_by_many_probes_the_services_once(daemon):
    d, runner = daemon
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: info(d), range(10)))
    assert runner.probes() == 1
    assert all(a == answers[0] for a in answers)
    assert answers[0]["nginx"] == "running"


def test_services_reload_makes_system_info_probe_again(daemon):
    d, runner = daemon
    info(d)
    runner.codes["service nginx status"] = 3
    assert info(d)["nginx"] == "running"  # within the TTL
    with DaemonClient(d.socket) as c:
        c.call("services.reload", {"service": "nginx"})
    probed = runner.probes()
    assert info(d)["nginx"] == "stopped"
    assert runner.probes() == probed + 1
