"""The panel's only way to super-daemon: a client on the socket named in the settings.

Only the domains' services.py call this (never views or API endpoints), so every daemon
call is preceded by the service's authorization checks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from supercp.protocol.client import DaemonClient
from supercp.web.runtime import threads


class PanelClient(DaemonClient):
    """A DaemonClient that gives up its request's slot before it waits for an answer
    (runtime/threads.py): a site's creation can wait seconds for an nginx reload."""

    def send_raw(self, message: Any) -> Any:
        threads.leave_slot()
        return super().send_raw(message)


def client() -> DaemonClient:
    """A fresh blocking client; use it as a context manager (one connection per use)."""
    return PanelClient(settings.SUPERCP_DAEMON_SOCKET, timeout=settings.SUPERCP_DAEMON_TIMEOUT)
