"""The last step of an apply: the planned files go live through the reloaders, in order.

Pools that appear, then nginx, then pools that go; a failure undoes the others. A server
block nginx never had goes in at the same time as its pool: until the caller is answered
(after both) nobody was told the site exists, and a visitor who comes early gets a 502
instead of the default server's 404. Both reloads then overlap (nginx's alone waits 100 ms
for its new workers before it retires the old ones). Once its pool is up and nginx has
validated its block (only the reload is left), such a site gets its entries in the default
server, which serves it until the reload is done; if every site of the call has them,
``serving`` is set: the caller is answered. A change to a site nginx serves waits for its
pool, so no request of a live site meets a socket that is not there yet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from supercp.daemon.system.reloader import Change, Reloader, ReloadFailed
from supercp.daemon.web import default_server, server_files
from supercp.daemon.web.layout import FpmMaster, WebLayout
from supercp.daemon.web.plan import Applying, File
from supercp.daemon.web.records import Record, RecordStore, names
from supercp.protocol.errors import SuperCPError
from supercp.protocol.web import SiteSpec

log = logging.getLogger(__name__)


class Committed(NamedTuple):
    """What a reloader made of one site's file (a pool's: in ``master``)."""

    site: Applying
    change: Change
    error: SuperCPError | None
    master: FpmMaster | None = None


def undo_record(layout: WebLayout, records: RecordStore, site: Applying) -> None:
    """Put back the record the site's apply replaced (if it wrote one)."""
    if site.change.changed:
        domain = site.change.spec.domain
        records.restore(layout.record(domain), domain, site.replaced)


def close_entries(layout: WebLayout, specs: Iterable[SiteSpec]) -> None:
    """Take the sites' entries out of the default server (their lines to the sites' logs)."""
    for spec in specs:
        default_server.close_entries(layout, names(spec), layout.log(spec.domain, "access"))


