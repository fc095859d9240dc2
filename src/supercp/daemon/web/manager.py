"""Sites: from a spec to live nginx and PHP-FPM files, one site or a whole batch at once.

Every change goes the same way, for one site or ten thousand: check the names and the
account; render; leave out what already matches the disk; check the new files on their
own (so a bad one is pinned to its site); write the record; make the directories; then
hand the files to the reloaders in order: PHP-FPM pools that appear, nginx, PHP-FPM pools
that go. A failure puts back the site's record and the steps already taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from supercp.daemon.config import DaemonConfig
from supercp.daemon.locks import KeyedLocks
from supercp.daemon.system.accounts import AccountManager
from supercp.daemon.system.files import atomic_write
from supercp.daemon.system.runner import Runner
from supercp.daemon.system.userdb import read_group, read_passwd
from supercp.daemon.web import dirs
from supercp.daemon.web.layout import WEB_GROUP, SitePlan, WebLayout, stem
from supercp.daemon.web.records import Record, RecordStore
from supercp.daemon.web.reloader import Change, FileSet, Reloader, ReloadFailed
from supercp.daemon.web.render import (
    SUSPENDED_PAGE,
    render_fpm_ini,
    render_pool,
    render_suspended_page,
    render_vhost,
)
from supercp.daemon.web.services import Nginx, PhpFpm, failure, php_versions
from supercp.protocol.errors import (
    Conflict,
    NotFound,
    SuperCPError,
    SystemFailure,
    ValidationFailed,
)
from supercp.protocol.web import Site, SiteSpec, default_docroot

log = logging.getLogger(__name__)

# How much of a log the tail reads at most, from its end.
_TAIL_BYTES = 1 << 20


@dataclass(eq=False)
class _Job:
    """One site's way through a batch."""

    spec: SiteSpec
    plan: SitePlan | None = None
    owner: dirs.Owner | None = None
    vhost: FileSet = field(default_factory=dict)
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
        self._sweep()
        self.nginx = Nginx(self.layout, runner)
        self.nginx_reloader = Reloader(self.nginx)
        self._fpm: dict[str, tuple[PhpFpm, Reloader]] = {}
        self._locks = KeyedLocks()

    def _sweep(self) -> None:
        """Delete server blocks and pools that no record vouches for (left by a bug or by
        hand); records are written before files, so none is in the middle of a change."""
        wanted = {stem(d) for d in self.records.sites}
        found = [(p, p.name.removesuffix(".conf")) for p in _listing(self.layout.vhost_dir)]
        for version in php_versions(self.layout):
            pools = _listing(self.layout.fpm_dir(version) / "pool.d")
            found += [
                (p, p.name[len("supercp.") : -len(".conf")])
                for p in pools
                if p.name.startswith("supercp.")
            ]
        for path, name in found:
            if name not in wanted:
                log.warning("removing %s: no site record names it", path)
                path.unlink(missing_ok=True)
        # Temp files of writes a crash cut short (nothing is being written at start).
        for directory in (self.layout.vhost_dir, self.layout.records_dir):
            for path in _listing(directory, ".tmp"):
                path.unlink(missing_ok=True)

    # -- queries -----------------------------------------------------------------------

    def php_versions(self) -> list[str]:
        return php_versions(self.layout)

    def fpm(self, version: str) -> tuple[PhpFpm, Reloader]:
        if version not in self._fpm:
            service = PhpFpm(version, self.layout, self.runner)
            self._fpm[version] = (service, Reloader(service))
        return self._fpm[version]

    def reloads(self) -> dict[str, int]:
        """Reloads done since start, per service (nginx, php8.2-fpm, ...)."""
        counts = {"nginx": self.nginx_reloader.reloads}
        for version, (_, reloader) in sorted(self._fpm.items()):
            counts[f"php{version}-fpm"] = reloader.reloads
        return counts

    def site(self, spec: SiteSpec) -> Site:
        """The result form of a spec, with the absolute document root."""
        docroot = (
            self.config.home_root / spec.account / (spec.docroot or default_docroot(spec.domain))
        )
        return Site(
            domain=spec.domain,
            account=spec.account,
            aliases=list(spec.aliases),
            redirect_aliases=spec.redirect_aliases,
            php=spec.php,
            docroot=str(docroot),
            suspended=spec.suspended,
            limits=spec.limits,
        )

    def all(self) -> list[Site]:
        return [self.site(r.spec) for _, r in sorted(self.records.sites.items())]

    def spec_of(self, domain: str) -> SiteSpec:
        record = self.records.sites.get(domain)
        if record is None:
            raise NotFound(f"no site {domain}", code="no-site", field="domain")
        return record.spec

    def log_tail(self, domain: str, kind: str, lines: int) -> list[str]:
        """The last ``lines`` lines of the site's log, reading at most 1 MiB from its end."""
        self.spec_of(domain)
        try:
            fd = os.open(self.layout.log(domain, kind), os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return []
        with os.fdopen(fd, "rb") as fh:
            size = os.fstat(fd).st_size
            start = max(0, size - _TAIL_BYTES)
            fh.seek(start)
            data = fh.read(_TAIL_BYTES)
        text = data.decode("utf-8", "replace").splitlines()
        if start > 0 and text:
            text = text[1:]  # the first line was cut
        return text[-lines:]

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
        """Converge many sites with one check and one reload per service; per-site outcomes."""
        async with contextlib.AsyncExitStack() as stack:
            for domain in sorted({s.domain for s in specs}):
                await stack.enter_async_context(self._locks.hold(f"site:{domain}"))
            jobs = [_Job(spec) for spec in specs]
            self._prepare(jobs)
            await self._check_candidates([j for j in jobs if j.error is None and j.changed])
            durable = len(jobs) == 1
            for job in jobs:
                if job.error is None:
                    self._record(job, durable=durable)
            await asyncio.to_thread(self._make_dirs, [j for j in jobs if j.error is None])
            if not durable:
                os.sync()
            await self._commit([j for j in jobs if j.error is None and j.changed])
        return [
            (self.site(j.spec), j.changed, None) if j.error is None else (None, False, j.error)
            for j in jobs
        ]

    def _prepare(self, jobs: list[_Job]) -> None:
        """Validate each job against the system and render its files (no writes)."""
        seen: set[str] = set()
        users = self.accounts.resolve(j.spec.account for j in jobs)
        web_gid = self._gid(WEB_GROUP)
        versions = self.php_versions()
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
                job.owner = dirs.Owner(entry.uid, entry.gid, web_gid)
                job.plan = self.layout.plan(spec, self.config.users_group)
                if job.plan.docroot.is_relative_to(job.plan.tmp_dir):
                    raise ValidationFailed(
                        "the document root cannot be the site's temp dir", field="docroot"
                    )
                self._render(job, versions)
            except SuperCPError as err:
                job.error = err

    def _gid(self, group: str) -> int:
        entry = read_group(self.config.host_path("/")).get(group)
        if entry is None:
            raise SystemFailure(f"group {group} is missing", code="not-installed")
        return entry.gid

    def _render(self, job: _Job, versions: list[str]) -> None:
        plan = job.plan
        assert plan is not None
        current = self.records.sites.get(job.spec.domain)
        # A record not yet committed means a change was cut short (a crash): its files may
        # be on disk but not loaded, so they are committed again even where they match.
        force = current is None or not current.committed
        job.changed = force
        vhost_path = self.layout.vhost(plan.domain)
        text = render_vhost(plan).encode()
        if force or _differs(vhost_path, text):
            job.vhost = {vhost_path: text}
            job.changed = True
            job.new_vhost = not vhost_path.exists()
        live = plan.socket is not None and not plan.suspended
        for version in versions:
            path = self.layout.pool(version, plan.domain)
            if live and version == plan.php:
                pool = render_pool(plan).encode()
                # A missing socket: PHP-FPM has not loaded the pool (drift): reload it.
                lost = plan.socket is not None and not plan.socket.exists()
                if force or lost or _differs(path, pool):
                    job.pools_up[version] = {path: pool}
                    job.changed = True
            elif path.exists() or (force and self.layout.socket(version, plan.domain).exists()):
                job.pools_down[version] = {path: None}
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
        for version in sorted({v for j in jobs for v in j.pools_up}):
            pools = {
                j.spec.domain: (next(iter(j.pools_up[version].values())) or b"").decode()
                for j in jobs
                if version in j.pools_up
            }
            checks.append(("php-fpm", self.fpm(version)[0].check_candidates(pools)))
        found = await asyncio.gather(*(check for _, check in checks))
        for (what, _), problems in zip(checks, found, strict=True):
            for job in jobs:
                if job.error is None and job.spec.domain in problems:
                    job.error = failure(what, problems[job.spec.domain])

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
            self.records.put(path, Record(job.spec, committed=False), durable=durable)

    def _make_dirs(self, jobs: list[_Job]) -> None:
        self.layout.acme_root.mkdir(mode=0o755, parents=True, exist_ok=True)
        self.layout.log_dir.mkdir(mode=0o755, parents=True, exist_ok=True)
        self._ensure_pages()
        web_user = read_passwd(self.config.host_path("/")).get(WEB_GROUP)
        if web_user is None:
            raise SystemFailure(f"user {WEB_GROUP} is missing", code="not-installed")
        for job in jobs:
            plan, owner = job.plan, job.owner
            assert plan is not None
            assert owner is not None
            try:
                dirs.ensure_site_dirs(plan.home, plan.site_dir, plan.docroot, owner)
                plan.acme_dir.mkdir(mode=0o755, exist_ok=True)
                # nginx's workers open the access log (its path holds a variable), so the
                # file is theirs; the directory stays root's, so nobody can plant a link.
                _ensure_log(plan.access_log, web_user.uid, web_user.gid)
            except SuperCPError as err:
                job.error = err
                self._restore_record(job)

    def _ensure_pages(self) -> None:
        page = self.layout.pages_dir / SUSPENDED_PAGE
        text = render_suspended_page().encode()
        if _differs(page, text):
            self.layout.pages_dir.mkdir(mode=0o755, parents=True, exist_ok=True)
            atomic_write(page, text, mode=0o644)

    def _restore_record(self, job: _Job) -> None:
        if job.changed:
            path = self.layout.record(job.spec.domain)
            self.records.restore(path, job.spec.domain, job.previous)

    def _ensure_fpm_ini(self, versions: set[str]) -> None:
        """Put each version's ini in place before its first pool (a version installed
        later gets it too). Changing it changes the fingerprint: checked whole, then."""
        text = render_fpm_ini().encode()
        for version in sorted(versions):
            path = self.layout.fpm_ini(version)
            if _differs(path, text):
                path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
                atomic_write(path, text, mode=0o644)

    async def _commit(self, jobs: list[_Job]) -> None:
        """Pools that appear, then nginx, then pools that go; a failure undoes the others.

        A server block nginx never had goes in at the same time as its pool: until the
        caller is answered (after both) nobody was told the site exists, and a visitor who
        comes early gets a 502 instead of the default server's 404. Both reloads then overlap
        (nginx's alone waits 100 ms for its new workers before it retires the old ones).
        A change to a site nginx serves waits for its pool, so no request of a live site
        meets a socket that is not there yet.
        """
        versions = {v for j in jobs for v in j.pools_up}
        await asyncio.to_thread(self._ensure_fpm_ini, versions)
        early = [j for j in jobs if j.vhost and j.new_vhost]
        up, nginx = await asyncio.gather(
            self._commit_pools(jobs, "pools_up"), self._commit_nginx(early)
        )
        pool_failed = {job for job, _, err in up if err is not None}
        late = [j for j in jobs if j.vhost and not j.new_vhost and j not in pool_failed]
        nginx += await self._commit_nginx(late)
        nginx_failed = {job: err for job, _, err in nginx if err is not None}
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
                self.records.put(path, Record(job.spec, committed=True), durable=False)

    async def _commit_nginx(
        self, jobs: list[_Job]
    ) -> list[tuple[_Job, Change, SuperCPError | None]]:
        changes = [(job, Change(job.spec.domain, job.vhost)) for job in jobs]
        errors = await self.nginx_reloader.commit([c for _, c in changes])
        return [(job, c, err) for (job, c), err in zip(changes, errors, strict=True)]

    async def _undo_pools(self, changes: list[Change]) -> None:
        for version in sorted({c.key.partition("|")[0] for c in changes}):
            back = [Change(c.key, c.previous) for c in changes if c.key.startswith(version + "|")]
            await self.fpm(version)[1].commit(back)

    async def _commit_pools(
        self, jobs: list[_Job], which: str
    ) -> list[tuple[_Job, Change, SuperCPError | None]]:
        """Each version's pools (``pools_up`` or ``pools_down``), the versions at once."""
        versions = sorted({v for j in jobs for v in getattr(j, which)})

        async def one(version: str) -> list[tuple[_Job, Change, SuperCPError | None]]:
            batch = [
                (job, Change(f"{version}|{job.spec.domain}", getattr(job, which)[version]))
                for job in jobs
                if version in getattr(job, which)
            ]
            errors = await self.fpm(version)[1].commit([c for _, c in batch])
            return [(job, c, err) for (job, c), err in zip(batch, errors, strict=True)]

        done = await asyncio.gather(*(one(v) for v in versions))
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
        changes = [Change(d, {self.layout.vhost(d): None}) for d in domains]
        for error in await self.nginx_reloader.commit(changes):
            if error is not None:
                raise error
        for version in self.php_versions():
            pools = [self.layout.pool(version, d) for d in domains]
            gone = [Change(p.name, {p: None}) for p in pools if p.exists()]
            for error in await self.fpm(version)[1].commit(gone):
                if error is not None:
                    raise error
        for domain in domains:
            spec = self.records.sites[domain].spec
            for kind in ("access", "error"):
                self.layout.log(domain, kind).unlink(missing_ok=True)
            shutil.rmtree(self.layout.plan(spec, self.config.users_group).acme_dir, True)
            if remove_files:
                await self._remove_files(spec)
            self.records.drop(self.layout.record(domain), domain)

    async def _remove_files(self, spec: SiteSpec) -> None:
        plan = self.layout.plan(spec, self.config.users_group)
        entry = self.accounts.resolve([spec.account])[spec.account]
        if isinstance(entry, SuperCPError):
            return  # no account, no home to clean
        owner = dirs.Owner(entry.uid, entry.gid, -1)
        await asyncio.to_thread(dirs.remove_site_dir, plan.home, plan.site_dir, owner)


def _listing(directory: Path, suffix: str = ".conf") -> list[Path]:
    try:
        return [directory / n for n in os.listdir(directory) if n.endswith(suffix)]
    except FileNotFoundError:
        return []


def _differs(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except FileNotFoundError:
        return True


def _ensure_log(path: Path, uid: int, gid: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o640)
    try:
        st = os.fstat(fd)
        if (st.st_uid, st.st_gid) != (uid, gid):
            os.fchown(fd, uid, gid)
    finally:
        os.close(fd)
