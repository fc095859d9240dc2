"""The audit log: written with every change, and never rewritten."""

from __future__ import annotations

import pytest

from supercp.protocol.errors import Forbidden
from supercp.web.core.models import AuditEvent


def test_every_change_is_in_the_audit_log_with_actor_and_ip(world, api):
    client = api(world.rita)
    name = world.alice_account.name
    client.post(f"/api/v1/accounts/{name}/suspend")
    event = AuditEvent.objects.filter(action="account.suspend").get()
    assert (event.actor, event.actor_name, event.target) == (world.rita.user, "rita", name)
    assert event.ip == "127.0.0.1"
    assert event.details["token"]  # which token did it


def test_audit_events_cannot_be_changed_or_deleted(world):
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "nothing.happened"
    with pytest.raises(Forbidden):
        event.save()
    with pytest.raises(Forbidden):
        event.delete()
    with pytest.raises(Forbidden):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(Forbidden):
        AuditEvent.objects.all().delete()


def test_reading_writes_nothing_to_the_audit_log(world, api):
    client = api(world.alice)
    before = AuditEvent.objects.count()
    assert client.get("/api/v1/accounts").status_code == 200
    assert AuditEvent.objects.count() == before
