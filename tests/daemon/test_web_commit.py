"""The manager's checks and commit over fake services: what overlaps, what waits, what is
taken back, and what calls in flight together share."""

import asyncio
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from supercp.daemon.config import DaemonConfig
from supercp.daemon.system.accounts import AccountManager
from supercp.daemon.system.reloader import Change, CoalescedCheck, Fingerprint, Reloader
from supercp.daemon.system.runner import SystemRunner
from supercp.daemon.web.layout import FpmMaster
from supercp.daemon.web.manager import WebManager
from supercp.daemon.web.plan import Applying, File, SiteChange
from supercp.daemon.web.site_dirs import Owner
from supercp.protocol.errors import Timeout
from supercp.protocol.web import SiteSpec

Events = list[tuple[str, str, float]]


class Service:
    """Valid unless one of its files holds b"bad"; a reload takes 50 ms and is logged."""

    def __init__(self, name: str, directory: Path, events: Events) -> None:
        self.name = name
        self.directory = directory
        self.events = events
        self.reloaded: list[list[str]] = []
        self.delay = 0.05

    async def check(self) -> str | None:
        bad = sorted(p.name for p in self.directory.iterdir() if p.read_bytes() == b"bad")
        return f"bad files: {', '.join(bad)}" if bad else None

    def fingerprint(self) -> Fingerprint:
        return frozenset()

    async def reload(self, changes: Sequence[Change]) -> None:
        self.events.append((self.name, "reload", time.monotonic()))
        await asyncio.sleep(self.delay)
        self.events.append((self.name, "reloaded", time.monotonic()))
        self.reloaded.append([c.key for c in changes])


class Candidates:
    """A candidate checker that takes 50 ms and refuses the domains in ``refuse``."""

    def __init__(self, name: str, events: Events, refuse: set[str]) -> None:
        self.name = name
        self.events = events
        self.refuse = refuse

    async def check_candidates(self, files: dict[str, str]) -> dict[str, str]:
        self.events.append((self.name, "check", time.monotonic()))
        await asyncio.sleep(0.05)
        self.events.append((self.name, "checked", time.monotonic()))
        return {d: f"{self.name} says no" for d in files if d in self.refuse}


class Bench:
    """A manager on a temporary root whose nginx and PHP-FPM 8.2 are fakes."""

    def __init__(self, root: Path) -> None:
        config = DaemonConfig(root=root)
        (root / "usr/sbin").mkdir(parents=True)
        (root / "usr/sbin/php-fpm8.2").touch()
        self.vhosts = root / "etc/nginx/supercp/sites"
        self.pools = root / "etc/php/8.2/fpm/pool.d"
        for directory in (self.vhosts, self.pools, root / "var/lib/supercp/sites"):
            directory.mkdir(parents=True)
        runner = SystemRunner()
        self.manager = WebManager(config, runner, AccountManager(config, runner))
        self.events: Events = []
        self.nginx = Service("nginx", self.vhosts, self.events)
        self.fpm = Service("php-fpm", self.pools, self.events)
        self.manager.nginx_reloader = Reloader(self.nginx)
        debian = FpmMaster("8.2")
        self.manager._fpm[debian] = (self.manager.fpm(debian)[0], Reloader(self.fpm))

    def job(self, domain: str, vhost: bytes = b"ok", pool: bytes = b"ok") -> Applying:
        """A new PHP site planned and recorded, with these files."""
        spec = SiteSpec(domain=domain, account="alice", php="8.2")
        path = self.vhosts / f"{domain}.conf"
        change = SiteChange(
            spec,
            self.manager.layout.plan(spec, "supercp-users"),
            Owner(os.getuid(), os.getgid(), os.getgid()),
            shard=None,
            changed=True,
            vhost=File(path, vhost),
            new_vhost=not path.exists(),
            pools_up={FpmMaster("8.2"): File(self.pools / f"supercp.{domain}.conf", pool)},
        )
        site = Applying(change)
        self.manager._record([site], durable=False)
        return site

    def commit(self, jobs: list[Applying]) -> None:
        async def run() -> None:
            await self.manager._commit(jobs, asyncio.get_running_loop().create_future())

        asyncio.run(run())

    def at(self, name: str, what: str) -> float:
        return next(t for n, w, t in self.events if (n, w) == (name, what))


@pytest.fixture
def bench(tmp_path: Path) -> Bench:
    return Bench(tmp_path)


