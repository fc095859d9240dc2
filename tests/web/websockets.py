"""Helpers for the WebSocket tests, which speak ASGI's messages to the panel's app as uvicorn
does (Channels' own communicator lives in channels.testing, which imports daphne, which the
panel does not use). Their tests use the ``keep_connections`` fixture of conftest.py."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from supercp.web.core.models import User

ORIGIN = settings.SUPERCP_PANEL_ORIGINS[0]


def session_of(user: User) -> str:
    """The session cookie of a browser signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def headers(session: str | None, origin: str | None = ORIGIN) -> list[tuple[bytes, bytes]]:
    found = []
    if origin is not None:
        found.append((b"origin", origin.encode()))
    if session is not None:
        found.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()))
    return found


def ws_scope(path: str, sent: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """An ASGI WebSocket scope for ``path`` with these request headers."""
    return {
        "type": "websocket",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": sent,
        "subprotocols": [],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8443),
    }
