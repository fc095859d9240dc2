"""/ws/jobs/<id>: one job's progress, pushed over a WebSocket until the job is finished.

The worker is another process and writes progress into the job's row, so the socket reads
that row every ``SUPERCP_JOB_POLL_INTERVAL`` seconds and sends it whenever it changed. The
same gate as the dashboard's socket applies (asgi.py: the panel's own origins, a signed-in
session); on top, the job must be one the user may see (jobs.services.get_job), or the
handshake is refused exactly as for a job that does not exist.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from supercp.protocol.errors import NotFound
from supercp.web.core.authz import Actor
from supercp.web.core.live import signed_in_as
from supercp.web.core.models import User
from supercp.web.jobs import services
from supercp.web.jobs.models import Job, Status

FINISHED = frozenset({Status.SUCCESSFUL, Status.FAILED})


def _visible_job(actor: Actor, job_id: str) -> dict[str, Any] | None:
    try:
        return services.as_props(services.get_job(actor, job_id))
    except NotFound:
        return None


def _current(job_id: str) -> dict[str, Any] | None:
    job = Job.objects.filter(pk=job_id).first()
    return None if job is None else services.as_props(job)


class JobConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """One job page's socket: the job's props now and after every change, then closed."""

    watcher: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_active:
            await self.close()
            return
        client = self.scope.get("client")
        actor = Actor(user=user, ip=client[0] if client else None)
        job_id = str(self.scope["url_route"]["kwargs"]["job_id"])
        first = await database_sync_to_async(_visible_job)(actor, job_id)
        if first is None:
            await self.close()
            return
        self.user_id: int = user.pk
        self.session_key: str | None = self.scope["session"].session_key
        await self.accept()
        self.watcher = asyncio.create_task(self._watch(job_id, first))

    async def _watch(self, job_id: str, props: dict[str, Any] | None) -> None:
        sent: dict[str, Any] | None = None
        while True:
            if props is None:  # deleted with its user
                await self.close()
                return
            if props != sent:
                # Checked before every message: signing out ends the socket.
                if not await database_sync_to_async(signed_in_as)(self.session_key, self.user_id):
                    await self.close()
                    return
                await self.send_json({"type": "job", "job": props})
                sent = props
            if props["status"] in FINISHED:
                await self.close()
                return
            await asyncio.sleep(settings.SUPERCP_JOB_POLL_INTERVAL)
            props = await database_sync_to_async(_current)(job_id)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The page sends nothing; anything it sends is ignored."""

    async def disconnect(self, code: int) -> None:
        if self.watcher is not None and self.watcher is not asyncio.current_task():
            self.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watcher
