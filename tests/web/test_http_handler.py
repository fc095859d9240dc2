"""runtime/http.py: Bearer-token API requests take the short middleware stack, and only they."""

from __future__ import annotations

import asyncio
import io
import json
import time
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import RequestAborted
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.cache import add_never_cache_headers

from supercp.web.core.rest import NeverCache
from supercp.web.runtime.http import PanelHandler, _bearer
from tests.web.websockets import session_of


@pytest.fixture(scope="module")
def handler() -> PanelHandler:
    return PanelHandler(threads=1)


def http_scope(path: str, sent: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "path": path, "headers": sent}


@pytest.mark.parametrize(
    ("path", "sent", "expected"),
    [
        ("/api/v1/accounts", [(b"authorization", b"Bearer scp_x")], True),
        ("/api/v1/accounts", [(b"authorization", b"bearer scp_x")], True),
        ("/api/v1/accounts", [(b"authorization", b"Basic eDp5")], False),
        ("/api/v1/accounts", [(b"cookie", b"sessionid=x")], False),
        ("/accounts", [(b"authorization", b"Bearer scp_x")], False),
    ],
)
def test_only_api_requests_with_a_bearer_token_take_the_short_stack(path, sent, expected):
    assert _bearer(http_scope(path, sent)) is expected


def test_the_short_stack_serves_a_token_without_session_or_csrf_cookies(handler, world, token_for):
    request = RequestFactory().get(
        "/api/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {token_for(world.admin)}"
    )
    response = handler.token_api.get_response(request)
    assert response.status_code == 200
    names = {a["name"] for a in json.loads(response.content)["items"]}
    assert world.bob_account.name in names
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_bad_token_is_refused_even_beside_a_signed_in_session(handler, world):
    session = session_of(world.admin.user)
    request = RequestFactory().get(
        "/api/v1/accounts",
        HTTP_AUTHORIZATION="Bearer scp_not_a_real_token",
        HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={session}",
    )
    response = handler.token_api.get_response(request)
    assert response.status_code == 401
    assert json.loads(response.content)["error"]["code"] == "unauthenticated"


def test_errors_outside_the_api_handlers_stay_json_on_the_short_stack(handler, world, token_for):
    request = RequestFactory().delete(
        "/api/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {token_for(world.admin)}"
    )
    response = handler.token_api.get_response(request)
    assert response.status_code == 405
    assert json.loads(response.content)["error"]["code"] == "method-not-allowed"


@pytest.mark.parametrize("now", [1_800_000_000.0, 1_800_000_000.9, 1_800_000_001.2])
def test_never_cache_writes_what_djangos_never_cache_writes(monkeypatch, now):
    monkeypatch.setattr(time, "time", lambda: now)
    ours = NeverCache(lambda r: HttpResponse(b"x")).process_response(
        RequestFactory().get("/api/v1/accounts"), HttpResponse(b"x")
    )
    django = HttpResponse(b"x")
    add_never_cache_headers(django)
    assert dict(ours.items()) == dict(django.items())


def test_never_cache_merges_with_a_cache_control_the_view_set():
    response = HttpResponse(b"x")
    response["Cache-Control"] = "no-transform"
    NeverCache(lambda r: response).process_response(RequestFactory().get("/"), response)
    assert set(response["Cache-Control"].split(", ")) == {
        "no-transform",
        "max-age=0",
        "no-cache",
        "no-store",
        "must-revalidate",
        "private",
    }
    assert response["Expires"]


def read(handler: PanelHandler, *messages: dict[str, Any]) -> tuple[bytes, bool, int]:
    """What read_body makes of these ASGI messages: the body, whether it is in memory, and
    how many messages it took."""
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    async def main() -> tuple[bytes, bool, int]:
        with await handler.read_body(receive) as body:
            return body.read(), isinstance(body, io.BytesIO), len(messages) - len(queue)

    return asyncio.run(main())


def test_a_body_that_came_whole_is_read_in_memory_and_others_as_django_reads_them(handler):
    assert read(handler, {"type": "http.request", "body": b"{}"}, {"type": "x"}) == (
        b"{}",
        True,
        1,
    )
    assert read(handler, {"type": "http.request"}) == (b"", True, 1)
    # In parts: every part, in order, the first one included.
    parts = [b"a" * 10, b"b" * 10, b"c"]
    messages = [{"type": "http.request", "body": p, "more_body": True} for p in parts[:-1]]
    last = {"type": "http.request", "body": parts[-1]}
    assert read(handler, *messages, last) == (b"".join(parts), False, 3)
    # Larger than Django keeps in memory: its spooled file, which goes to disk.
    large = b"x" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert read(handler, {"type": "http.request", "body": large}) == (large, False, 1)


def test_a_client_gone_before_its_body_came_aborts_the_request(handler):
    with pytest.raises(RequestAborted):
        read(handler, {"type": "http.disconnect"})
    parts: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"a", "more_body": True},
        {"type": "http.disconnect"},
    ]
    with pytest.raises(RequestAborted):
        read(handler, *parts)
