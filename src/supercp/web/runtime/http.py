"""The panel's HTTP side: Django run whole, per request, in one of a pool of threads.

Django's own ASGI handler runs the sync parts of a request in a thread made for that request
and hops between it and the event loop at every sync/async seam of the middleware stack
(three hops a request here). A thread that lives for one request cannot keep a database
connection, so every request also paid for a new MariaDB login. Here the event loop only
reads the request and writes the answer; middleware, view and response run in one call on
a thread of a pool (threads.py), so each of those threads keeps its connection (CONN_MAX_AGE in
settings.py) and the connections never outnumber the threads. The pool starts threads as
requests queue, up to panel.toml's ``threads``, and lets all but a few go when idle.

An API request with a Bearer token runs through a shorter middleware stack
(settings.API_TOKEN_MIDDLEWARE): no session, CSRF, login user or Inertia, which a token has no
use for. Token authentication is tried first on every endpoint, so a request that sends a
Bearer header is one of a token's, and a session cookie beside it is ignored.

Static files are answered on the event loop by Django's ASGI handler, whose stack begins
with servestatic's (async-only) middleware; they touch neither the session nor the database.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import HttpResponseBase
from django.urls import set_script_prefix

from supercp.web.runtime.threads import ElasticPool

# servestatic's middleware only runs on the event loop: left out of the threads' stack.
STATIC_MIDDLEWARE = "supercp.web.core.static.StaticFiles"
API_PREFIX = "/api/"
# Threads kept however idle (everyday traffic), and how long one more may idle before it
# exits and closes its database connection.
KEEP_THREADS = 16
IDLE_THREAD_SECONDS = 60.0
Headers = list[tuple[bytes, bytes]]


@contextmanager
def _middleware(names: list[str]) -> Iterator[None]:
    # BaseHandler.load_middleware reads settings.MIDDLEWARE; this runs once, at start-up.
    original = list(settings.MIDDLEWARE)
    settings.MIDDLEWARE = names
    try:
        yield
    finally:
        settings.MIDDLEWARE = original


def _bearer(scope: dict[str, Any]) -> bool:
    """An API request that carries a Bearer token (token auth is tried first there)."""
    if not scope["path"].startswith(API_PREFIX):
        return False
    for name, value in scope["headers"]:
        if name == b"authorization":
            return bool(value[:7].lower() == b"bearer ")
    return False


class PanelHandler(ASGIHandler):
    """An ASGI application for HTTP that handles each request in one pool thread."""

    def __init__(self, threads: int | None = None, running: int | None = None) -> None:
        BaseHandler.__init__(self)
        # Each thread keeps one database connection. Daemon calls hold a thread for their
        # duration, so there are enough for a burst of them (panel.toml's threads).
        threads = threads or settings.SUPERCP_PANEL_THREADS
        keep = min(threads, KEEP_THREADS)
        with _middleware([m for m in settings.MIDDLEWARE if m != STATIC_MIDDLEWARE]):
            self.load_middleware(is_async=False)
        # Requests to the API with a Bearer token: the same views behind fewer middleware.
        self.token_api = BaseHandler()
        with _middleware(settings.API_TOKEN_MIDDLEWARE):
            self.token_api.load_middleware(is_async=False)
        # Of those, the ones that run requests at once (runtime/threads.py).
        running = running or settings.SUPERCP_PANEL_RUNNING
        self.pool = ElasticPool(threads, keep, IDLE_THREAD_SECONDS, running=running)
        self.static_prefix = settings.STATIC_URL or "/static/"
        self.static = ASGIHandler()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"not an HTTP connection: {scope['type']}")
        if scope["path"].startswith(self.static_prefix):
            await self.static(scope, receive, send)
            return
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        status, headers, body = await self.pool.run_for(
            asyncio.get_running_loop(), self.respond, scope, body_file
        )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def read_body(self, receive: Any) -> IO[bytes]:
        """The request's body: in memory when it came whole and is small, as most do (all
        GETs), rather than in a file made and closed for each; else as Django reads it,
        into a file that spills to disk when large."""
        first = await receive()
        if (
            first["type"] == "http.request"
            and not first.get("more_body", False)
            and len(first.get("body", b"")) <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        ):
            return io.BytesIO(first.get("body", b""))
        pending = [first]

        async def again() -> Any:
            return pending.pop() if pending else await receive()

        return await super().read_body(again)

    def respond(self, scope: dict[str, Any], body_file: IO[bytes]) -> tuple[int, Headers, bytes]:
        """In a pool thread: the whole request, from request_started to request_finished.

        Both signals fire on this thread, so close_old_connections checks (and keeps or
        closes) the connection this request used.
        """
        try:
            set_script_prefix(get_script_prefix(scope))
            signals.request_started.send(sender=self.__class__, scope=scope)
            request, response = self.create_request(scope, body_file)
            if request is not None:
                handler = self.token_api if _bearer(scope) else self
                response = handler.get_response(request)
            assert response is not None
            try:
                return response.status_code, _headers(response), _content(response)
            finally:
                response.close()  # sends request_finished
        finally:
            body_file.close()


def _content(response: HttpResponseBase) -> bytes:
    # The panel streams nothing but static files, which never come here.
    if response.streaming:
        return b"".join(response)
    return bytes(response.content)  # type: ignore[attr-defined]


def _headers(response: HttpResponseBase) -> Headers:
    """As Django's ASGI handler sends them, cookies included."""
    headers: Headers = []
    for name, value in response.items():
        headers.append((name.encode("ascii"), value.encode("latin1")))
    for cookie in response.cookies.values():
        headers.append((b"Set-Cookie", cookie.output(header="").encode("ascii").strip()))
    return headers
