"""PHP-FPM shards: the main config of a shard, which shard a site gets and keeps, several
shards reloading at once, and a refused pool that stays its own shard's business."""

import asyncio
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from supercp.daemon.config import DaemonConfig
from supercp.daemon.system.accounts import AccountManager
from supercp.daemon.system.reloader import Change, Reloader
from supercp.daemon.system.runner import Completed, SystemRunner
from supercp.daemon.web.fpm import PhpFpm
from supercp.daemon.web.layout import FpmMaster, WebLayout
from supercp.daemon.web.manager import WebManager
from supercp.daemon.web.plan import Applying, File, SiteChange, plan_change
from supercp.daemon.web.records import Record, RecordStore
from supercp.daemon.web.render import render_fpm_shard
from supercp.daemon.web.site_dirs import Owner
from supercp.protocol.web import SiteSpec
from tests.daemon.test_web_commit import Events, Service
from tests.daemon.test_web_render import check

LAYOUT = WebLayout(DaemonConfig())


def spec(domain: str, php: str | None = "8.2", **extra: object) -> SiteSpec:
    return SiteSpec.model_validate({"domain": domain, "account": "alice", "php": php, **extra})


def test_a_shards_main_config_matches_its_golden_file() -> None:
    text = render_fpm_shard(
        "8.2",
        3,
        LAYOUT.shard_pid("8.2", 3),
        LAYOUT.shard_log("8.2", 3),
        LAYOUT.shard_dir("8.2", 3),
    )
    check("shard.fpm.conf", text)


def test_a_shards_socket_and_pool_are_named_after_it() -> None:
    assert str(LAYOUT.pool("8.2", "a.example", 3)) == "/etc/php/8.2/fpm/supercp/3/a.example.conf"
    assert str(LAYOUT.socket("8.2", "a.example", 3)).startswith("/run/php/supercp-8.2-3-")
    # Before shards: Debian's pool.d, and a socket without a shard.
    assert str(LAYOUT.pool("8.2", "a.example")) == "/etc/php/8.2/fpm/pool.d/supercp.a.example.conf"
    domain = ".".join(["a" * 63] * 3) + "." + "b" * 61
    assert len(str(LAYOUT.socket("8.2", domain, 9999)).encode()) < 108


def store_with(tmp_path: Path, placed: dict[str, int]) -> RecordStore:
    store = RecordStore(tmp_path)
    for domain, shard in placed.items():
        store.put(tmp_path / f"{domain}.json", Record(spec(domain), True, shard), durable=False)
    return store


def test_a_new_site_goes_to_the_shard_with_the_fewest_sites(tmp_path: Path) -> None:
    store = store_with(tmp_path, {"a.example": 0, "b.example": 0, "c.example": 1})
    assert store.shard_for(spec("new.example"), 3) == 1
    # Claimed while its call is in flight: the next one counts it.
    assert store.shard_for(spec("next.example"), 3) == 0
    assert store.occupancy == {("8.2", 0): 3, ("8.2", 1): 2}


def test_a_new_shard_opens_when_every_shard_is_full_and_an_empty_one_is_reused(
    tmp_path: Path,
) -> None:
    store = store_with(tmp_path, {"a.example": 0, "b.example": 0, "c.example": 1})
    assert store.shard_for(spec("new.example"), 2) == 1
    assert store.shard_for(spec("next.example"), 2) == 2
    store.drop(tmp_path / "c.example.json", "c.example")
    store.unclaim("new.example")
    # Shard 1 is empty now: it is taken before a shard 3 is opened.
    assert store.shard_for(spec("x.example", php="8.2"), 1) == 1


def test_a_site_keeps_its_shard_and_another_version_has_shards_of_its_own(
    tmp_path: Path,
) -> None:
    store = store_with(tmp_path, {"a.example": 1, "b.example": 0, "c.example": 0})
    assert store.shard_for(spec("a.example"), 2) == 1  # kept, though shard 1 is not the emptiest
    assert store.shard_for(spec("a.example", php="8.3"), 2) == 0
    assert store.occupancy[("8.3", 0)] == 1


def test_the_shard_is_kept_in_the_record_and_old_records_have_none(tmp_path: Path) -> None:
    record = Record(spec("a.example"), committed=True, shard=4)
    assert Record.load(record.dump()) == record
    old = b'{"committed": true, "spec": {"domain": "a.example", "account": "alice", "php": "8.2"}}'
    assert Record.load(old).shard is None
    assert Record.load(old).placed() is None
    with pytest.raises(ValueError, match="shard"):
        Record.load(old.replace(b'{"committed', b'{"shard": -1, "committed'))
    store = store_with(tmp_path, {"a.example": 4})
    again = RecordStore(tmp_path)
    again.load()
    assert again.sites["a.example"].shard == 4
    assert again.occupancy == store.occupancy == {("8.2", 4): 1}


