"""Handlers of ``dns.*``: PowerDNS's caches, NOTIFY, rectify and DNSSEC keys for a zone."""

from __future__ import annotations

from typing import Any

from supercp.daemon.config import DaemonConfig
from supercp.daemon.context import Context, Slot
from supercp.daemon.dns.manager import DnsManager
from supercp.daemon.modules import Module
from supercp.daemon.registry import Method, bind
from supercp.daemon.roles import ROOT_AND_PANEL
from supercp.daemon.system.runner import Runner
from supercp.protocol import dns as api


def build(config: DaemonConfig, runner: Runner) -> DnsManager:
    return DnsManager(config, runner)


STATE = Slot("dns", build)


def _zone_lock(params: api.ZoneParams | api.SecureParams) -> str:
    return f"zone:{params.zone}"


@bind(api.ZONE_REFRESH, callers=ROOT_AND_PANEL, lock=_zone_lock)
async def refresh(ctx: Context, params: api.ZoneParams) -> api.RefreshResult:
    """After the panel wrote a zone: purge its cached answers, rectify if signed, NOTIFY."""
    return await ctx.deps.get(STATE).refresh(params.zone)


@bind(api.ZONE_SECURE, callers=ROOT_AND_PANEL, lock=_zone_lock)
async def secure(ctx: Context, params: api.SecureParams) -> api.DnssecState:
    """Sign the zone with one combined signing key; its DS records in the answer."""
    return await ctx.deps.get(STATE).secure(params.zone, params.algorithm)


@bind(api.ZONE_UNSECURE, callers=ROOT_AND_PANEL, lock=_zone_lock)
async def unsecure(ctx: Context, params: api.ZoneParams) -> api.DnssecState:
    """Drop the zone's keys; it is answered unsigned at once."""
    return await ctx.deps.get(STATE).unsecure(params.zone)


@bind(api.ZONE_RECTIFY, callers=ROOT_AND_PANEL, lock=_zone_lock)
async def rectify(ctx: Context, params: api.ZoneParams) -> api.RefreshResult:
    """Recompute the zone's ordername and auth columns."""
    return await ctx.deps.get(STATE).rectify(params.zone)


@bind(api.ZONE_DNSSEC, callers=ROOT_AND_PANEL, lock=_zone_lock)
async def dnssec(ctx: Context, params: api.ZoneParams) -> api.DnssecState:
    """Whether the zone is signed; each key with its DNSKEY and DS records."""
    return await ctx.deps.get(STATE).dnssec(params.zone)


METHODS: list[Method[Any, Any]] = [refresh, secure, unsecure, rectify, dnssec]
MODULE = Module("dns", METHODS, STATE)
