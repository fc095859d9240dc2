"""Handlers of ``accounts.*``: hosting accounts as Linux users the daemon manages."""

from __future__ import annotations

import asyncio
from typing import Any

from supercp.daemon import modules
from supercp.daemon.config import DaemonConfig
from supercp.daemon.context import Context, Slot
from supercp.daemon.modules import Module
from supercp.daemon.registry import Method, bind
from supercp.daemon.roles import ROOT_AND_PANEL
from supercp.daemon.system.accounts import AccountManager
from supercp.daemon.system.runner import Runner
from supercp.protocol import accounts as api


def build(config: DaemonConfig, runner: Runner) -> AccountManager:
    return AccountManager(config, runner)


STATE = Slot("accounts", build)


@bind(api.ENSURE, callers=ROOT_AND_PANEL, lock=lambda p: f"account:{p.name}")
async def ensure(ctx: Context, params: api.EnsureParams) -> api.EnsureResult:
    """Create the account or converge it (shell, suspension, home owner and mode)."""
    account, created = await ctx.deps.get(STATE).ensure(
        params.name,
        login_shell=params.login_shell,
        suspended=params.suspended,
        create_only=params.create_only,
    )
    return api.EnsureResult(account=account, created=created)


@bind(api.REMOVE, callers=ROOT_AND_PANEL, lock=lambda p: f"account:{p.name}")
async def remove(ctx: Context, params: api.RemoveParams) -> api.RemoveResult:
    """Remove a managed account; refuses anything the daemon did not create."""
    accounts = ctx.deps.get(STATE)
    accounts.check_removable(params.name)
    # What other modules keep for the account goes first (its sites: a pool naming a user
    # that no longer exists fails PHP-FPM's check for every site of that version).
    await modules.remove_account(ctx.deps, params.name)
    removed = await accounts.remove(params.name, keep_home=params.keep_home)
    return api.RemoveResult(name=params.name, removed=removed)


@bind(api.LIST, callers=ROOT_AND_PANEL)
async def list_accounts(ctx: Context, params: api.ListParams) -> api.AccountList:
    """The managed accounts as they exist on the system (all, or the names asked for)."""
    return api.AccountList(accounts=ctx.deps.get(STATE).all(params.names))


@bind(api.DISK_USAGE, callers=ROOT_AND_PANEL, lock=lambda p: f"disk:{p.name}")
async def disk_usage(ctx: Context, params: api.DiskUsageParams) -> api.DiskUsage:
    """Measure the disk a managed account's home uses (a walk, off the event loop)."""
    return await asyncio.to_thread(ctx.deps.get(STATE).disk_usage, params.name)


METHODS: list[Method[Any, Any]] = [ensure, remove, list_accounts, disk_usage]
MODULE = Module("accounts", METHODS, STATE)
