"""What handlers get: the daemon's dependencies and the caller of the current call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from supercp.daemon.config import DaemonConfig
from supercp.daemon.dns.manager import DnsManager
from supercp.daemon.peer import Peer
from supercp.daemon.system.accounts import AccountManager
from supercp.daemon.system.runner import Runner
from supercp.daemon.system.services import ServiceManager
from supercp.daemon.web.manager import WebManager

if TYPE_CHECKING:
    from supercp.daemon.registry import Registry


@dataclass(frozen=True)
class Deps:
    """Built once at start-up; the one seam between handlers and the outside world."""

    config: DaemonConfig
    runner: Runner
    accounts: AccountManager
    services: ServiceManager
    web: WebManager
    dns: DnsManager
    registry: Registry


@dataclass(frozen=True, slots=True)
class Context:
    """One call's view: dependencies plus who is calling."""

    deps: Deps
    peer: Peer
