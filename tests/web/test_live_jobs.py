"""/ws/jobs/<id> through the panel's ASGI app: who may watch a job, and what arrives while the
worker changes its row."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings

from supercp.web.config.asgi import application
from supercp.web.core.models import Role
from supercp.web.jobs.models import Job, Status
from tests.web.conftest import make_user
from tests.web.websockets import ORIGIN, headers, session_of, ws_scope

Step = Callable[[str], object]
pytestmark = pytest.mark.usefixtures("keep_connections")


def update(**fields: Any) -> Step:
    """A step that writes these fields into the job's row."""
    return lambda job_id: Job.objects.filter(pk=job_id).update(**fields)


def scope_for(job_id: str, session: str | None, origin: str = ORIGIN) -> dict[str, Any]:
    return ws_scope(f"/ws/jobs/{job_id}", headers(session, origin))


@async_to_sync
async def watch(scope: dict[str, Any], steps: list[Step]) -> list[dict | str] | None:
    """What arrives on one connection (messages, then "closed"); None when refused.

    After each message the next of ``steps`` runs, e.g. a change of the job's row as the
    worker would write it.
    """
    socket: Any = ApplicationCommunicator(application, scope)  # type: ignore[no-untyped-call]
    await socket.send_input({"type": "websocket.connect"})
    answer = await socket.receive_output(5)
    if answer["type"] == "websocket.close":
        await socket.send_input({"type": "websocket.disconnect", "code": 1006})
        await socket.wait(5)
        return None
    assert answer["type"] == "websocket.accept"
    job_id = scope["path"].rsplit("/", 1)[1]
    seen: list[dict | str] = []
    pending = list(steps)
    while True:
        output = await socket.receive_output(10)
        if output["type"] == "websocket.close":
            seen.append("closed")
            break
        seen.append(json.loads(output["text"]))
        if pending:
            await sync_to_async(pending.pop(0))(job_id)
    await socket.send_input({"type": "websocket.disconnect", "code": 1000})
    await socket.wait(5)
    return seen


@override_settings(SUPERCP_JOB_POLL_INTERVAL=0.05)
def test_the_owner_sees_each_change_of_the_job_until_it_finishes():
    rita = make_user("rita", Role.RESELLER)
    job = Job.objects.create(name="Delete account carl", user=rita)
    seen = watch(
        scope_for(str(job.pk), session_of(rita)),
        [
            update(status=Status.RUNNING, progress=40),
            update(status=Status.SUCCESSFUL, progress=100, result="carl deleted"),
        ],
    )
    assert seen is not None
    assert seen[-1] == "closed"
    jobs = [m["job"] for m in seen[:-1] if isinstance(m, dict)]
    assert [(j["status"], j["progress"]) for j in jobs] == [
        ("ready", None),
        ("running", 40),
        ("successful", 100),
    ]
    assert jobs[-1]["result"] == "carl deleted"
    assert all(isinstance(m, dict) and m["type"] == "job" for m in seen[:-1])


@override_settings(SUPERCP_JOB_POLL_INTERVAL=0.05)
def test_an_admin_may_watch_anyones_job_but_another_user_may_not():
    rita = make_user("rita", Role.RESELLER)
    bob = make_user("bob", Role.CUSTOMER)
    job = Job.objects.create(name="x", user=rita, status=Status.FAILED, error="no account")
    assert watch(scope_for(str(job.pk), session_of(bob)), []) is None
    seen = watch(scope_for(str(job.pk), session_of(make_user("ada", Role.ADMIN))), [])
    assert seen is not None
    assert seen[0] == {
        "type": "job",
        "job": {
            "id": str(job.pk),
            "name": "x",
            "status": "failed",
            "progress": None,
            "result": None,
            "error": "no account",
        },
    }
    assert seen[1] == "closed"


def test_an_unknown_job_a_missing_session_or_another_origin_is_refused():
    rita = make_user("rita", Role.RESELLER)
    job = Job.objects.create(name="x", user=rita)
    assert watch(scope_for(str(uuid.uuid4()), session_of(rita)), []) is None
    assert watch(scope_for(str(job.pk), None), []) is None
    assert watch(scope_for(str(job.pk), session_of(rita), "https://evil.example"), []) is None


@override_settings(SUPERCP_JOB_POLL_INTERVAL=0.05)
def test_signing_out_ends_the_socket_before_the_next_change_is_sent():
    rita = make_user("rita", Role.RESELLER)
    job = Job.objects.create(name="x", user=rita)
    session = session_of(rita)

    def sign_out_then_progress(job_id: str) -> None:
        SessionStore(session_key=session).delete()
        Job.objects.filter(pk=job_id).update(status=Status.RUNNING, progress=5)

    seen = watch(scope_for(str(job.pk), session), [sign_out_then_progress])
    assert seen is not None
    assert len(seen) == 2
    assert seen[1] == "closed"
