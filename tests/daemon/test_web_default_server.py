"""New sites served by nginx's default server until the reload that loads their block:
when the manager answers, which entries it makes and takes away (fake nginx and PHP-FPM;
tests/integration/test_web.py serves entries through the real nginx)."""

import asyncio
import errno
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from supercp.daemon.system.reloader import Change, ReloadFailed
from supercp.daemon.web import default_server, server_files, site_dirs
from supercp.daemon.web.layout import FpmMaster
from supercp.daemon.web.manager import Planned
from supercp.daemon.web.plan import Applying, File, SiteChange
from supercp.daemon.web.records import Record
from supercp.protocol.errors import Timeout
from supercp.protocol.web import SiteSpec
from tests.daemon.test_web_commit import Bench

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench(tmp_path: Path) -> Bench:
    bench = Bench(tmp_path)
    # PHP-FPM's reload is quick, nginx's slow, as with thousands of sites.
    bench.fpm.delay = 0.05
    bench.nginx.delay = 0.4
    return bench


def ours(bench: Bench) -> None:
    """Install the default server install.sh installs."""
    target = bench.manager.layout.default_server
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "src/supercp/daemon/setup/templates/default-server.conf", target)


def new_site(bench: Bench, domain: str, *, vhost: bytes = b"ok", **extra: object) -> Applying:
    spec = SiteSpec.model_validate({"domain": domain, "account": "alice", "php": "8.2", **extra})
    plan = bench.manager.layout.plan(spec, "supercp-users")
    # As _make_dirs leaves it: the site's access log exists.
    plan.access_log.parent.mkdir(parents=True, exist_ok=True)
    server_files.ensure_log(plan.access_log, os.getuid(), os.getgid())
    path = bench.vhosts / f"{domain}.conf"
    pool = File(bench.pools / f"supercp.{domain}.conf", b"ok")
    change = SiteChange(
        spec,
        plan,
        site_dirs.Owner(os.getuid(), os.getgid(), os.getgid()),
        shard=None,
        changed=True,
        vhost=File(path, vhost),
        new_vhost=not path.exists(),
        pools_up={} if spec.php is None else {FpmMaster("8.2"): pool},
    )
    site = Applying(change)
    bench.manager._record([site], durable=False)
    return site


def commit_answered(
    bench: Bench, jobs: list[Applying]
) -> tuple[float | None, dict[str, list[str]]]:
    """Commit; when (monotonic) the caller would have been answered early, if at all, and
    what each entry held then."""

    async def run() -> tuple[float | None, dict[str, list[str]]]:
        serving: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(bench.manager._commit(jobs, serving))
        await asyncio.wait([task, serving], return_when=asyncio.FIRST_COMPLETED)
        seen = {
            name: sorted(os.listdir(bench.manager.layout.entry(name)))
            for name in default_server.entries(bench.manager.layout)
        }
        answered = time.monotonic() if serving.done() and not task.done() else None
        await task
        return answered, seen

    return asyncio.run(run())


def test_a_new_site_is_answered_once_its_pool_is_up_and_its_entry_serves_it(
    bench: Bench,
) -> None:
    ours(bench)
    job = new_site(bench, "new.example")
    layout = bench.manager.layout
    answered, seen = commit_answered(bench, [job])
    assert job.error is None
    assert answered is not None
    assert bench.at("php-fpm", "reloaded") <= answered < bench.at("nginx", "reloaded")
    assert seen == {"new.example": ["access.log", "php", "php.sock", "root"]}
    # Once nginx has the block, the entry is gone and the record committed.
    assert default_server.entries(layout) == []
    assert bench.manager.records.sites["new.example"].committed


def test_an_entry_links_the_sites_own_files(bench: Bench) -> None:
    ours(bench)
    job = new_site(bench, "links.example")
    layout = bench.manager.layout
    server_files.ensure_log(job.change.plan.access_log, 4343, 0)
    default_server.open_entries(layout, job.change.plan, 4242)
    entry = layout.entry("links.example")
    assert os.readlink(entry / "root") == str(job.change.plan.docroot)
    assert os.readlink(entry / "php.sock") == str(job.change.plan.socket)
    assert os.path.samefile(entry / "access.log", job.change.plan.access_log)
    # The root link is the account's (nginx follows a link to the link owner's files only);
    # the rest is root's.
    assert os.lstat(entry / "root").st_uid == 4242
    assert (entry / "php").is_file()
    assert os.stat(entry).st_uid == os.getuid()
    assert os.stat(entry).st_mode & 0o777 == 0o755
    # Opening again replaces it whole; nothing half-built is left.
    default_server.open_entries(layout, job.change.plan, 4242)
    assert sorted(os.listdir(layout.entries_dir)) == ["links.example"]
    default_server.close_entries(layout, ["links.example", "never.example"])
    assert os.listdir(layout.entries_dir) == []