class Master(Service):
    """A fake master named "php-fpm" (its error codes) whose reloads are logged by key."""

    def __init__(self, key: str, directory: Path, events: Events) -> None:
        super().__init__(f"php-fpm {key}", directory, events)
        self.label = self.name
        self.name = "php-fpm"

    async def reload(self, changes: Sequence[Change]) -> None:
        self.events.append((self.label, "reload", time.monotonic()))
        await asyncio.sleep(0.05)
        self.events.append((self.label, "reloaded", time.monotonic()))
        self.reloaded.append([c.key for c in changes])


class Shards:
    """A manager on a temporary root with fake PHP-FPM masters for shards 0 and 1."""

    def __init__(self, root: Path) -> None:
        self.config = DaemonConfig(root=root, php_fpm_shard_size=1)
        (root / "usr/sbin").mkdir(parents=True)
        (root / "usr/sbin/php-fpm8.2").touch()
        self.layout = WebLayout(self.config)
        self.vhosts = self.layout.vhost_dir
        for directory in (
            self.vhosts,
            self.layout.legacy_pools("8.2"),
            self.layout.records_dir,
            self.layout.shard_dir("8.2", 0),
            self.layout.shard_dir("8.2", 1),
        ):
            directory.mkdir(parents=True)
        runner = SystemRunner()
        self.manager = WebManager(self.config, runner, AccountManager(self.config, runner))
        self.events: Events = []
        self.nginx = Service("nginx", self.vhosts, self.events)
        self.manager.nginx_reloader = Reloader(self.nginx)
        self.fpm: dict[str, Master] = {}
        for master, directory in (
            (FpmMaster("8.2"), self.layout.legacy_pools("8.2")),
            (FpmMaster("8.2", 0), self.layout.shard_dir("8.2", 0)),
            (FpmMaster("8.2", 1), self.layout.shard_dir("8.2", 1)),
        ):
            key = str(master)
            self.fpm[key] = Master(key, directory, self.events)
            self.manager._fpm[master] = (self.manager.fpm(master)[0], Reloader(self.fpm[key]))

    def job(self, domain: str, pool: bytes = b"ok") -> Applying:
        """A new PHP site in the shard the manager gives it, planned and recorded."""
        site_spec = spec(domain)
        shard = self.manager._shard(site_spec)
        assert shard is not None
        path = self.vhosts / f"{domain}.conf"
        change = SiteChange(
            site_spec,
            self.layout.plan(site_spec, "supercp-users", shard),
            Owner(os.getuid(), os.getgid(), os.getgid()),
            shard=shard,
            changed=True,
            vhost=File(path, b"ok"),
            new_vhost=not path.exists(),
            pools_up={FpmMaster("8.2", shard): File(self.layout.pool("8.2", domain, shard), pool)},
        )
        site = Applying(change)
        self.manager._record([site], durable=False)
        return site

    def render(self, domain: str) -> SiteChange:
        site_spec = spec(domain)
        shard = self.manager._shard(site_spec)
        return plan_change(
            self.layout,
            site_spec,
            plan=self.layout.plan(site_spec, "supercp-users", shard),
            owner=Owner(os.getuid(), os.getgid(), os.getgid()),
            shard=shard,
            current=self.manager.records.sites.get(domain),
            shards={"8.2": [0, 1]},
            running=self.manager._running,
        )

    def window(self, key: str) -> tuple[float, float]:
        name = f"php-fpm {key}"
        start = next(t for n, w, t in self.events if (n, w) == (name, "reload"))
        end = next(t for n, w, t in self.events if (n, w) == (name, "reloaded"))
        return start, end


@pytest.fixture
def shards(tmp_path: Path) -> Shards:
    return Shards(tmp_path)


def commit(manager: WebManager, jobs: list[Applying]) -> None:
    async def run() -> None:
        await manager._commit(jobs, asyncio.get_running_loop().create_future())

    asyncio.run(run())


