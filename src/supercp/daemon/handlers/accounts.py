"""Handlers of ``accounts.*``: hosting accounts as Linux users the daemon manages."""

from __future__ import annotations

from typing import Any

from supercp.daemon.context import Context
from supercp.daemon.registry import ROOT_AND_PANEL, Method, bind
from supercp.protocol import accounts as api


@bind(api.ENSURE, callers=ROOT_AND_PANEL, lock=lambda p: f"account:{p.name}")
async def ensure(ctx: Context, params: api.EnsureParams) -> api.EnsureResult:
    """Create the account or converge it (shell, suspension, home owner and mode)."""
    account, created = await ctx.deps.accounts.ensure(
        params.name,
        login_shell=params.login_shell,
        suspended=params.suspended,
        create_only=params.create_only,
    )
    return api.EnsureResult(account=account, created=created)


@bind(api.REMOVE, callers=ROOT_AND_PANEL, lock=lambda p: f"account:{p.name}")
async def remove(ctx: Context, params: api.RemoveParams) -> api.RemoveResult:
    """Remove a managed account; refuses anything the daemon did not create."""
    ctx.deps.accounts.check_removable(params.name)
    # Its sites go first: a pool naming a user that no longer exists fails PHP-FPM's check
    # for every site of that version.
    await ctx.deps.web.remove_account(params.name)
    removed = await ctx.deps.accounts.remove(params.name, keep_home=params.keep_home)
    return api.RemoveResult(name=params.name, removed=removed)


@bind(api.LIST, callers=ROOT_AND_PANEL)
async def list_accounts(ctx: Context, params: api.ListParams) -> api.AccountList:
    """The managed accounts as they exist on the system (all, or the names asked for)."""
    return api.AccountList(accounts=ctx.deps.accounts.all(params.names))


METHODS: list[Method[Any, Any]] = [ensure, remove, list_accounts]
