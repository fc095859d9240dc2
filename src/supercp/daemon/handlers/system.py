"""Handlers of ``system.*``: liveness, machine facts, and the API's own description."""

from __future__ import annotations

import asyncio
from typing import Any

from supercp import __version__
from supercp.daemon.context import Context
from supercp.daemon.handlers.services import STATE as SERVICES
from supercp.daemon.modules import Module
from supercp.daemon.registry import Method, bind, bind_inline
from supercp.daemon.roles import ROOT_AND_PANEL
from supercp.daemon.system import facts
from supercp.protocol import system as api
from supercp.protocol.models import NoParams


@bind_inline(api.PING, callers=ROOT_AND_PANEL)
def ping(ctx: Context, params: NoParams) -> str:
    """Answer 'pong' without touching anything (liveness, and the latency benchmark)."""
    return "pong"


def _host_facts() -> dict[str, Any]:
    return {
        "hostname": facts.hostname(),
        "kernel": facts.kernel(),
        "uptime_seconds": facts.uptime_seconds(),
        "load": facts.load(),
        "memory": facts.memory(),
        "disks": facts.disks(),
    }


@bind(api.INFO, callers=ROOT_AND_PANEL)
async def info(ctx: Context, params: NoParams) -> api.SystemInfo:
    """Facts for the dashboard: host, OS, kernel, uptime, load, memory, disks, services."""
    # statvfs can block on a stuck mount; keep it off the event loop. Service states come
    # from a short cache: the dashboard asks often, and each state is an init script run.
    host, services = await asyncio.gather(
        asyncio.to_thread(_host_facts), ctx.deps.get(SERVICES).recent_status()
    )
    return api.SystemInfo(
        os=facts.os_release(ctx.deps.config.host_path("/")),
        services=services,
        daemon_version=__version__,
        **host,
    )


@bind(api.DESCRIBE, callers=ROOT_AND_PANEL)
async def describe(ctx: Context, params: NoParams) -> api.Description:
    """Every method with its params and result JSON Schema and the roles allowed to call it."""
    methods = [
        api.MethodDescription(
            name=m.name,
            summary=m.spec.summary,
            callers=sorted(m.callers),
            params=m.spec.params.model_json_schema(),
            result=m.result_adapter.json_schema(),
        )
        for m in ctx.deps.registry
    ]
    return api.Description(version=__version__, methods=methods)


METHODS: list[Method[Any, Any]] = [ping, info, describe]
MODULE = Module("system", METHODS)