def test_sites_in_two_shards_reload_both_at_once(shards: Shards) -> None:
    a, b = shards.job("a.example"), shards.job("b.example")
    assert (a.change.shard, b.change.shard) == (0, 1)
    t0 = time.monotonic()
    commit(shards.manager, [a, b])
    assert (a.error, b.error) == (None, None)
    (start0, end0), (start1, end1) = shards.window("8.2-0"), shards.window("8.2-1")
    assert start0 < end1
    assert start1 < end0
    # Each reload takes 50 ms; one after the other would be 100 ms before nginx's.
    assert time.monotonic() - t0 < 0.2
    assert shards.fpm["8.2-0"].reloaded == [["8.2-0|a.example"]]
    assert shards.fpm["8.2-1"].reloaded == [["8.2-1|b.example"]]
    assert shards.fpm["8.2"].reloaded == []
    assert shards.manager.records.sites["b.example"] == Record(b.change.spec, True, 1)


def test_a_refused_pool_is_taken_back_in_its_shard_only(shards: Shards) -> None:
    (shards.layout.shard_dir("8.2", 0) / "old.example.conf").write_bytes(b"ok")
    bad, good = shards.job("bad.example", pool=b"bad"), shards.job("good.example")
    assert (bad.change.shard, good.change.shard) == (0, 1)
    commit(shards.manager, [bad, good])
    assert bad.error is not None
    assert bad.error.code == "php-fpm-config-invalid"
    assert good.error is None
    shard0 = sorted(p.name for p in shards.layout.shard_dir("8.2", 0).iterdir())
    shard1 = sorted(p.name for p in shards.layout.shard_dir("8.2", 1).iterdir())
    assert (shard0, shard1) == (["old.example.conf"], ["good.example.conf"])
    # The refused shard reloaded nothing; the other one reloaded its site alone.
    assert shards.fpm["8.2-0"].reloaded == []
    assert shards.fpm["8.2-1"].reloaded == [["8.2-1|good.example"]]
    assert sorted(shards.manager.records.sites) == ["good.example"]
    # Its claim on the shard goes with it.
    shards.manager.records.unclaim("bad.example")
    assert shards.manager.records.occupancy == {("8.2", 1): 1}


def test_a_pool_in_debians_pool_d_moves_to_a_shard_in_one_batch(shards: Shards) -> None:
    legacy = shards.layout.pool("8.2", "old.example")
    legacy.write_text("[old.example]\n")
    record = Record(spec("old.example"), committed=True)
    shards.manager.records.put(shards.layout.record("old.example"), record, durable=False)
    change = shards.render("old.example")
    assert change.shard == 0
    assert change.changed
    assert list(change.pools_up) == [FpmMaster("8.2", 0)]
    assert change.pools_up[FpmMaster("8.2", 0)].path == shards.layout.pool("8.2", "old.example", 0)
    assert change.pools_down == {FpmMaster("8.2"): File(legacy, None)}
    # The server block points at the shard's socket: nginx moves between the two reloads.
    assert change.vhost is not None
    assert change.vhost.data is not None
    assert b"supercp-8.2-0-" in change.vhost.data


def test_an_unchanged_site_in_its_shard_stays_unchanged(shards: Shards) -> None:
    (shards.layout.php_run).mkdir(parents=True)
    change = shards.render("a.example")
    assert change.vhost is not None
    for path, data in (change.pools_up[FpmMaster("8.2", 0)], change.vhost):
        assert data is not None
        path.write_bytes(data)
    shards.manager.records.put(
        shards.layout.record("a.example"), Record(change.spec, True, 0), durable=False
    )
    shards.layout.socket("8.2", "a.example", 0).touch()
    pid = shards.layout.shard_pid("8.2", 0)
    pid.write_text(f"{os.getpid()}\n")  # "running": a live process
    again = shards.render("a.example")
    assert (again.changed, again.pools_up, again.pools_down) == (False, {}, {})
    # Its master is gone (the pid file names no process): the pool is committed again.
    pid.write_text("999999999\n")
    assert list(shards.render("a.example").pools_up) == [FpmMaster("8.2", 0)]