def test_aliases_get_entries_and_www_redirects_are_marked(bench: Bench) -> None:
    layout = bench.manager.layout
    served = new_site(bench, "served.example", aliases=["www.served.example", "b.example"])
    apex = new_site(bench, "apex.example", aliases=["www.apex.example"], redirect_aliases=True)
    www = new_site(bench, "www.www.example", aliases=["www.example"], redirect_aliases=True)
    other = new_site(bench, "other.example", aliases=["x.example"], redirect_aliases=True)
    suspended = new_site(bench, "off.example", suspended=True)
    static = new_site(bench, "static.example", php=None)
    sites = (served, apex, www, other, suspended, static)
    plans = {j.change.spec.domain: j.change.plan for j in sites}
    eligible = {d for d, p in plans.items() if default_server.eligible(p)}
    # Another alias that redirects: the default server cannot know where to; suspended: its
    # block serves a page of its own. Both wait for their blocks.
    assert eligible == {"served.example", "apex.example", "www.www.example", "static.example"}
    for domain in sorted(eligible):
        default_server.open_entries(layout, plans[domain], os.getuid())
    held = {n: sorted(os.listdir(layout.entry(n))) for n in default_server.entries(layout)}
    php = ["access.log", "php", "php.sock", "root"]
    assert held == {
        "served.example": php,
        "www.served.example": php,
        "b.example": php,
        "apex.example": php,
        "www.apex.example": ["access.log", "root", "to-apex"],
        "www.www.example": php,
        "www.example": ["access.log", "root", "to-www"],
        "static.example": ["access.log", "root"],
    }
    # An alias's entry logs to its site's access log.
    assert os.path.samefile(
        layout.entry("b.example") / "access.log", layout.log("served.example", "access")
    )


def test_a_site_with_a_redirect_the_default_server_cannot_make_waits_for_nginx(
    bench: Bench,
) -> None:
    ours(bench)
    job = new_site(bench, "wait.example", aliases=["elsewhere.example"], redirect_aliases=True)
    answered, seen = commit_answered(bench, [job])
    assert job.error is None
    assert (answered, seen) == (None, {})


def test_without_our_default_server_a_new_site_waits_for_nginx(bench: Bench) -> None:
    job = new_site(bench, "plain.example")
    answered, seen = commit_answered(bench, [job])
    assert job.error is None
    assert (answered, seen) == (None, {})
    # An admin's own default server (Debian's, say) does not serve entries.
    layout = bench.manager.layout
    layout.default_server.parent.mkdir(parents=True, exist_ok=True)
    layout.default_server.write_text("server { listen 80 default_server; return 444; }\n")
    assert not default_server.available(layout)


def test_a_change_to_a_site_nginx_serves_waits_for_nginx(bench: Bench) -> None:
    ours(bench)
    (bench.vhosts / "live.example.conf").write_bytes(b"ok")
    job = new_site(bench, "live.example", vhost=b"ok, changed")
    answered, seen = commit_answered(bench, [job])
    assert job.error is None
    assert (answered, seen) == (None, {})


def test_a_batch_with_one_site_that_must_wait_is_answered_after_nginx(
    bench: Bench, caplog: pytest.LogCaptureFixture
) -> None:
    ours(bench)
    (bench.vhosts / "live.example.conf").write_bytes(b"ok")
    jobs = [new_site(bench, "fresh.example"), new_site(bench, "live.example", vhost=b"new")]
    with caplog.at_level("INFO"):
        answered, _ = commit_answered(bench, jobs)
    assert [j.error for j in jobs] == [None, None]
    assert answered is None
    # The new site was served early all the same, until nginx's reload.
    assert "1 new site(s) served by the default server" in caplog.text
    assert default_server.entries(bench.manager.layout) == []


def test_a_block_nginx_refuses_first_gets_no_entry_and_no_early_answer(bench: Bench) -> None:
    ours(bench)
    bench.nginx.delay = 0.01
    bench.fpm.delay = 0.3
    job = new_site(bench, "bad.example", vhost=b"bad")
    answered, seen = commit_answered(bench, [job])
    assert job.error is not None
    assert job.error.code == "nginx-config-invalid"
    assert (answered, seen) == (None, {})
    assert "bad.example" not in bench.manager.records.sites


