"""/ws/dashboard: the dashboard's system facts, pushed over a WebSocket every few seconds.

Served by Django Channels in the panel's ASGI app (config/asgi.py): the connection must come
from one of the panel's own origins (``https://<allowed host>:<port>``, so a page on another
port of the same host, such as a hosted site, cannot use the visitor's cookie) and carry a
signed-in session; a session that still owes its second factor is not signed in. Anything
else is refused before the handshake completes (HTTP 403).

All open dashboards share one ``SystemFeed``: one ``system.info`` call per interval however
many listen, and none while nobody does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user

from supercp.protocol.errors import SuperCPError
from supercp.web.core import services
from supercp.web.core.authz import Actor
from supercp.web.core.models import User

log = logging.getLogger(__name__)
Message = dict[str, Any]


class SystemFeed:
    """Fetches system.info once per interval for every listener, while any listens."""

    def __init__(self) -> None:
        self.listeners: dict[asyncio.Queue[Message], Actor] = {}
        self.latest: Message | None = None
        self.task: asyncio.Task[None] | None = None

    def subscribe(self, actor: Actor) -> asyncio.Queue[Message]:
        # One slot: a listener that falls behind gets the newest figures, not a backlog.
        queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=1)
        self.listeners[queue] = actor
        if self.latest is not None:
            queue.put_nowait(self.latest)
        running = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not running:
            self.task = running.create_task(self._run())
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Message]) -> None:
        self.listeners.pop(queue, None)
        if not self.listeners:
            self.latest = None
            if self.task is not None:
                self.task.cancel()
                self.task = None

    async def _run(self) -> None:
        while self.listeners:
            # system.info is the same for every role; any listener's actor may ask for it.
            actor = next(iter(self.listeners.values()))
            try:
                info = await sync_to_async(services.system_info, thread_sensitive=False)(actor)
            except SuperCPError as err:
                log.warning("dashboard feed: system.info failed: %s", err.message)
            else:
                self.latest = {"type": "system", "system": info.model_dump(mode="json")}
                for queue in list(self.listeners):
                    if queue.full():
                        queue.get_nowait()
                    queue.put_nowait(self.latest)
            await asyncio.sleep(settings.SUPERCP_LIVE_INTERVAL)


FEED = SystemFeed()


def signed_in_as(session_key: str | None, user_id: int) -> bool:
    """Whether the session is still signed in as that user (not signed out, expired, or
    ended by a password change), as Django would decide for a request."""
    if session_key is None:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    user = get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]
    return isinstance(user, User) and user.pk == user_id and user.is_active


class DashboardConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """One dashboard's socket: accepted for a signed-in user, then fed by FEED."""

    queue: asyncio.Queue[Message] | None = None
    sender: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_active:
            # Closing before accepting refuses the handshake.
            await self.close()
            return
        self.user_id: int = user.pk
        self.session_key: str | None = self.scope["session"].session_key
        client = self.scope.get("client")
        await self.accept()
        self.queue = FEED.subscribe(Actor(user=user, ip=client[0] if client else None))
        self.sender = asyncio.create_task(self._forward(self.queue))

    async def _forward(self, queue: asyncio.Queue[Message]) -> None:
        while True:
            message = await queue.get()
            # Checked before every message, so signing out (anywhere) or a password change
            # ends the socket within one interval.
            if not await database_sync_to_async(signed_in_as)(self.session_key, self.user_id):
                await self.close()
                return
            await self.send_json(message)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The dashboard sends nothing; anything it sends is ignored."""

    async def disconnect(self, code: int) -> None:
        if self.queue is not None:
            FEED.unsubscribe(self.queue)
        if self.sender is not None and self.sender is not asyncio.current_task():
            self.sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sender
