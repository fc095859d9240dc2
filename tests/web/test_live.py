"""/ws/dashboard through the panel's ASGI app (Channels' test communicator): who may connect,
from where, and what arrives."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings

from supercp.web.config.asgi import application
from supercp.web.core.live import FEED
from supercp.web.core.models import Role
from supercp.web.core.views import PENDING_2FA
from tests.web.conftest import make_user
from tests.web.websockets import ORIGIN, headers, session_of, ws_scope

pytestmark = pytest.mark.usefixtures("keep_connections")


def signed_in_session() -> str:
    return session_of(make_user("ada", Role.ADMIN))


def scope_for(sent: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return ws_scope("/ws/dashboard", sent)


@async_to_sync
async def first_message(sent: list[tuple[bytes, bytes]]) -> dict | None:
    """The first message on a new connection, or None when the connection is refused.

    Speaks ASGI's WebSocket messages to the app, as uvicorn does. (Channels' own communicator
    lives in channels.testing, which imports daphne, which the panel does not use.)
    """
    scope = scope_for(sent)
    # asgiref.testing has no annotations.
    socket: Any = ApplicationCommunicator(application, scope)  # type: ignore[no-untyped-call]
    await socket.send_input({"type": "websocket.connect"})
    answer = await socket.receive_output(5)
    if answer["type"] == "websocket.close":
        # Refused during the handshake: the server would now answer HTTP 403 and hang up.
        await socket.send_input({"type": "websocket.disconnect", "code": 1006})
        await socket.wait(5)
        return None
    assert answer["type"] == "websocket.accept"
    try:
        sent_message = await socket.receive_output(10)
        assert sent_message["type"] == "websocket.send"
        message: dict = json.loads(sent_message["text"])
        return message
    finally:
        await socket.send_input({"type": "websocket.disconnect", "code": 1000})
        await socket.wait(5)


def test_a_signed_in_session_receives_the_system_facts():
    message = first_message(headers(signed_in_session()))
    assert message is not None
    assert message["type"] == "system"
    assert message["system"]["hostname"]
    assert len(message["system"]["load"]) == 3
    # The last listener gone, the feed stops asking the daemon.
    assert FEED.listeners == {}
    assert FEED.task is None


def test_a_connection_without_a_session_is_refused():
    assert first_message(headers(None)) is None


def test_a_session_that_still_owes_its_second_factor_is_refused():
    store = SessionStore()
    store[PENDING_2FA] = {"user": make_user("ada", Role.ADMIN).pk, "at": time.time()}
    store.save()
    assert store.session_key is not None
    assert first_message(headers(store.session_key)) is None


@pytest.mark.parametrize(
    "origin",
    [
        None,
        "https://evil.example",
        # The same host on another port or scheme (a hosted site) is another origin.
        ORIGIN.rsplit(":", 1)[0],
        ORIGIN.replace("https://", "http://"),
    ],
)
def test_a_connection_from_another_origin_is_refused(origin):
    assert first_message(headers(signed_in_session(), origin)) is None


@async_to_sync
async def messages_until_closed(session: str, sign_out: Callable[[], None]) -> list[str]:
    """Types of what arrives on a connection while ``sign_out`` runs after the first message."""
    socket: Any = ApplicationCommunicator(application, scope_for(headers(session)))  # type: ignore[no-untyped-call]
    await socket.send_input({"type": "websocket.connect"})
    assert (await socket.receive_output(5))["type"] == "websocket.accept"
    seen = []
    while True:
        output = await socket.receive_output(10)
        seen.append(output["type"])
        if output["type"] == "websocket.close":
            break
        if len(seen) == 1:
            await sync_to_async(sign_out)()
    await socket.send_input({"type": "websocket.disconnect", "code": 1000})
    await socket.wait(5)
    return seen


@override_settings(SUPERCP_LIVE_INTERVAL=0.2)
def test_signing_out_ends_the_socket_at_the_next_message():
    session = signed_in_session()
    seen = messages_until_closed(session, lambda: SessionStore(session_key=session).delete())
    assert seen == ["websocket.send", "websocket.close"]
