"""/api/v1/sites for every role, through the HTTP stack; the end-to-end test serves PHP."""

from __future__ import annotations

import os
import pwd
import secrets
import subprocess
import time
from pathlib import Path

import pytest
from django.test import Client

from supercp.web.core.models import AuditEvent
from supercp.web.sites.models import Site, SiteHost
from tests.web.test_sites_services import (
    HOSTILE_DOCROOTS,
    HOSTILE_NAMES,
    HOSTILE_PHP,
    counts,
    nothing_written,
)

URL = "/api/v1/sites"
pytestmark = pytest.mark.usefixtures("sites_cleanup")


def domain(prefix: str = "api") -> str:
    return f"{prefix}-{secrets.token_hex(4)}.example.test"


def create(client: Client, **body: object):
    return client.post(URL, body, content_type="application/json")


def made(client: Client, **body: object) -> dict:
    response = create(client, **body)
    assert response.status_code == 201, response.content
    return response.json()


def listed(client: Client, **query: str | int) -> list[str]:
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return [s["domain"] for s in response.json()["items"]]


# --- refused at the edge: nothing written, the daemon never asked -------------------------------


@pytest.mark.parametrize("bad", HOSTILE_NAMES)
def test_a_hostile_domain_is_a_400_naming_the_field(world, api, no_daemon, bad):
    client = api(world.admin)
    before = counts()
    response = create(client, domain=bad, account=world.bob_account.name)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == "domain"
    assert nothing_written(before)
    assert no_daemon == []


@pytest.mark.parametrize("bad", HOSTILE_NAMES)
def test_a_hostile_alias_is_a_400_naming_the_field(world, api, no_daemon, bad):
    client = api(world.admin)
    before = counts()
    response = create(client, domain=domain(), account=world.bob_account.name, aliases=[bad])
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"].startswith("aliases")
    assert nothing_written(before)


@pytest.mark.parametrize("bad", HOSTILE_DOCROOTS)
def test_a_hostile_docroot_is_a_400_naming_the_field(world, api, no_daemon, bad):
    client = api(world.admin)
    before = counts()
    response = create(client, domain=domain(), account=world.bob_account.name, docroot=bad)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == "docroot"
    assert nothing_written(before)


@pytest.mark.parametrize("bad", HOSTILE_PHP)
def test_a_hostile_php_version_is_a_400_naming_the_field(world, api, no_daemon, bad):
    client = api(world.admin)
    before = counts()
    response = create(client, domain=domain(), account=world.bob_account.name, php=bad)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == "php"
    assert nothing_written(before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"account": "sctx; id"}, "account"),
        ({"php": 8.2}, "php"),
        ({"www": "yes"}, "www"),
        ({"limits": {"max_children": 1000}}, "limits.max_children"),
        ({"limits": {"memory_limit_mb": 1}}, "limits.memory_limit_mb"),
        ({"shell": True}, "shell"),
    ],
)
def test_malformed_bodies_are_a_400_naming_the_field(world, api, no_daemon, body, field):
    client = api(world.admin)
    before = counts()
    response = create(client, **{"domain": domain(), "account": "sctx", **body})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    assert nothing_written(before)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ('{{"domain": "{d}", "account": "{a}", "account": "{a}"}}', "account"),
        # The second value would win in json.loads: a caller (or a proxy reading the
        # first) must not be able to mean two sites with one body.
        ('{{"domain": "{d}", "domain": "x{d}", "account": "{a}"}}', "domain"),
        (
            '{{"domain": "{d}", "account": "{a}", "limits": {{"max_children": 2, '
            '"max_children": 3}}}}',
            "max_children",
        ),
    ],
)
def test_a_body_naming_a_key_twice_is_a_400_naming_the_key(world, api, no_daemon, raw, key):
    client = api(world.admin)
    before = counts()
    body = raw.format(d=domain(), a=world.bob_account.name)
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "duplicate-key"
    assert error["field"] == key
    assert key in error["message"]
    assert nothing_written(before)