def test_a_block_the_whole_check_refuses_is_never_answered_early(bench: Bench) -> None:
    ours(bench)
    check = bench.nginx.check

    async def slow_check() -> str | None:  # as nginx -t over thousands of blocks
        await asyncio.sleep(0.3)
        return await check()

    bench.nginx.check = slow_check  # type: ignore[method-assign]
    # Fine on its own, refused by the whole configuration: the pool is up long before
    # nginx's verdict, but the caller waits for it, and hears it.
    job = new_site(bench, "late.example", vhost=b"bad")
    answered, seen = commit_answered(bench, [job])
    assert (answered, seen) == (None, {})
    assert job.error is not None
    assert job.error.code == "nginx-config-invalid"
    assert list(bench.pools.iterdir()) == []
    assert "late.example" not in bench.manager.records.sites


def test_after_a_reload_that_was_not_seen_the_entry_keeps_serving(bench: Bench) -> None:
    ours(bench)

    async def lost(changes: Sequence[Change]) -> None:
        await asyncio.sleep(0.2)
        raise Timeout("nginx did not reload")

    bench.nginx.reload = lost  # type: ignore[method-assign]
    job = new_site(bench, "lost.example")
    answered, _ = commit_answered(bench, [job])
    assert answered is not None
    assert isinstance(job.error, ReloadFailed)
    # The block is in place but maybe not loaded: the entry stays, the record stays
    # uncommitted, and the next apply reloads.
    assert default_server.entries(bench.manager.layout) == ["lost.example"]
    assert not bench.manager.records.sites["lost.example"].committed


def test_apply_many_answers_early_and_holds_the_sites_lock_until_done(bench: Bench) -> None:
    events: list[str] = []

    async def fake_apply(
        specs: Sequence[SiteSpec], planned: list[Planned], serving: asyncio.Future[None]
    ) -> None:
        events.append(f"start {specs[0].domain}")
        await asyncio.sleep(0.05)
        serving.set_result(None)
        await asyncio.sleep(0.2)
        events.append(f"done {specs[0].domain}")

    bench.manager._apply = fake_apply  # type: ignore[method-assign]
    spec = SiteSpec(domain="held.example", account="alice")

    async def main() -> None:
        first = asyncio.create_task(bench.manager.apply_many([spec]))
        await first
        events.append("answered")
        await bench.manager.apply_many([spec])
        events.append("answered again")
        await bench.manager.settle(5)
        events.append("settled")

    asyncio.run(main())
    assert events == [
        "start held.example",
        "answered",
        # The second call waited for the first to finish.
        "done held.example",
        "start held.example",
        "answered again",
        "done held.example",
        "settled",
    ]


def test_apply_many_raises_what_the_apply_raised_before_the_answer(bench: Bench) -> None:
    async def failing(
        specs: Sequence[SiteSpec], planned: list[Planned], serving: asyncio.Future[None]
    ) -> None:
        raise OSError("disk full")

    bench.manager._apply = failing  # type: ignore[method-assign]
    with pytest.raises(OSError, match="disk full"):
        asyncio.run(bench.manager.apply_many([SiteSpec(domain="a.example", account="alice")]))


def test_the_sweep_keeps_the_entries_of_sites_whose_reload_a_crash_cut_short(
    bench: Bench,
) -> None:
    layout = bench.manager.layout
    pending = new_site(bench, "pending.example", aliases=["www.pending.example"])
    done = new_site(bench, "done.example")
    for job in (pending, done):
        default_server.open_entries(layout, job.change.plan, os.getuid())
    (layout.entries_dir / ".tmp-half.example").mkdir()
    (layout.entries_dir / "stray.example").mkdir()
    record = layout.record("done.example")
    bench.manager.records.put(record, Record(done.change.spec, committed=True), durable=False)
    restarted = type(bench.manager)(
        bench.manager.config, bench.manager.runner, bench.manager.accounts
    )
    assert not restarted.records.sites["pending.example"].committed
    assert default_server.entries(layout) == ["pending.example", "www.pending.example"]
    assert sorted(os.listdir(layout.entries_dir)) == ["pending.example", "www.pending.example"]


def test_across_file_systems_an_entrys_own_log_lines_reach_the_sites_log(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exdev(src: object, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", exdev)
    job = new_site(bench, "apart.example", aliases=["www.apart.example"])
    layout = bench.manager.layout
    job.change.plan.access_log.write_text("before\n")
    default_server.open_entries(layout, job.change.plan, os.getuid())
    (layout.entry("apart.example") / "access.log").write_text("GET /\n")
    (layout.entry("www.apart.example") / "access.log").write_text("GET /www\n")
    names = ["apart.example", "www.apart.example"]
    default_server.close_entries(layout, names, job.change.plan.access_log)
    assert job.change.plan.access_log.read_text() == "before\nGET /\nGET /www\n"
    assert default_server.entries(layout) == []
