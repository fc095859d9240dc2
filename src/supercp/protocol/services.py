"""Namespace ``services``: state, reload and restart of the allow-listed system services."""

from __future__ import annotations

from typing import Literal

from supercp.protocol.models import Result, Spec, Strict
from supercp.protocol.names import ServiceName

ServiceState = Literal["running", "stopped", "failed", "not-installed", "unknown"]


class ServiceStatus(Result):
    """One unit of a managed service (php-fpm has one per installed PHP version)."""

    name: ServiceName
    unit: str
    package: str
    version: str | None
    state: ServiceState


class StatusParams(Strict):
    """Which service to report; all of them when absent."""

    service: ServiceName | None = None


class ServiceParams(Strict):
    """The service to act on."""

    service: ServiceName


class ServiceList(Result):
    """States of the services concerned, read after any action."""

    services: list[ServiceStatus]


STATUS: Spec[StatusParams, ServiceList] = Spec(
    "services.status", StatusParams, ServiceList, "Version and state of managed services."
)
RELOAD: Spec[ServiceParams, ServiceList] = Spec(
    "services.reload", ServiceParams, ServiceList, "Reload a managed service's configuration."
)
RESTART: Spec[ServiceParams, ServiceList] = Spec(
    "services.restart", ServiceParams, ServiceList, "Restart a managed service."
)