def test_a_read_only_token_cannot_create_change_or_delete(world, api, no_daemon):
    ro = api(world.admin, read_only=True)
    assert create(ro, domain=domain(), account=world.bob_account.name).status_code == 403
    name = "ro.example.test"
    for response in (
        ro.patch(f"{URL}/{name}", {"php": None}, content_type="application/json"),
        ro.post(f"{URL}/{name}/suspend"),
        ro.post(f"{URL}/{name}/unsuspend"),
        ro.delete(f"{URL}/{name}"),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "read-only"


def test_requests_without_credentials_get_401(world):
    assert Client().get(URL).status_code == 401
    assert create(Client(), domain=domain()).status_code == 401


# --- with the daemon ------------------------------------------------------------------------------


def test_the_admin_creates_a_site_whose_json_has_everything(world, api):
    name = domain()
    body = made(api(world.admin), domain=name, account=world.bob_account.name, www=True)
    assert body["domain"] == name
    assert body["aliases"] == [f"www.{name}"]
    assert body["account"] == world.bob_account.name
    assert body["php"] == api(world.admin).get(f"{URL}/php-versions").json()["default"]
    assert body["state"] == "active"
    assert body["suspended"] is False
    home = pwd.getpwnam(world.bob_account.name).pw_dir
    assert body["document_root"] == f"{home}/sites/{name}/public"
    assert Path(body["document_root"]).is_dir()
    assert api(world.admin).get(f"{URL}/{name}").json() == body


def test_an_idn_comes_back_in_a_label_form(world, api):
    body = made(api(world.admin), domain="Café-Api.Example", account=world.bob_account.name)
    assert body["domain"] == "xn--caf-api-dya.example"
    assert body["display_domain"] == "café-api.example"
    assert api(world.admin).get(f"{URL}/café-api.example").status_code == 200


def test_an_idn_sites_aliases_come_back_in_both_forms_in_the_list_too(world, api):
    client = api(world.admin)
    body = made(
        client,
        domain="bücher-api.example",
        aliases=["Café-Alias.Example", "plain-api.example"],
        account=world.bob_account.name,
    )
    assert body["aliases"] == ["plain-api.example", "xn--caf-alias-d4a.example"]
    assert body["display_aliases"] == ["plain-api.example", "café-alias.example"]
    (item,) = client.get(URL).json()["items"]
    assert item == body
    assert (item["domain"], item["display_domain"]) == (
        "xn--bcher-api-q9a.example",
        "bücher-api.example",
    )


def test_a_taken_domain_is_a_409(world, api):
    name = domain()
    made(api(world.admin), domain=name, account=world.bob_account.name)
    response = create(api(world.rita), domain=name, account=world.alice_account.name)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "domain-taken"
    assert response.json()["error"]["field"] == "domain"


def test_every_role_sees_only_its_own(world, api):
    bob = made(api(world.bob), domain=domain("bob"))["domain"]
    alice = made(api(world.alice), domain=domain("alice"))["domain"]
    assert set(listed(api(world.admin))) == {bob, alice}
    assert listed(api(world.rita)) == [alice]
    assert listed(api(world.alice)) == [alice]
    for who in (world.alice, world.rita):
        client = api(who)
        for search in (bob, "bob", world.bob_account.name):
            assert bob not in listed(client, search=search)
        assert listed(client, account=world.bob_account.name) == []
        gone = client.get(f"{URL}/{bob}")
        missing = client.get(f"{URL}/nosuch.example.test")
        assert gone.status_code == missing.status_code == 404
        assert gone.json()["error"]["code"] == missing.json()["error"]["code"]
        for response in (
            client.patch(f"{URL}/{bob}", {"php": None}, content_type="application/json"),
            client.post(f"{URL}/{bob}/suspend"),
            client.post(f"{URL}/{bob}/unsuspend"),
            client.delete(f"{URL}/{bob}"),
            client.get(f"{URL}/{bob}/logs"),
        ):
            assert response.status_code in (403, 404), response.content
    assert Site.objects.filter(domain=bob).exists()


def test_patch_suspend_logs_and_delete(world, api):
    name = domain()
    rita = api(world.rita)
    made(rita, domain=name, account=world.alice_account.name)
    changed = rita.patch(
        f"{URL}/{name}",
        {"aliases": [f"www.{name}"], "redirect_aliases": True},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["aliases"] == [f"www.{name}"]
    assert changed.json()["redirect_aliases"] is True
    assert rita.post(f"{URL}/{name}/suspend").json()["state"] == "suspended"
    assert rita.post(f"{URL}/{name}/unsuspend").json()["state"] == "active"
    logs = rita.get(f"{URL}/{name}/logs", {"kind": "error", "lines": 5})
    assert logs.status_code == 200, logs.content
    assert logs.json()["kind"] == "error"
    assert rita.delete(f"{URL}/{name}", {"remove_files": True}).status_code == 204
    assert not SiteHost.objects.filter(name__endswith=name).exists()
    assert AuditEvent.objects.filter(action="site.delete", target=name).exists()


def test_php_versions_are_listed(world, api):
    response = api(world.alice).get(f"{URL}/php-versions")
    assert response.status_code == 200, response.content
    versions = response.json()["versions"]
    assert all(v.count(".") == 1 for v in versions)


def test_a_new_site_is_a_php_site_of_the_default_version_unless_php_is_null(world, api):
    default = api(world.admin).get(f"{URL}/php-versions").json()["default"]
    assert default is not None, "no PHP-FPM installed: the installer provides one"
    client = api(world.admin)
    assert made(client, domain=domain(), account=world.bob_account.name)["php"] == default
    static = made(client, domain=domain(), account=world.bob_account.name, php=None)
    assert static["php"] is None


def test_the_openapi_document_says_a_left_out_php_is_the_default():
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["SiteIn"]
    php = schema["properties"]["php"]
    assert "server's default" in php["description"]
    assert "null: a static site" in php["description"]


def serves_php(domain: str, document_root: str, account: str) -> None:
    """An index.php in the site's root answers through nginx, run as the account."""
    index = Path(document_root) / "index.php"
    index.write_text("<?php echo 'hello from ', posix_getpwuid(posix_geteuid())['name'];\n")
    user = pwd.getpwnam(account)
    os.chown(index, user.pw_uid, user.pw_gid)
    # The site is live when the API answers; allow a moment for PHP-FPM's ondemand start.
    deadline = time.monotonic() + 10
    while True:
        served = subprocess.run(
            ["curl", "-sS", "-m", "5", "-H", f"Host: {domain}", "http://127.0.0.1/"],
            capture_output=True,
            text=True,
            check=False,
        )
        if f"hello from {account}" in served.stdout:
            break
        assert time.monotonic() < deadline, (served.stdout, served.stderr)
        time.sleep(0.2)


def test_a_php_site_answers_with_its_index_php_as_the_account_user(world, api):
    # No php in the body: a new site runs the server's default PHP.
    name = domain("e2e")
    body = made(api(world.bob), domain=name)
    serves_php(name, body["document_root"], world.bob_account.name)
