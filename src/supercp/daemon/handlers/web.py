"""Handlers of ``web.*``: sites as nginx server blocks with their own PHP-FPM pools."""

from __future__ import annotations

from typing import Any

from supercp.daemon.config import DaemonConfig
from supercp.daemon.context import Context, Deps, Slot
from supercp.daemon.modules import Module
from supercp.daemon.registry import Method, bind
from supercp.daemon.roles import ROOT_AND_PANEL
from supercp.daemon.system.accounts import AccountManager
from supercp.daemon.system.runner import Runner
from supercp.daemon.web.manager import WebManager
from supercp.protocol import web as api
from supercp.protocol.models import NoParams


def build(config: DaemonConfig, runner: Runner) -> WebManager:
    # Its own view of the accounts: AccountManager keeps no state beyond the config.
    return WebManager(config, runner, AccountManager(config, runner))


STATE = Slot("web", build)


def _site_lock(params: api.SiteSpec | api.DomainParams | api.RemoveParams) -> str:
    return f"site:{params.domain}"


@bind(api.SITE_APPLY, callers=ROOT_AND_PANEL, lock=_site_lock)
async def apply(ctx: Context, params: api.SiteSpec) -> api.ApplyResult:
    """Create the site or converge it; answered once it is served as asked (a new site
    may be served by nginx's default server until the reload loads its block)."""
    site, changed = await ctx.deps.get(STATE).apply(params)
    return api.ApplyResult(site=site, changed=changed)


@bind(api.SITE_APPLY_MANY, callers=ROOT_AND_PANEL)
async def apply_many(ctx: Context, params: api.ApplyManyParams) -> api.ApplyManyResult:
    """Many sites, one validation and one reload per service; per-site outcomes."""
    outcomes = await ctx.deps.get(STATE).apply_many(params.sites)
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
    removed = await ctx.deps.get(STATE).remove(params.domain, remove_files=params.remove_files)
    return api.RemoveResult(domain=params.domain, removed=removed)


async def _set_suspended(ctx: Context, domain: str, suspended: bool) -> api.ApplyResult:
    web = ctx.deps.get(STATE)
    spec = web.spec_of(domain).model_copy(update={"suspended": suspended})
    site, changed = await web.apply(spec)
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
    return api.SiteList(sites=ctx.deps.get(STATE).all())


@bind(api.SITE_LOGS, callers=ROOT_AND_PANEL)
async def logs(ctx: Context, params: api.LogParams) -> api.LogTail:
    """The last lines of a site's access or error log."""
    lines = ctx.deps.get(STATE).log_tail(params.domain, params.kind, params.lines)
    return api.LogTail(domain=params.domain, kind=params.kind, lines=lines)


@bind(api.PHP_VERSIONS, callers=ROOT_AND_PANEL)
async def php_versions(ctx: Context, params: NoParams) -> api.PhpVersions:
    """The PHP-FPM versions installed here, newest first."""
    versions = ctx.deps.get(STATE).php_versions()
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


async def start(deps: Deps) -> None:
    """Listen for the sites' error logs; bring up the shard masters that should run."""
    await deps.get(STATE).start()


async def stop(deps: Deps, grace: float) -> None:
    """Let applies answered before their reload finish, then stop listening for errors."""
    web = deps.get(STATE)
    await web.settle(grace)
    web.close()


async def on_account_remove(deps: Deps, name: str) -> None:
    """Take the account's sites off nginx in one reload, then their pools."""
    await deps.get(STATE).remove_account(name)


MODULE = Module("web", METHODS, STATE, start=start, stop=stop, on_account_remove=on_account_remove)
