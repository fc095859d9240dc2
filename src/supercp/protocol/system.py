"""Namespace ``system``: liveness, facts about the machine, and the API's own description."""

from __future__ import annotations

from typing import Any

from supercp.protocol.models import NoParams, Result, Spec
from supercp.protocol.services import ServiceStatus


class OsInfo(Result):
    """The distribution, from os-release."""

    id: str
    version_id: str
    pretty_name: str


class MemoryInfo(Result):
    """Memory figures in bytes, from /proc/meminfo."""

    total: int
    available: int
    swap_total: int
    swap_free: int


class DiskInfo(Result):
    """Usage of one mounted filesystem in bytes."""

    mount: str
    total: int
    used: int
    free: int


class SystemInfo(Result):
    """Facts shown on the dashboard."""

    hostname: str
    os: OsInfo
    kernel: str
    uptime_seconds: float
    load: tuple[float, float, float]
    memory: MemoryInfo
    disks: list[DiskInfo]
    services: list[ServiceStatus]
    daemon_version: str


class MethodDescription(Result):
    """One method as ``system.describe`` reports it."""

    name: str
    summary: str
    callers: list[str]
    params: dict[str, Any]
    result: dict[str, Any]


class Description(Result):
    """The daemon's API, in the spirit of OpenRPC."""

    version: str
    methods: list[MethodDescription]


PING: Spec[NoParams, str] = Spec("system.ping", NoParams, str, "Answer 'pong'.")
INFO: Spec[NoParams, SystemInfo] = Spec(
    "system.info", NoParams, SystemInfo, "Host, OS, kernel, uptime, load, memory, disks, services."
)
DESCRIBE: Spec[NoParams, Description] = Spec(
    "system.describe", NoParams, Description, "Every method with its schemas and allowed callers."
)
