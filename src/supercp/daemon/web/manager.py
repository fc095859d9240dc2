"""Sites: from a spec to live nginx and PHP-FPM files, one site or a whole batch at once.

Every change goes the same way, for one site or ten thousand: check the names and the
account; render; leave out what already matches the disk; check the new files on their
own (so a bad one is pinned to its site); write the record; make the directories; then
hand the files to the reloaders in order: PHP-FPM pools that appear, nginx, PHP-FPM pools
that go. A failure puts back the site's record and the steps already taken.

A site nginx never served is served as soon as its pool is up, by nginx's default server
(default_server.py), and the call is answered then; nginx's reload, which takes about a second
at 10,000 sites, finishes in the background with the site's lock still held.

Our pools are spread over PHP-FPM masters of our own, shards of at most
``php_fpm_shard_size`` pools each (one reload re-reads every pool of its master), each with
its reloader; a change reloads only the shards it touches, several of them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from supercp.daemon.config import DaemonConfig
from supercp.daemon.locks import KeyedLocks
from supercp.daemon.system.accounts import AccountManager
from supercp.daemon.system.reloader import (
    Change,
    FileSet,
    Reloader,
    ReloadFailed,
    candidate_invalid,
)
from supercp.daemon.system.runner import Runner
from supercp.daemon.system.services import systemd_runs
from supercp.daemon.system.userdb import read_group, read_passwd
from supercp.daemon.web import default_server, server_files, site_dirs
from supercp.daemon.web.errorlog import ErrorLogs
from supercp.daemon.web.fpm import PhpFpm, fpm_shards, php_versions
from supercp.daemon.web.layout import (
    WEB_GROUP,
    SitePlan,
    WebLayout,
    fpm_key,
    parse_fpm_key,
    stem,
)
from supercp.daemon.web.nginx import Nginx
from supercp.daemon.web.records import Record, RecordStore
from supercp.daemon.web.render import render_pool, render_vhost
from supercp.protocol.errors import (
    Conflict,
    NotFound,
    SuperCPError,
    SystemFailure,
    ValidationFailed,
)
from supercp.protocol.web import Site, SiteSpec

log = logging.getLogger(__name__)


def _names(spec: SiteSpec) -> list[str]:
    return [spec.domain, *spec.aliases]


@dataclass(eq=False)
class _Job:
    """One site's way through a batch."""

    spec: SiteSpec
    plan: SitePlan | None = None
    owner: site_dirs.Owner | None = None
    # The PHP-FPM shard of the site's pool (in spec.php's version); None without one.
    shard: int | None = None
    vhost: FileSet = field(default_factory=dict)
    # Pool files by master (fpm_key: "8.2" Debian's, "8.2-3" our shard 3).
    pools_up: dict[str, FileSet] = field(default_factory=dict)
    pools_down: dict[str, FileSet] = field(default_factory=dict)
    previous: Record | None = None
    changed: bool = False
    # No server block of this domain was on disk: nginx never served it (see _commit).
    new_vhost: bool = False
    error: SuperCPError | None = None


