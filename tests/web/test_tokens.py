"""API tokens: shown once, stored hashed, read-only, expiry, revocation; sessions and CSRF."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from supercp.web.core import services
from supercp.web.core.models import ApiToken, AuditEvent
from supercp.web.sites.models import Site
from tests.web.conftest import PASSWORD, user_exists

# Every endpoint that changes something, with a body where it needs one.
UNSAFE: list[tuple[str, str, dict | None]] = [
    ("post", "/api/v1/accounts", {"name": "sctreadonly", "password": PASSWORD}),
    ("post", "/api/v1/accounts/{bob}/suspend", None),
    ("post", "/api/v1/accounts/{bob}/unsuspend", None),
    ("delete", "/api/v1/accounts/{bob}", None),
    ("post", "/api/v1/tokens", {"name": "more"}),
    ("delete", "/api/v1/tokens/{token}", None),
    ("post", "/api/v1/sites", {"domain": "readonly.example.test"}),
    ("patch", "/api/v1/sites/{site}", {"php": None}),
    ("post", "/api/v1/sites/{site}/suspend", None),
    ("post", "/api/v1/sites/{site}/unsuspend", None),
    ("delete", "/api/v1/sites/{site}", None),
    ("post", "/api/v1/dns/zones", {"name": "readonly.supercp-test"}),
    ("delete", "/api/v1/dns/zones/{zone}", None),
    ("post", "/api/v1/dns/zones/{zone}/import", {"zone_file": "@ 3600 IN A 192.0.2.1\n"}),
    ("post", "/api/v1/dns/zones/{zone}/secure", {}),
    ("post", "/api/v1/dns/zones/{zone}/unsecure", None),
    ("put", "/api/v1/dns/zones/{zone}/secondaries", {"secondaries": ["192.0.2.53"]}),
    (
        "post",
        "/api/v1/dns/zones/{zone}/records",
        {"name": "@", "type": "A", "content": "192.0.2.1"},
    ),
    ("patch", "/api/v1/dns/zones/{zone}/records/1", {"ttl": 300}),
    ("delete", "/api/v1/dns/zones/{zone}/records/1", None),
    ("put", "/api/v1/dns/templates/readonly", {"records": []}),
    ("delete", "/api/v1/dns/templates/default", None),
    ("patch", "/api/v1/dns/settings", {"ttl": 300}),
    ("put", "/api/v1/accounts/{bob}/plan", {"plan": "Unlimited"}),
    ("post", "/api/v1/plans", {"name": "Readonly"}),
    ("put", "/api/v1/plans/Unlimited", {"name": "Unlimited"}),
    ("delete", "/api/v1/plans/Unlimited", None),
    ("put", "/api/v1/plans/resellers/rita/totals", {"plan": None}),
]
# A site and a zone the read-only token would touch; refused before anything looks them up.
SITE = "readonly-target.example.test"
ZONE = "readonly-target.supercp-test"


def call(client: Client, method: str, url: str, body: dict | None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize(("method", "url", "body"), UNSAFE)
def test_a_read_only_token_cannot_change_anything(world, method, url, body):
    new = services.issue_token(world.admin.user, "reader", read_only=True)
    client = Client(headers={"authorization": f"Bearer {new.plaintext}"})
    url = url.format(bob=world.bob_account.name, token=new.token.public_id, site=SITE, zone=ZONE)
    response = call(client, method, url, body)
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] in {"read-only", "session-required"}
    assert user_exists(world.bob_account.name)
    assert ApiToken.objects.get(pk=new.token.pk).revoked_at is None
    assert not user_exists("sctreadonly")
    assert not Site.objects.exists()


def test_a_read_only_token_can_read(world, api):
    client = api(world.admin, read_only=True)
    assert client.get("/api/v1/accounts").status_code == 200
    assert client.get(f"/api/v1/accounts/{world.bob_account.name}").status_code == 200
    assert client.get("/api/v1/tokens").status_code == 200


def test_tokens_are_stored_hashed_never_in_clear(world):
    new = services.issue_token(world.alice.user, "deploy")
    secret = new.plaintext.rsplit("_", 1)[1]
    row = ApiToken.objects.get(pk=new.token.pk)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        dump = repr(cursor.fetchall())
    assert secret not in dump
    assert new.plaintext not in dump


def test_an_expired_token_is_refused(world):
    new = services.issue_token(world.admin.user, "old", expires_days=1)
    ApiToken.objects.filter(pk=new.token.pk).update(expires_at=timezone.now() - timedelta(1))
    client = Client(headers={"authorization": f"Bearer {new.plaintext}"})
    response = client.get("/api/v1/accounts")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_revoked_token_is_refused(world):
    new = services.issue_token(world.admin.user, "gone")
    client = Client(headers={"authorization": f"Bearer {new.plaintext}"})
    assert client.get("/api/v1/accounts").status_code == 200
    assert client.delete(f"/api/v1/tokens/{new.token.public_id}").status_code == 204
    assert client.get("/api/v1/accounts").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1


@pytest.mark.parametrize(
    "value",
    [
        "scp_0123456789abcdef_" + "0" * 64,
        "not-a-token",
        "",
        "scp_../../etc_x",
    ],
)
def test_a_made_up_token_is_refused(world, value):
    client = Client(headers={"authorization": f"Bearer {value}"})
    assert client.get("/api/v1/accounts").status_code == 401


def test_a_token_with_a_wrong_secret_is_refused(world):
    new = services.issue_token(world.admin.user, "real")
    forged = new.plaintext[:-4] + ("0000" if not new.plaintext.endswith("0000") else "1111")
    client = Client(headers={"authorization": f"Bearer {forged}"})
    assert client.get("/api/v1/accounts").status_code == 401


def test_a_deactivated_users_token_is_refused(world, api):
    client = api(world.admin)
    world.admin.user.is_active = False
    world.admin.user.save()
    assert client.get("/api/v1/accounts").status_code == 401


def test_using_a_token_records_when(world):
    new = services.issue_token(world.alice.user, "ci")
    assert new.token.last_used_at is None
    Client(headers={"authorization": f"Bearer {new.plaintext}"}).get("/api/v1/accounts")
    assert ApiToken.objects.get(pk=new.token.pk).last_used_at is not None


def test_a_tokens_actor_is_its_user_as_the_orm_loads_it(world):
    # authenticate_token reads the user with written-out SQL (core/rows.py).
    user = world.rita.user
    user.last_login = timezone.now()
    user.max_accounts = 7
    user.save()
    new = services.issue_token(user, "same", read_only=True, expires_days=3)
    actor = services.authenticate_token(new.plaintext, "192.0.2.7")
    assert actor is not None
    assert (actor.read_only, actor.ip, actor.token) == (True, "192.0.2.7", new.token.public_id)
    loaded = type(user).objects.get(pk=user.pk)
    for field in type(user)._meta.concrete_fields:
        assert getattr(actor.user, field.attname) == getattr(loaded, field.attname), field
        assert type(getattr(actor.user, field.attname)) is type(getattr(loaded, field.attname))
    # A saved, not a new, instance: it can be written back as the ORM's could.
    assert not actor.user._state.adding
    actor.user.first_name = "Rita"
    actor.user.save(update_fields=["first_name"])
    assert type(user).objects.get(pk=user.pk).first_name == "Rita"


def test_a_session_creates_a_token_that_is_shown_once(world):
    client = Client()
    client.force_login(world.alice.user)
    response = client.post(
        "/api/v1/tokens",
        {"name": "laptop", "read_only": True, "expires_days": 30},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"].startswith(f"scp_{body['id']}_")
    assert body["read_only"] is True
    listed = client.get("/api/v1/tokens").json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0]
    with_token = Client(headers={"authorization": f"Bearer {body['token']}"})
    names = [a["name"] for a in with_token.get("/api/v1/accounts").json()["items"]]
    assert names == [world.alice_account.name]


def test_a_token_cannot_mint_tokens(world, api):
    response = api(world.admin).post(
        "/api/v1/tokens", {"name": "child"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "session-required"


def test_alice_cannot_see_or_revoke_bobs_tokens(world, api):
    bobs = services.issue_token(world.bob.user, "bob's")
    alice = api(world.alice)
    assert bobs.token.public_id not in [t["id"] for t in alice.get("/api/v1/tokens").json()]
    response = alice.delete(f"/api/v1/tokens/{bobs.token.public_id}")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=bobs.token.pk).revoked_at is None


def test_session_requests_that_change_things_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin.user)
    bob = world.bob_account.name
    response = client.post(f"/api/v1/accounts/{bob}/suspend")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"
    # Reading needs no CSRF token.
    assert client.get(f"/api/v1/accounts/{bob}").json()["state"] == "active"
    # With the cookie and the matching header, the same request goes through.
    csrf = "k" * 32  # any 32 letters or digits make a valid CSRF secret
    client.cookies["XSRF-TOKEN"] = csrf
    response = client.post(f"/api/v1/accounts/{bob}/suspend", headers={"x-xsrf-token": csrf})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "suspended"


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_a_token_expiry_outside_the_range_is_refused(world, days):
    client = Client()
    client.force_login(world.alice.user)
    response = client.post(
        "/api/v1/tokens", {"name": "x", "expires_days": days}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "expires_days"


def test_the_read_only_check_covers_every_unsafe_endpoint():
    doc = Client().get("/api/v1/openapi.json").json()
    unsafe = {
        (method, path)
        for path, operations in doc["paths"].items()
        for method in operations
        if method not in {"get", "head", "options"}
    }
    covered = {
        (
            method,
            url.replace("{bob}", "{name}")
            .replace("{token}", "{token_id}")
            .replace("{site}", "{domain}")
            .replace("/records/1", "/records/{record_id}")
            .replace("/templates/readonly", "/templates/{name}")
            .replace("/templates/default", "/templates/{name}")
            .replace("/plans/Unlimited", "/plans/{name}")
            .replace("/resellers/rita/", "/resellers/{reseller}/"),
        )
        for method, url, _ in UNSAFE
    }
    assert unsafe == covered
