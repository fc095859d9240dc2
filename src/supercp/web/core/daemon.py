"""The panel's only way to super-daemon: a client on the socket named in the settings.

Only the domains' services.py call this (never views or API endpoints), so every daemon
call is preceded by the service's authorization checks.
"""

from __future__ import annotations

from django.conf import settings

from supercp.protocol.client import DaemonClient


def client() -> DaemonClient:
    """A fresh blocking client; use it as a context manager (one connection per use)."""
    return DaemonClient(settings.SUPERCP_DAEMON_SOCKET, timeout=settings.SUPERCP_DAEMON_TIMEOUT)
