"""Handlers of ``services.*``: state, reload and restart of allow-listed services."""

from __future__ import annotations

from typing import Any

from supercp.daemon.context import Context
from supercp.daemon.registry import ROOT_AND_PANEL, Method, bind
from supercp.protocol import services as api


@bind(api.STATUS, callers=ROOT_AND_PANEL)
async def status(ctx: Context, params: api.StatusParams) -> api.ServiceList:
    """Version and state of one managed service, or of all of them."""
    return api.ServiceList(services=await ctx.deps.services.status(params.service))


@bind(api.RELOAD, callers=ROOT_AND_PANEL, lock=lambda p: f"service:{p.service}")
async def reload(ctx: Context, params: api.ServiceParams) -> api.ServiceList:
    """Reload the service's configuration (restart where it has no reload)."""
    return api.ServiceList(services=await ctx.deps.services.act(params.service, "reload"))


@bind(api.RESTART, callers=ROOT_AND_PANEL, lock=lambda p: f"service:{p.service}")
async def restart(ctx: Context, params: api.ServiceParams) -> api.ServiceList:
    """Restart the service."""
    return api.ServiceList(services=await ctx.deps.services.act(params.service, "restart"))


METHODS: list[Method[Any, Any]] = [status, reload, restart]
