"""Sites: from a spec to live nginx and PHP-FPM files, one site or a whole batch at once.

Every change goes the same way, for one site or ten thousand, in named steps:

1. plan (plan.py): check the names and the account, render, leave out what already
   matches the disk; nothing is written, and the plan does not change afterwards;
2. candidate check: the new files on their own, so a bad one is pinned to its site;
3. record: the site's desired state, before the system is touched (records.py);
4. directories: the site's own, in the account's home (site_dirs.py), and its log;
5. commit (commit.py): the files to the reloaders in order: PHP-FPM pools that appear,
   nginx, PHP-FPM pools that go.

A failure puts back the site's record and the steps already taken. What became of each
site (the record it replaced, its error) is kept in its ``Applying``, apart from the plan.

A site nginx never served is served as soon as its pool is up, by nginx's default server
(default_server.py), and the call is answered then; nginx's reload, which parses every
site's block, finishes in the background with the site's lock still held.

Our pools are spread over PHP-FPM masters of our own, shards of at most
``php_fpm_shard_size`` pools each (one reload re-reads every pool of its master), each with
its reloader; a change reloads only the shards it touches, several of them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping, Sequence

from supercp.daemon.config import DaemonConfig
from supercp.daemon.locks import KeyedLocks
from supercp.daemon.system.accounts import AccountManager
from supercp.daemon.system.reloader import Change, Reloader, candidate_invalid
from supercp.daemon.system.runner import Runner
from supercp.daemon.system.services import systemd_runs
from supercp.daemon.system.userdb import PasswdEntry, read_group, read_passwd
from supercp.daemon.web import default_server, server_files, site_dirs
from supercp.daemon.web.commit import Commit, close_entries, undo_record
from supercp.daemon.web.errorlog import ErrorLogs
from supercp.daemon.web.fpm import PhpFpm, fpm_shards, php_versions
from supercp.daemon.web.layout import WEB_GROUP, FpmMaster, WebLayout, stem
from supercp.daemon.web.nginx import Nginx
from supercp.daemon.web.plan import Applying, SiteChange, plan_change
from supercp.daemon.web.records import Record, RecordStore, names
from supercp.protocol.errors import (
    Conflict,
    NotFound,
    SuperCPError,
    SystemFailure,
    ValidationFailed,
)
from supercp.protocol.web import Site, SiteSpec

log = logging.getLogger(__name__)

# One spec's result of the plan step: its way through the later steps, or what refused it.
Planned = Applying | SuperCPError


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
                for name in names(r.spec)
            },
        )
        self.nginx = Nginx(self.layout, runner)
        self.nginx_reloader = Reloader(self.nginx)
        self._systemd = systemd_runs(config.host_path("/"))
        self._fpm: dict[FpmMaster, tuple[PhpFpm, Reloader]] = {}
        self._locks = KeyedLocks()
        self.error_logs = ErrorLogs(self.layout, self.records.sites.keys)
        # Applies answered while their nginx reload still runs.
        self._pending: set[asyncio.Task[None]] = set()

    # -- queries -----------------------------------------------------------------------

    def php_versions(self) -> list[str]:
        return php_versions(self.layout)

    def fpm(self, master: FpmMaster) -> tuple[PhpFpm, Reloader]:
        """A PHP-FPM master and its reloader."""
        if master not in self._fpm:
            version, shard = master
            service = PhpFpm(version, self.layout, self.runner, shard, systemd=self._systemd)
            self._fpm[master] = (service, Reloader(service))
        return self._fpm[master]

    def reloads(self) -> dict[str, int]:
        """Reloads done since start, per service (nginx, php8.2-fpm, php8.2-fpm shard 0...)."""
        counts = {"nginx": self.nginx_reloader.reloads}
        for _, (service, reloader) in sorted(self._fpm.items(), key=lambda item: str(item[0])):
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
            service = self.fpm(FpmMaster(version, shard))[0]
            try:
                if service.pools() > 0:
                    await asyncio.to_thread(
                        server_files.ensure_shard_confs, self.layout, {service.master}
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
        planned: list[Planned] = []
        serving: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._apply_held(specs, planned, serving))
        self._pending.add(task)

        def finished(task: asyncio.Task[None]) -> None:
            self._pending.discard(task)
            if serving.done() and not task.cancelled() and task.exception() is not None:
                err = task.exception()
                log.error("applying %d site(s) failed after the answer", len(specs), exc_info=err)

        task.add_done_callback(finished)
        # Not the task itself: a caller that goes away does not cut the apply short.
        await asyncio.wait([task, serving], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()
        return [self._answer(p) for p in planned]

    def _answer(self, planned: Planned) -> tuple[Site | None, bool, SuperCPError | None]:
        """What the caller hears of one spec (as far as the apply has gone)."""
        if isinstance(planned, SuperCPError):
            return None, False, planned
        if planned.error is not None:
            return None, False, planned.error
        return self.layout.site(planned.change.spec), planned.change.changed, None

    async def _apply_held(
        self, specs: Sequence[SiteSpec], planned: list[Planned], serving: asyncio.Future[None]
    ) -> None:
        async with contextlib.AsyncExitStack() as stack:
            for domain in sorted({s.domain for s in specs}):
                await stack.enter_async_context(self._locks.hold(f"site:{domain}"))
            try:
                await self._apply(specs, planned, serving)
            finally:
                # Shards claimed for sites whose record was never written go back.
                for spec in specs:
                    self.records.unclaim(spec.domain)

    async def _apply(
        self, specs: Sequence[SiteSpec], planned: list[Planned], serving: asyncio.Future[None]
    ) -> None:
        """The steps, each over the sites no earlier step refused; ``planned`` per spec."""
        planned[:] = self._plan(specs)
        sites = [p for p in planned if isinstance(p, Applying)]
        await self._check_candidates([s for s in sites if s.change.changed])
        durable = len(specs) == 1
        self._record([s for s in sites if s.error is None], durable=durable)
        await asyncio.to_thread(self._make_dirs, [s for s in sites if s.error is None])
        if not durable:
            os.sync()
        await self._commit([s for s in sites if s.error is None and s.change.changed], serving)

    def _plan(self, specs: Sequence[SiteSpec]) -> list[Planned]:
        """Validate each spec against the system and decide its files (no writes)."""
        seen: set[str] = set()
        users = self.accounts.resolve(s.account for s in specs)
        web_gid = self._gid(WEB_GROUP)
        versions = self.php_versions()
        shards = {v: fpm_shards(self.layout, v) for v in versions}
        planned: list[Planned] = []
        for spec in specs:
            try:
                change = self._plan_one(spec, seen, users[spec.account], web_gid, shards)
            except SuperCPError as err:
                planned.append(err)
            else:
                planned.append(Applying(change))
        return planned

    def _plan_one(
        self,
        spec: SiteSpec,
        seen: set[str],
        user: PasswdEntry | SuperCPError,
        web_gid: int,
        shards: Mapping[str, Sequence[int]],
    ) -> SiteChange:
        if spec.domain in seen:
            raise Conflict(f"{spec.domain} is twice in the batch", field="domain")
        seen.add(spec.domain)
        if isinstance(user, SuperCPError):
            raise user
        if spec.php is not None and spec.php not in shards:
            raise ValidationFailed(
                f"PHP {spec.php} is not installed (installed: {', '.join(shards)})",
                code="php-not-installed",
                field="php",
            )
        self.records.check(spec)
        owner = site_dirs.Owner(user.uid, user.gid, web_gid)
        shard = self._shard(spec)
        plan = self.layout.plan(spec, self.config.users_group, shard)
        if plan.docroot.is_relative_to(plan.tmp_dir):
            raise ValidationFailed(
                "the document root cannot be the site's temp dir", field="docroot"
            )
        current = self.records.sites.get(spec.domain)
        return plan_change(
            self.layout,
            spec,
            plan=plan,
            owner=owner,
            shard=shard,
            current=current,
            shards=shards,
            running=self._running,
        )

    def _running(self, master: FpmMaster) -> bool:
        return self.fpm(master)[0].running()

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

    async def _check_candidates(self, sites: list[Applying]) -> None:
        """Each new file on its own: a broken one fails its own site, nobody else's.

        nginx's and each PHP version's checks run at once: they read nothing of each other.
        """
        vhosts = {
            s.change.spec.domain: (s.change.vhost.data or b"").decode()
            for s in sites
            if s.change.vhost is not None
        }
        checks = [("nginx", self.nginx.check_candidates(vhosts))]
        for version in sorted({m.version for s in sites for m in s.change.pools_up}):
            pools = {
                s.change.spec.domain: (pool.data or b"").decode()
                for s in sites
                for master, pool in s.change.pools_up.items()
                if master.version == version
            }
            checks.append(("php-fpm", self.fpm(FpmMaster(version))[0].check_candidates(pools)))
        found = await asyncio.gather(*(check for _, check in checks))
        for (what, _), problems in zip(checks, found, strict=True):
            for site in sites:
                domain = site.change.spec.domain
                if site.error is None and domain in problems:
                    site.error = candidate_invalid(what, problems[domain])

    def _record(self, sites: list[Applying], *, durable: bool) -> None:
        """Each site's record, uncommitted, before its files are touched."""
        for site in sites:
            spec = site.change.spec
            # Checked again: other calls may have claimed a name while this one awaited.
            try:
                self.records.check(spec)
            except SuperCPError as err:
                site.error = err
                continue
            site.replaced = self.records.sites.get(spec.domain)
            if site.change.changed:
                record = Record(spec, committed=False, shard=site.change.shard)
                self.records.put(self.layout.record(spec.domain), record, durable=durable)

    def _make_dirs(self, sites: list[Applying]) -> None:
        self.layout.log_dir.mkdir(mode=0o755, parents=True, exist_ok=True)
        server_files.ensure_pages(self.layout)
        web_user = read_passwd(self.config.host_path("/")).get(WEB_GROUP)
        if web_user is None:
            raise SystemFailure(f"user {WEB_GROUP} is missing", code="not-installed")
        for site in sites:
            plan, owner = site.change.plan, site.change.owner
            try:
                site_dirs.ensure_site_dirs(plan.home, plan.site_dir, plan.docroot, owner)
                # nginx's workers open the access log (its path holds a variable), so the
                # file is theirs; the directory stays root's, so nobody can plant a link.
                server_files.ensure_log(plan.access_log, web_user.uid, web_user.gid)
            except SuperCPError as err:
                site.error = err
                undo_record(self.layout, self.records, site)

    async def _commit(self, sites: list[Applying], serving: asyncio.Future[None]) -> None:
        """The files to the reloaders (commit.py); ``serving`` is set once all are served."""
        commit = Commit(self.layout, self.records, self.nginx_reloader, self._reloader, serving)
        await commit.run(sites)

    def _reloader(self, master: FpmMaster) -> Reloader:
        return self.fpm(master)[1]

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
        await asyncio.to_thread(
            close_entries, self.layout, [self.records.sites[d].spec for d in domains]
        )
        changes = [Change(d, {self.layout.vhost(d): None}) for d in domains]
        for error in await self.nginx_reloader.commit(changes):
            if error is not None:
                raise error
        masters = [
            FpmMaster(v, k)
            for v in self.php_versions()
            for k in [None, *fpm_shards(self.layout, v)]
        ]

        async def one(master: FpmMaster) -> list[SuperCPError | None]:
            pools = [self.layout.pool(master.version, d, master.shard) for d in domains]
            gone = [Change(p.name, {p: None}) for p in pools if p.exists()]
            return await self.fpm(master)[1].commit(gone)

        for errors in await asyncio.gather(*(one(m) for m in masters)):
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
