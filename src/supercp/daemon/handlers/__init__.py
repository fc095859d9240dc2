"""The explicit registry of handler namespaces; a new module adds one line here."""

from __future__ import annotations

from typing import Any

from supercp.daemon.handlers import accounts, dns, services, system, web
from supercp.daemon.modules import Module
from supercp.daemon.registry import Method

# Registration order: states are built, start hooks begin and account hooks run in it.
NAMESPACES: tuple[Module, ...] = (
    system.MODULE,
    accounts.MODULE,
    services.MODULE,
    web.MODULE,
    dns.MODULE,
)


def all_methods() -> list[Method[Any, Any]]:
    return [method for module in NAMESPACES for method in module.methods]