def test_a_shard_without_pools_needs_no_check_and_its_fingerprint_is_its_own(
    tmp_path: Path,
) -> None:
    layout = WebLayout(DaemonConfig(root=tmp_path))
    for k in (0, 1):
        layout.shard_dir("8.2", k).mkdir(parents=True)
        layout.shard_conf("8.2", k).write_text("[global]\n")
    shard = PhpFpm("8.2", layout, SystemRunner(), 0)
    debian = PhpFpm("8.2", layout, SystemRunner())
    assert shard.pools() == 0
    assert asyncio.run(shard.check()) is None
    before, debian_before = shard.fingerprint(), debian.fingerprint()
    (layout.shard_dir("8.2", 0) / "a.example.conf").write_text("[a.example]\n")
    (layout.shard_dir("8.2", 1) / "b.example.conf").write_text("[b.example]\n")
    layout.shard_conf("8.2", 1).write_text("[global]\n; shard 1's\n")
    assert shard.pools() == 1
    assert shard.fingerprint() == before
    assert debian.fingerprint() == debian_before  # Debian's master reads no shard
    layout.shard_conf("8.2", 0).write_text("[global]\n; edited\n")
    assert shard.fingerprint() != before
    assert debian.fingerprint() == debian_before


def test_pools_in_shards_without_a_record_are_swept_at_start(tmp_path: Path) -> None:
    config = DaemonConfig(root=tmp_path)
    layout = WebLayout(config)
    (tmp_path / "usr/sbin").mkdir(parents=True)
    (tmp_path / "usr/sbin/php-fpm8.2").touch()
    for directory in (layout.records_dir, layout.shard_dir("8.2", 0), layout.shard_dir("8.2", 1)):
        directory.mkdir(parents=True)
    record = Record(spec("kept.example"), committed=True, shard=1)
    layout.record("kept.example").write_bytes(record.dump())
    layout.pool("8.2", "kept.example", 1).write_text("[kept.example]\n")
    layout.pool("8.2", "orphan.example", 0).write_text("[orphan.example]\n")
    (layout.shard_dir("8.2", 0) / ".orphan.example.conf.x.tmp").write_text("")
    layout.shard_conf("8.2", 0).write_text("[global]\n")
    runner = SystemRunner()
    manager = WebManager(config, runner, AccountManager(config, runner))
    assert list(layout.shard_dir("8.2", 0).iterdir()) == []
    assert [p.name for p in layout.shard_dir("8.2", 1).iterdir()] == ["kept.example.conf"]
    assert layout.shard_conf("8.2", 0).exists()
    assert manager.records.occupancy == {("8.2", 1): 1}


class PhpFpmStandIn:
    """php-fpm -t as it answers a shard: refused while a pool names a user who is gone."""

    def __init__(self, layout: WebLayout, users: set[str]) -> None:
        self.layout, self.users, self.checks = layout, users, 0

    async def run(self, argv: Sequence[str], *, check: bool = True, **_: object) -> Completed:
        self.checks += 1
        for pool in sorted(self.layout.shard_dir("8.2", 0).glob("*.conf")):
            user = pool.read_text().split("user = ")[1].split()[0]
            if user not in self.users:
                said = f"ERROR: [pool {pool.stem}] cannot get uid for user '{user}'"
                return Completed(tuple(argv), 78, "", said)
        return Completed(tuple(argv), 0, "", "")


def test_a_pool_whose_user_is_gone_is_set_aside_so_its_shard_still_passes(
    tmp_path: Path,
) -> None:
    layout = WebLayout(DaemonConfig(root=tmp_path))
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text("alice:x:20001:900::/home/alice:/usr/sbin/nologin\n")
    shard_dir = layout.shard_dir("8.2", 0)
    shard_dir.mkdir(parents=True)
    layout.shard_conf("8.2", 0).write_text("[global]\n")
    (shard_dir / "a.example.conf").write_text("[a.example]\nuser = alice\n")
    # Bob was removed with userdel by hand: his pool stayed.
    bob_socket = layout.php_run / "supercp-8.2-0-b.sock"
    bob_socket.parent.mkdir(parents=True)
    bob_socket.write_text("")
    (shard_dir / "b.example.conf").write_text(
        f"[b.example]\nuser = bob\ngroup = bob\nlisten = {bob_socket}\n"
    )
    runner = PhpFpmStandIn(layout, {"alice"})
    shard = PhpFpm("8.2", layout, runner, 0)
    assert asyncio.run(shard.check()) is None
    assert runner.checks == 2  # refused, then passed without Bob's pool
    assert sorted(p.name for p in shard_dir.iterdir()) == ["a.example.conf"]
    aside = layout.orphaned_pools / "8.2-0" / "b.example.conf"
    assert aside.read_text().startswith("[b.example]")
    assert not bob_socket.exists()
    # A refusal for any other reason stays a refusal, and moves nothing: Alice still exists.
    runner.users = set()
    assert "cannot get uid for user 'alice'" in (asyncio.run(shard.check()) or "")
    assert (shard_dir / "a.example.conf").exists()