def test_a_new_sites_server_block_and_pool_are_reloaded_at_once(bench: Bench) -> None:
    job = bench.job("new.example")
    bench.commit([job])
    assert job.error is None
    assert bench.at("nginx", "reload") < bench.at("php-fpm", "reloaded")
    assert bench.at("php-fpm", "reload") < bench.at("nginx", "reloaded")
    assert bench.manager.records.sites["new.example"].committed


def test_a_change_to_a_served_site_waits_for_its_pool_before_nginx(bench: Bench) -> None:
    (bench.vhosts / "live.example.conf").write_bytes(b"ok")
    job = bench.job("live.example", vhost=b"ok, with a new pool")
    bench.commit([job])
    assert job.error is None
    assert bench.at("php-fpm", "reloaded") <= bench.at("nginx", "reload")


def test_a_refused_pool_takes_the_new_server_block_back(bench: Bench) -> None:
    bad, good = bench.job("bad.example", pool=b"bad"), bench.job("good.example")
    bench.commit([bad, good])
    assert bad.error is not None
    assert bad.error.code == "php-fpm-config-invalid"
    assert good.error is None
    assert sorted(p.name for p in bench.vhosts.iterdir()) == ["good.example.conf"]
    assert sorted(p.name for p in bench.pools.iterdir()) == ["supercp.good.example.conf"]
    assert sorted(bench.manager.records.sites) == ["good.example"]
    # Its server block went live with the pool's reload and out again with the next one.
    assert [sorted(keys) for keys in bench.nginx.reloaded] == [
        ["bad.example", "good.example"],
        ["bad.example"],
    ]


def test_a_refused_server_block_takes_the_pool_back(bench: Bench) -> None:
    job = bench.job("bad.example", vhost=b"bad")
    bench.commit([job])
    assert job.error is not None
    assert job.error.code == "nginx-config-invalid"
    assert list(bench.vhosts.iterdir()) == []
    assert list(bench.pools.iterdir()) == []
    assert "bad.example" not in bench.manager.records.sites
    assert bench.fpm.reloaded == [["8.2|bad.example"], ["8.2|bad.example"]]


def test_candidates_are_checked_at_once_and_a_refused_one_fails_its_own_site(
    bench: Bench,
) -> None:
    nginx = Candidates("nginx", bench.events, {"a.example"})
    fpm = Candidates("php-fpm", bench.events, {"b.example"})
    bench.manager.nginx = nginx  # type: ignore[assignment]
    debian = FpmMaster("8.2")
    bench.manager._fpm[debian] = (fpm, bench.manager._fpm[debian][1])  # type: ignore[assignment]
    jobs = [bench.job(d) for d in ("a.example", "b.example", "c.example")]
    asyncio.run(bench.manager._check_candidates(jobs))
    assert bench.at("php-fpm", "check") < bench.at("nginx", "checked")
    assert bench.at("nginx", "check") < bench.at("php-fpm", "checked")
    assert [j.error.code if j.error else None for j in jobs] == [
        "nginx-config-invalid",
        "php-fpm-config-invalid",
        None,
    ]
    # Nothing was written: the checks only read the candidates.
    assert list(bench.vhosts.iterdir()) == []
    assert list(bench.pools.iterdir()) == []


def test_concurrent_calls_share_a_candidate_run_and_problems_stay_with_their_call() -> None:
    runs: list[list[tuple[int, str]]] = []

    async def check(files: dict[tuple[int, str], str]) -> dict[tuple[int, str], str]:
        runs.append(sorted(files))
        await asyncio.sleep(0.02)
        return {key: "broken" for key, text in files.items() if text == "bad"}

    batched: CoalescedCheck[str] = CoalescedCheck(check)

    async def main() -> list[dict[str, str]]:
        calls = [batched({"site.example": "bad" if i == 7 else "ok"}) for i in range(50)]
        return await asyncio.gather(*calls)

    results = asyncio.run(main())
    assert results == [{"site.example": "broken"} if i == 7 else {} for i in range(50)]
    # All 50 were in before the run started: one checker run for them.
    assert [len(files) for files in runs] == [50]


def test_a_checker_that_fails_fails_every_call_of_its_run() -> None:
    async def check(files: dict[tuple[int, str], str]) -> dict[tuple[int, str], str]:
        raise Timeout("nginx did not finish in time")

    batched: CoalescedCheck[str] = CoalescedCheck(check)

    async def main() -> list[object]:
        return await asyncio.gather(
            *(batched({f"{i}.example": "ok"}) for i in range(3)), return_exceptions=True
        )

    assert all(isinstance(r, Timeout) for r in asyncio.run(main()))