@dataclass(frozen=True, slots=True)
class Commit:
    """One apply's commit: the reloaders it goes through and the caller waiting for it."""

    layout: WebLayout
    records: RecordStore
    nginx: Reloader
    # A PHP-FPM master's reloader.
    fpm: Callable[[FpmMaster], Reloader]
    # Set when every site of the call is served (by the default server): the caller is
    # answered while the rest of the commit runs on.
    serving: asyncio.Future[None]

    async def run(self, sites: list[Applying]) -> None:
        """Commit the sites (planned, recorded, each with something to change)."""
        await self._prepare_masters(sites)
        up, nginx = await self._pools_up_and_nginx(sites)
        pool_failed = {r.site for r in up if r.error is not None}
        nginx_failed = {r.site: r.error for r in nginx if r.error is not None}
        # A block nginx loaded answers its names now: the entries go. After a reload that
        # was not seen they stay and serve (the record stays uncommitted; the next apply
        # reloads). A refused block had no entry (nothing is served before nginx validated
        # it); one a crash left goes, before the site is undone below.
        await asyncio.to_thread(
            close_entries,
            self.layout,
            [
                s.change.spec
                for s in sites
                if s.change.vhost is not None and not isinstance(nginx_failed.get(s), ReloadFailed)
            ],
        )
        await self._undo(up, nginx, pool_failed, nginx_failed)
        self._fail(up, pool_failed, nginx_failed)
        down = await self._pools([s for s in sites if s.error is None], up=False)
        for result in down:
            result.site.error = result.site.error or result.error
        self._mark_committed([s for s in sites if s.error is None])

    async def _prepare_masters(self, sites: list[Applying]) -> None:
        """Each version's ini and each shard's main config, before the first pool goes in."""
        masters = {m for s in sites for m in s.change.pools_up}
        await asyncio.to_thread(
            server_files.ensure_fpm_ini, self.layout, {m.version for m in masters}
        )
        await asyncio.to_thread(server_files.ensure_shard_confs, self.layout, masters)

    async def _pools_up_and_nginx(
        self, sites: list[Applying]
    ) -> tuple[list[Committed], list[Committed]]:
        """New sites' blocks with the pools that appear, then the blocks of served sites."""
        early = [s for s in sites if s.change.vhost is not None and s.change.new_vhost]
        entries = [s for s in early if default_server.eligible(s.change.plan)]
        if entries and not await asyncio.to_thread(default_server.available, self.layout):
            entries = []
        blocks = {site: _vhost_change(site) for site in early}
        first = asyncio.ensure_future(self._nginx(list(blocks.items())))

        async def pools_up() -> list[Committed]:
            up = await self._pools(sites, up=True)
            failed = {r.site for r in up if r.error is not None}
            ready = [s for s in entries if s not in failed]
            # Served early only once nginx has validated the block: a refusal still
            # reaches the caller; only the reload is not waited for.
            valid = asyncio.ensure_future(asyncio.gather(*(blocks[s].valid.wait() for s in ready)))
            either: list[asyncio.Future[Any]] = [valid, first]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if first.done() or not valid.done():  # nginx's outcome is the answer
                valid.cancel()
                return up
            opened = await asyncio.to_thread(self._open_entries, ready)
            if len(opened) == len(sites) and not self.serving.done():
                self.serving.set_result(None)
            return up

        up, nginx = await asyncio.gather(pools_up(), first)
        pool_failed = {r.site for r in up if r.error is not None}
        late = [
            s
            for s in sites
            if s.change.vhost is not None and not s.change.new_vhost and s not in pool_failed
        ]
        nginx += await self._nginx([(s, _vhost_change(s)) for s in late])
        return up, nginx

    async def _undo(
        self,
        up: list[Committed],
        nginx: list[Committed],
        pool_failed: set[Applying],
        nginx_failed: dict[Applying, SuperCPError],
    ) -> None:
        """The pools of sites nginx refused, and the server blocks of sites whose pool
        failed, go back to what they were. After a reload that was not seen, the files stay."""
        pools = [
            r
            for r in up
            if r.error is None
            and r.site in nginx_failed
            and not isinstance(nginx_failed[r.site], ReloadFailed)
        ]
        vhosts = [
            Change(r.change.key, r.change.previous)
            for r in nginx
            if r.error is None and r.site in pool_failed
        ]
        masters = sorted({r.master for r in pools if r.master is not None}, key=str)

        async def one(master: FpmMaster) -> None:
            back = [Change(r.change.key, r.change.previous) for r in pools if r.master == master]
            await self.fpm(master).commit(back)

        await asyncio.gather(*(one(m) for m in masters), self.nginx.commit(vhosts))

    def _fail(
        self,
        up: list[Committed],
        pool_failed: set[Applying],
        nginx_failed: dict[Applying, SuperCPError],
    ) -> None:
        """The sites' errors, and their records put back where their files were."""
        for result in up:
            result.site.error = result.site.error or result.error
        for site, error in nginx_failed.items():
            site.error = site.error or error
        for site in pool_failed | set(nginx_failed):
            # After a failed nginx reload its file is in place: the record stays, uncommitted,
            # so a retry reloads. After a refused check it was put back, and so is the record.
            if site in pool_failed or not isinstance(site.error, ReloadFailed):
                undo_record(self.layout, self.records, site)

    async def _nginx(self, changes: list[tuple[Applying, Change]]) -> list[Committed]:
        errors = await self.nginx.commit([c for _, c in changes])
        return [Committed(s, c, e) for (s, c), e in zip(changes, errors, strict=True)]

    async def _pools(self, sites: list[Applying], *, up: bool) -> list[Committed]:
        """Each master's pools (those that appear, or those that go), the masters at once."""

        def pools(site: Applying) -> Mapping[FpmMaster, File]:
            return site.change.pools_up if up else site.change.pools_down

        masters = sorted({m for s in sites for m in pools(s)}, key=str)

        async def one(master: FpmMaster) -> list[Committed]:
            batch = [
                (site, Change(f"{master}|{site.change.spec.domain}", {pool.path: pool.data}))
                for site in sites
                if (pool := pools(site).get(master)) is not None
            ]
            errors = await self.fpm(master).commit([c for _, c in batch])
            return [Committed(s, c, e, master) for (s, c), e in zip(batch, errors, strict=True)]

        done = await asyncio.gather(*(one(m) for m in masters))
        return [result for results in done for result in results]

    def _open_entries(self, sites: Sequence[Applying]) -> set[Applying]:
        """The default server's entries of new sites whose pools are up; those it made."""
        opened = set()
        for site in sites:
            change = site.change
            try:
                default_server.open_entries(self.layout, change.plan, change.owner.uid)
            except OSError as err:  # the site then waits for its block, as before
                log.warning("%s: no entry in the default server: %s", change.spec.domain, err)
                continue
            opened.add(site)
        if opened:
            log.info("%d new site(s) served by the default server until nginx reloads", len(opened))
        return opened

    def _mark_committed(self, sites: list[Applying]) -> None:
        for site in sites:
            # Not synced: should a crash lose it, the record reads uncommitted and the next
            # apply of the site reloads once more, which is all "committed" saves.
            spec = site.change.spec
            record = Record(spec, committed=True, shard=site.change.shard)
            self.records.put(self.layout.record(spec.domain), record, durable=False)


def _vhost_change(site: Applying) -> Change:
    vhost = site.change.vhost
    assert vhost is not None
    return Change(site.change.spec.domain, {vhost.path: vhost.data})
