"""Handlers of ``services.*``: state, reload and restart of allow-listed services."""

from __future__ import annotations

from typing import Any

from supercp.daemon.config import DaemonConfig
from supercp.daemon.context import Context, Slot
from supercp.daemon.modules import Module
from supercp.daemon.registry import Method, bind
from supercp.daemon.roles import ROOT_AND_PANEL
from supercp.daemon.system.runner import Runner
from supercp.daemon.system.services import ServiceManager
from supercp.protocol import services as api


def build(config: DaemonConfig, runner: Runner) -> ServiceManager:
    return ServiceManager(config.host_path("/"), runner, config.command_timeout)


STATE = Slot("services", build)


@bind(api.STATUS, callers=ROOT_AND_PANEL)
async def status(ctx: Context, params: api.StatusParams) -> api.ServiceList:
    """Version and state of one managed service, or of all of them."""
    return api.ServiceList(services=await ctx.deps.get(STATE).status(params.service))


@bind(api.RELOAD, callers=ROOT_AND_PANEL, lock=lambda p: f"service:{p.service}")
async def reload(ctx: Context, params: api.ServiceParams) -> api.ServiceList:
    """Reload the service's configuration (restart where it has no reload)."""
    return api.ServiceList(services=await ctx.deps.get(STATE).act(params.service, "reload"))


@bind(api.RESTART, callers=ROOT_AND_PANEL, lock=lambda p: f"service:{p.service}")
async def restart(ctx: Context, params: api.ServiceParams) -> api.ServiceList:
    """Restart the service."""
    return api.ServiceList(services=await ctx.deps.get(STATE).act(params.service, "restart"))


METHODS: list[Method[Any, Any]] = [status, reload, restart]
MODULE = Module("services", METHODS, STATE)
