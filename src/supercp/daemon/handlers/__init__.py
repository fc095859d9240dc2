"""The explicit registry of handler namespaces; a new module adds one line here."""

from __future__ import annotations

from typing import Any

from supercp.daemon.handlers import accounts, dns, services, system, web
from supercp.daemon.registry import Method

NAMESPACES = (system, accounts, services, web, dns)


def all_methods() -> list[Method[Any, Any]]:
    return [method for module in NAMESPACES for method in module.METHODS]