class WebManager:
    """Applies, suspends and removes sites; owns the records and the reloaders."""

    def __init__(self, config: DaemonConfig, runner: Runner, accounts: AccountManager) -> None:
        self.config = config
        self.layout = WebLayout(config)
        self.runner = runner
        self.accounts = accounts
        self.records = RecordStore(self.layout.records_dir)
        self.records.load()
        # Records are written before files, so none is in the middle of a change now.
        server_files.sweep(self.layout, {stem(d) for d in self.records.sites})
        # Entries of sites whose reload a crash cut short keep serving them until their
        # next apply; the others go.
        default_server.sweep(
            self.layout,
            {
                name
                for r in self.records.sites.values()
                if not r.committed and not r.spec.suspended
                for name in _names(r.spec)
            },
        )
        self.nginx = Nginx(self.layout, runner)
        self.nginx_reloader = Reloader(self.nginx)
        self._systemd = systemd_runs(config.host_path("/"))
        self._fpm: dict[str, tuple[PhpFpm, Reloader]] = {}
        self._locks = KeyedLocks()
        self.error_logs = ErrorLogs(self.layout, self.records.sites.keys)
        # Applies answered while their nginx reload still runs.
        self._pending: set[asyncio.Task[None]] = set()

    # -- queries -----------------------------------------------------------------------

    def php_versions(self) -> list[str]:
        return php_versions(self.layout)

    def fpm(self, key: str) -> tuple[PhpFpm, Reloader]:
        """A PHP-FPM master and its reloader, by ``fpm_key``."""
        if key not in self._fpm:
            version, shard = parse_fpm_key(key)
            service = PhpFpm(version, self.layout, self.runner, shard, systemd=self._systemd)
            self._fpm[key] = (service, Reloader(service))
        return self._fpm[key]

    def reloads(self) -> dict[str, int]:
        """Reloads done since start, per service (nginx, php8.2-fpm, php8.2-fpm shard 0...)."""
        counts = {"nginx": self.nginx_reloader.reloads}
        for _, (service, reloader) in sorted(self._fpm.items()):
            counts[service.label] = reloader.reloads
        return counts

    async def start(self) -> None:
        """Listen for the sites' errors; bring up every shard master that has pools and does
        not run (at daemon start: after a reboot without systemd, or one that died)."""
        try:
            await self.error_logs.start(self._gid(WEB_GROUP))
        except (SuperCPError, OSError) as err:
            log.error("sites' error logs: cannot listen on %s: %s", self.layout.error_socket, err)

        async def one(version: str, shard: int) -> None:
            service = self.fpm(fpm_key(version, shard))[0]
            try:
                if service.pools() > 0:
                    await asyncio.to_thread(
                        server_files.ensure_shard_confs, self.layout, {service.key}
                    )
                    await service.ensure_running()
            except (SuperCPError, OSError) as err:
                log.error("%s: could not start: %s", service.label, err)

        await asyncio.gather(
            *(one(v, k) for v in self.php_versions() for k in fpm_shards(self.layout, v))
        )

    async def settle(self, timeout: float) -> None:
        """Wait, at most ``timeout`` seconds, for the applies still finishing."""
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=timeout)

    def close(self) -> None:
        self.error_logs.close()

    def all(self) -> list[Site]:
        return [self.layout.site(r.spec) for _, r in sorted(self.records.sites.items())]

    def spec_of(self, domain: str) -> SiteSpec:
        record = self.records.sites.get(domain)
        if record is None:
            raise NotFound(f"no site {domain}", code="no-site", field="domain")
        return record.spec

    def log_tail(self, domain: str, kind: str, lines: int) -> list[str]:
        """The last ``lines`` lines of the site's log, reading at most 1 MiB from its end."""
        self.spec_of(domain)
        return server_files.tail(self.layout.log(domain, kind), lines)

    # -- changes -----------------------------------------------------------------------

    async def apply(self, spec: SiteSpec) -> tuple[Site, bool]:
        """Converge one site; raises what refused it."""
        [(site, changed, error)] = await self.apply_many([spec])
        if error is not None:
            raise error
        assert site is not None
        return site, changed

    async def apply_many(
        self, specs: Sequence[SiteSpec]
    ) -> list[tuple[Site | None, bool, SuperCPError | None]]:
        """Converge many sites with one check and one reload per service; per-site outcomes.

        Answered when every site the call changed serves its new state: when the reloads
        are done, or when each is a site nginx never served and the default server serves
        it (its pool is up, nginx validated its block). The rest of the apply then runs on,
        its sites' locks held.
        """
        jobs = [_Job(spec) for spec in specs]
        serving: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._apply_held(jobs, serving))
        self._pending.add(task)

        def finished(task: asyncio.Task[None]) -> None:
            self._pending.discard(task)
            if serving.done() and not task.cancelled() and task.exception() is not None:
                err = task.exception()
                log.error("applying %d site(s) failed after the answer", len(jobs), exc_info=err)

        task.add_done_callback(finished)
        # Not the task itself: a caller that goes away does not cut the apply short.
        await asyncio.wait([task, serving], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()
        return [
            (self.layout.site(j.spec), j.changed, None)
            if j.error is None
            else (None, False, j.error)
            for j in jobs
        ]

    async def _apply_held(self, jobs: list[_Job], serving: asyncio.Future[None]) -> None:
        async with contextlib.AsyncExitStack() as stack:
            for domain in sorted({j.spec.domain for j in jobs}):
                await stack.enter_async_context(self._locks.hold(f"site:{domain}"))
            try:
                await self._apply(jobs, serving)
            finally:
                # Shards claimed for sites whose record was never written go back.
                for job in jobs:
                    self.records.unclaim(job.spec.domain)

    async def _apply(self, jobs: list[_Job], serving: asyncio.Future[None]) -> None:
        self._prepare(jobs)
        await self._check_candidates([j for j in jobs if j.error is None and j.changed])
        durable = len(jobs) == 1
        for job in jobs:
            if job.error is None:
                self._record(job, durable=durable)
        await asyncio.to_thread(self._make_dirs, [j for j in jobs if j.error is None])
        if not durable:
            os.sync()
        await self._commit([j for j in jobs if j.error is None and j.changed], serving)

    def _prepare(self, jobs: list[_Job]) -> None:
        """Validate each job against the system and render its files (no writes)."""
        seen: set[str] = set()
        users = self.accounts.resolve(j.spec.account for j in jobs)
        web_gid = self._gid(WEB_GROUP)
        versions = self.php_versions()
        shards = {v: fpm_shards(self.layout, v) for v in versions}
        for job in jobs:
            spec = job.spec
            try:
                if spec.domain in seen:
                    raise Conflict(f"{spec.domain} is twice in the batch", field="domain")
                seen.add(spec.domain)
                entry = users[spec.account]
                if isinstance(entry, SuperCPError):
                    raise entry
                if spec.php is not None and spec.php not in versions:
                    raise ValidationFailed(
                        f"PHP {spec.php} is not installed (installed: {', '.join(versions)})",
                        code="php-not-installed",
                        field="php",
                    )
                self.records.check(spec)
                job.owner = site_dirs.Owner(entry.uid, entry.gid, web_gid)
                job.shard = self._shard(spec)
                job.plan = self.layout.plan(spec, self.config.users_group, job.shard)
                if job.plan.docroot.is_relative_to(job.plan.tmp_dir):
                    raise ValidationFailed(
                        "the document root cannot be the site's temp dir", field="docroot"
                    )
                self._render(job, versions, shards)
            except SuperCPError as err:
                job.error = err

    def _shard(self, spec: SiteSpec) -> int | None:
        """A PHP site's shard: chosen when its pool is first made, then kept in its record."""
        if spec.php is None:
            return None
        if not spec.suspended:
            return self.records.shard_for(spec, self.config.php_fpm_shard_size)
        current = self.records.sites.get(spec.domain)
        # Suspended: no pool, but the site keeps its place for when it comes back.
        if current is not None and current.spec.php == spec.php:
            return current.shard
        return None

    def _gid(self, group: str) -> int:
        entry = read_group(self.config.host_path("/")).get(group)
        if entry is None:
            raise SystemFailure(f"group {group} is missing", code="not-installed")
        return entry.gid

    def _render(self, job: _Job, versions: list[str], shards: dict[str, list[int]]) -> None:
        plan = job.plan
        assert plan is not None
        current = self.records.sites.get(job.spec.domain)
        # A record not yet committed means a change was cut short (a crash): its files may
        # be on disk but not loaded, so they are committed again even where they match.
        force = current is None or not current.committed
        job.changed = force
        vhost_path = self.layout.vhost(plan.domain)
        text = render_vhost(plan).encode()
        if force or server_files.differs(vhost_path, text):
            job.vhost = {vhost_path: text}
            job.changed = True
            job.new_vhost = not vhost_path.exists()
        live = plan.socket is not None and not plan.suspended
        wanted = (plan.php, job.shard) if live and plan.php is not None else None
        # Where the site's pool may be: in Debian's pool.d (before shards), in the shard of
        # its record; after a crash (not committed) in any shard, which costs more stats.
        places: list[tuple[str, int | None]] = [(v, None) for v in versions]
        if force:
            places += [(v, k) for v in versions for k in shards[v]]
        elif current is not None and (placed := current.placed()) is not None:
            places.append(placed)
        if wanted is not None:
            places.append(wanted)
        for version, shard in dict.fromkeys(places):
            key = fpm_key(version, shard)
            path = self.layout.pool(version, plan.domain, shard)
            if (version, shard) == wanted:
                assert plan.socket is not None
                pool = render_pool(plan).encode()
                # A missing socket: PHP-FPM has not loaded the pool (drift, or a master that
                # died): reload it, which starts a shard's master that does not run.
                lost = not plan.socket.exists() or (
                    shard is not None and not self.fpm(key)[0].running()
                )
                if force or lost or server_files.differs(path, pool):
                    job.pools_up[key] = {path: pool}
                    job.changed = True
            elif path.exists() or (
                force and self.layout.socket(version, plan.domain, shard).exists()
            ):
                job.pools_down[key] = {path: None}
                job.changed = True

    async def _check_candidates(self, jobs: list[_Job]) -> None:
        """Each new file on its own: a broken one fails its own site, nobody else's.

        nginx's and each PHP version's checks run at once: they read nothing of each other.
        """
        vhosts = {j.spec.domain: next(iter(j.vhost.values())) for j in jobs if j.vhost}
        checks = [
            (
                "nginx",
                self.nginx.check_candidates({d: (t or b"").decode() for d, t in vhosts.items()}),
            )
        ]
        for version in sorted({parse_fpm_key(k)[0] for j in jobs for k in j.pools_up}):
            pools = {
                j.spec.domain: (next(iter(files.values())) or b"").decode()
                for j in jobs
                for key, files in j.pools_up.items()
                if parse_fpm_key(key)[0] == version
            }
            checks.append(("php-fpm", self.fpm(version)[0].check_candidates(pools)))
        found = await asyncio.gather(*(check for _, check in checks))
        for (what, _), problems in zip(checks, found, strict=True):
            for job in jobs:
                if job.error is None and job.spec.domain in problems:
                    job.error = candidate_invalid(what, problems[job.spec.domain])

    def _record(self, job: _Job, *, durable: bool) -> None:
        # Checked again: other calls may have claimed a name while this one awaited.
        try:
            self.records.check(job.spec)
        except SuperCPError as err:
            job.error = err
            return
        job.previous = self.records.sites.get(job.spec.domain)
        if job.changed:
            path = self.layout.record(job.spec.domain)
            record = Record(job.spec, committed=False, shard=job.shard)
            self.records.put(path, record, durable=durable)

    def _make_dirs(self, jobs: list[_Job]) -> None:
        self.layout.log_dir.mkdir(mode=0o755, parents=True, exist_ok=True)
        server_files.ensure_pages(self.layout)
        web_user = read_passwd(self.config.host_path("/")).get(WEB_GROUP)
        if web_user is None:
            raise SystemFailure(f"user {WEB_GROUP} is missing", code="not-installed")
        for job in jobs:
            plan, owner = job.plan, job.owner
            assert plan is not None
            assert owner is not None
            try:
                site_dirs.ensure_site_dirs(plan.home, plan.site_dir, plan.docroot, owner)
                # nginx's workers open the access log (its path holds a variable), so the
                # file is theirs; the directory stays root's, so nobody can plant a link.
                server_files.ensure_log(plan.access_log, web_user.uid, web_user.gid)
            except SuperCPError as err:
                job.error = err
                self._restore_record(job)

    def _restore_record(self, job: _Job) -> None:
        if job.changed:
            path = self.layout.record(job.spec.domain)
            self.records.restore(path, job.spec.domain, job.previous)

    async def _commit(self, jobs: list[_Job], serving: asyncio.Future[None]) -> None:
        """Pools that appear, then nginx, then pools that go; a failure undoes the others.

        A server block nginx never had goes in at the same time as its pool: until the
        caller is answered (after both) nobody was told the site exists, and a visitor who
        comes early gets a 502 instead of the default server's 404. Both reloads then overlap
        (nginx's alone waits 100 ms for its new workers before it retires the old ones).
        Once its pool is up and nginx has validated its block (only the reload is left),
        such a site gets its entries in the default server, which serves it until the
        reload is done; if every site of the call has them, ``serving`` is set: the caller
        is answered.
        A change to a site nginx serves waits for its pool, so no request of a live site
        meets a socket that is not there yet.
        """
        keys = {k for j in jobs for k in j.pools_up}
        await asyncio.to_thread(
            server_files.ensure_fpm_ini, self.layout, {parse_fpm_key(k)[0] for k in keys}
        )
        await asyncio.to_thread(server_files.ensure_shard_confs, self.layout, keys)
        early = [j for j in jobs if j.vhost and j.new_vhost]
        entries = [j for j in early if j.plan is not None and default_server.eligible(j.plan)]
        if entries and not await asyncio.to_thread(default_server.available, self.layout):
            entries = []

        blocks = {job: Change(job.spec.domain, job.vhost) for job in early}
        first = asyncio.ensure_future(self._commit_changes(list(blocks.items())))

        async def pools_up() -> list[tuple[_Job, Change, SuperCPError | None]]:
            up = await self._commit_pools(jobs, "pools_up")
            failed = {job for job, _, err in up if err is not None}
            ready = [j for j in entries if j not in failed]
            # Served early only once nginx has validated the block: a refusal still
            # reaches the caller; only the reload is not waited for.
            valid = asyncio.ensure_future(asyncio.gather(*(blocks[j].valid.wait() for j in ready)))
            either: list[asyncio.Future[Any]] = [valid, first]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if first.done() or not valid.done():  # nginx's outcome is the answer
                valid.cancel()
                return up
            opened = await asyncio.to_thread(self._open_entries, ready)
            if len(opened) == len(jobs) and not serving.done():
                serving.set_result(None)
            return up

        up, nginx = await asyncio.gather(pools_up(), first)
        pool_failed = {job for job, _, err in up if err is not None}
        late = [j for j in jobs if j.vhost and not j.new_vhost and j not in pool_failed]
        nginx += await self._commit_nginx(late)
        nginx_failed = {job: err for job, _, err in nginx if err is not None}
        # A block nginx loaded answers its names now: the entries go. After a reload that
        # was not seen they stay and serve (the record stays uncommitted; the next apply
        # reloads). A refused block had no entry (nothing is served before nginx validated
        # it); one a crash left goes, before the site is undone below.
        await asyncio.to_thread(
            self._close_entries,
            [j.spec for j in jobs if j.vhost and not isinstance(nginx_failed.get(j), ReloadFailed)],
        )
        # The pools of sites nginx refused, and the server blocks of sites whose pool failed,
        # go back to what they were. After a reload that was not seen, the files stay.
        undo_pools = [
            (job, change)
            for job, change, err in up
            if err is None
            and job in nginx_failed
            and not isinstance(nginx_failed[job], ReloadFailed)
        ]
        undo_vhosts = [
            Change(change.key, change.previous)
            for job, change, err in nginx
            if err is None and job in pool_failed
        ]
        await asyncio.gather(
            self._undo_pools([c for _, c in undo_pools]),
            self.nginx_reloader.commit(undo_vhosts),
        )
        for job, _, err in up:
            job.error = job.error or err
        for job, err in nginx_failed.items():
            job.error = job.error or err
        for job in pool_failed | set(nginx_failed):
            # After a failed nginx reload its file is in place: the record stays, uncommitted,
            # so a retry reloads. After a refused check it was put back, and so is the record.
            if job in pool_failed or not isinstance(job.error, ReloadFailed):
                self._restore_record(job)
        down = await self._commit_pools([j for j in jobs if j.error is None], "pools_down")
        for job, _, err in down:
            job.error = job.error or err
        for job in jobs:
            if job.error is None:
                # Not synced: should a crash lose it, the record reads uncommitted and the
                # next apply of the site reloads once more, which is all "committed" saves.
                path = self.layout.record(job.spec.domain)
                record = Record(job.spec, committed=True, shard=job.shard)
                self.records.put(path, record, durable=False)

    def _open_entries(self, jobs: list[_Job]) -> set[_Job]:
        """The default server's entries of new sites whose pools are up; those it made."""
        opened = set()
        for job in jobs:
            assert job.plan is not None
            assert job.owner is not None
            try:
                default_server.open_entries(self.layout, job.plan, job.owner.uid)
            except OSError as err:  # the site then waits for its block, as before
                log.warning("%s: no entry in the default server: %s", job.spec.domain, err)
                continue
            opened.add(job)
        if opened:
            log.info("%d new site(s) served by the default server until nginx reloads", len(opened))
        return opened

    def _close_entries(self, specs: list[SiteSpec]) -> None:
        for spec in specs:
            log = self.layout.log(spec.domain, "access")
            default_server.close_entries(self.layout, _names(spec), log)

    async def _commit_nginx(
        self, jobs: list[_Job]
    ) -> list[tuple[_Job, Change, SuperCPError | None]]:
        return await self._commit_changes(
            [(job, Change(job.spec.domain, job.vhost)) for job in jobs]
        )

    async def _commit_changes(
        self, changes: list[tuple[_Job, Change]]
    ) -> list[tuple[_Job, Change, SuperCPError | None]]:
        errors = await self.nginx_reloader.commit([c for _, c in changes])
        return [(job, c, err) for (job, c), err in zip(changes, errors, strict=True)]

    async def _undo_pools(self, changes: list[Change]) -> None:
        keys = sorted({c.key.partition("|")[0] for c in changes})

        async def one(key: str) -> None:
            back = [Change(c.key, c.previous) for c in changes if c.key.startswith(key + "|")]
            await self.fpm(key)[1].commit(back)

        await asyncio.gather(*(one(k) for k in keys))

    async def _commit_pools(
        self, jobs: list[_Job], which: str
    ) -> list[tuple[_Job, Change, SuperCPError | None]]:
        """Each master's pools (``pools_up`` or ``pools_down``), the masters at once."""
        keys = sorted({k for j in jobs for k in getattr(j, which)})

        async def one(key: str) -> list[tuple[_Job, Change, SuperCPError | None]]:
            batch = [
                (job, Change(f"{key}|{job.spec.domain}", getattr(job, which)[key]))
                for job in jobs
                if key in getattr(job, which)
            ]
            errors = await self.fpm(key)[1].commit([c for _, c in batch])
            return [(job, c, err) for (job, c), err in zip(batch, errors, strict=True)]

        done = await asyncio.gather(*(one(k) for k in keys))
        return [entry for entries in done for entry in entries]

    async def remove(self, domain: str, *, remove_files: bool) -> bool:
        """Take the site off nginx and PHP-FPM, drop its logs and record; False if unknown."""
        async with self._locks.hold(f"site:{domain}"):
            if domain not in self.records.sites:
                return False
            await self._remove([domain], remove_files=remove_files)
            return True

    async def remove_account(self, account: str) -> list[str]:
        """Remove every site of an account (before the account goes: its pools name it)."""
        domains = [d for d, r in sorted(self.records.sites.items()) if r.spec.account == account]
        async with contextlib.AsyncExitStack() as stack:
            for domain in domains:
                await stack.enter_async_context(self._locks.hold(f"site:{domain}"))
            domains = [d for d in domains if d in self.records.sites]
            await self._remove(domains, remove_files=False)
        return domains

    async def _remove(self, domains: list[str], *, remove_files: bool) -> None:
        """Remove sites with one reload per service: nginx first, then their pools."""
        if not domains:
            return
        await asyncio.to_thread(self._close_entries, [self.records.sites[d].spec for d in domains])
        changes = [Change(d, {self.layout.vhost(d): None}) for d in domains]
        for error in await self.nginx_reloader.commit(changes):
            if error is not None:
                raise error
        keys = [
            fpm_key(v, k) for v in self.php_versions() for k in [None, *fpm_shards(self.layout, v)]
        ]

        async def one(key: str) -> list[SuperCPError | None]:
            version, shard = parse_fpm_key(key)
            pools = [self.layout.pool(version, d, shard) for d in domains]
            gone = [Change(p.name, {p: None}) for p in pools if p.exists()]
            return await self.fpm(key)[1].commit(gone)

        for errors in await asyncio.gather(*(one(k) for k in keys)):
            for error in errors:
                if error is not None:
                    raise error
        for domain in domains:
            spec = self.records.sites[domain].spec
            if remove_files:
                await self._remove_files(spec)
            # From here without an await: no late error of the site can bring its log back.
            self.records.drop(self.layout.record(domain), domain)
            self.error_logs.forget(domain)
            for kind in ("access", "error"):
                self.layout.log(domain, kind).unlink(missing_ok=True)

    async def _remove_files(self, spec: SiteSpec) -> None:
        plan = self.layout.plan(spec, self.config.users_group)
        entry = self.accounts.resolve([spec.account])[spec.account]
        if isinstance(entry, SuperCPError):
            return  # no account, no home to clean
        owner = site_dirs.Owner(entry.uid, entry.gid, -1)
        await asyncio.to_thread(site_dirs.remove_site_dir, plan.home, plan.site_dir, owner)
