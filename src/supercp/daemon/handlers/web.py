"""Handlers of ``web.*``: sites as nginx server blocks with their own PHP-FPM pools."""

from __future__ import annotations

from typing import Any

from supercp.daemon.context import Context
from supercp.daemon.registry import ROOT_AND_PANEL, Method, bind
from supercp.protocol import web as api
from supercp.protocol.models import NoParams


def _site_lock(params: api.SiteSpec | api.DomainParams | api.RemoveParams) -> str:
    return f"site:{params.domain}"


@bind(api.SITE_APPLY, callers=ROOT_AND_PANEL, lock=_site_lock)
async def apply(ctx: Context, params: api.SiteSpec) -> api.ApplyResult:
    """Create the site or converge it; answered once it is served as asked (a new site
    may be served by nginx's default server until the reload loads its block)."""
    site, changed = await ctx.deps.web.apply(params)
    return api.ApplyResult(site=site, changed=changed)


@bind(api.SITE_APPLY_MANY, callers=ROOT_AND_PANEL)
async def apply_many(ctx: Context, params: api.ApplyManyParams) -> api.ApplyManyResult:
    """Many sites, one validation and one reload per service; per-site outcomes."""
    outcomes = await ctx.deps.web.apply_many(params.sites)
    items = []
    for spec, (site, changed, error) in zip(params.sites, outcomes, strict=True):
        item_error = None
        if error is not None:
            item_error = api.ItemError(code=error.code, message=error.message, field=error.field)
        items.append(
            api.ApplyItem(domain=spec.domain, site=site, changed=changed, error=item_error)
        )
    return api.ApplyManyResult(results=items)


@bind(api.SITE_REMOVE, callers=ROOT_AND_PANEL, lock=_site_lock)
async def remove(ctx: Context, params: api.RemoveParams) -> api.RemoveResult:
    """Take the site off nginx and PHP-FPM; its files stay unless ``remove_files``."""
    removed = await ctx.deps.web.remove(params.domain, remove_files=params.remove_files)
    return api.RemoveResult(domain=params.domain, removed=removed)


async def _set_suspended(ctx: Context, domain: str, suspended: bool) -> api.ApplyResult:
    spec = ctx.deps.web.spec_of(domain).model_copy(update={"suspended": suspended})
    site, changed = await ctx.deps.web.apply(spec)
    return api.ApplyResult(site=site, changed=changed)


@bind(api.SITE_SUSPEND, callers=ROOT_AND_PANEL, lock=_site_lock)
async def suspend(ctx: Context, params: api.DomainParams) -> api.ApplyResult:
    """Serve the suspension page and stop the site's PHP."""
    return await _set_suspended(ctx, params.domain, True)


@bind(api.SITE_UNSUSPEND, callers=ROOT_AND_PANEL, lock=_site_lock)
async def unsuspend(ctx: Context, params: api.DomainParams) -> api.ApplyResult:
    """Serve a suspended site again."""
    return await _set_suspended(ctx, params.domain, False)


@bind(api.SITE_LIST, callers=ROOT_AND_PANEL)
async def list_sites(ctx: Context, params: NoParams) -> api.SiteList:
    """Every site the daemon has a record of."""
    return api.SiteList(sites=ctx.deps.web.all())


@bind(api.SITE_LOGS, callers=ROOT_AND_PANEL)
async def logs(ctx: Context, params: api.LogParams) -> api.LogTail:
    """The last lines of a site's access or error log."""
    lines = ctx.deps.web.log_tail(params.domain, params.kind, params.lines)
    return api.LogTail(domain=params.domain, kind=params.kind, lines=lines)


@bind(api.PHP_VERSIONS, callers=ROOT_AND_PANEL)
async def php_versions(ctx: Context, params: NoParams) -> api.PhpVersions:
    """The PHP-FPM versions installed here, newest first."""
    versions = ctx.deps.web.php_versions()
    return api.PhpVersions(versions=versions, default=versions[0] if versions else None)


METHODS: list[Method[Any, Any]] = [
    apply,
    apply_many,
    remove,
    suspend,
    unsuspend,
    list_sites,
    logs,
    php_versions,
]
