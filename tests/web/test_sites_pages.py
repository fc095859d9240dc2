"""The sites' pages: list, create with inline errors, the site page with its logs, changes."""

from __future__ import annotations

import secrets

import idna
import pytest

from supercp.web.sites import services
from supercp.web.sites.models import Site, State
from supercp.web.sites.services import NewSite
from tests.web.test_sites_services import counts, nothing_written

pytestmark = pytest.mark.usefixtures("sites_cleanup")


def domain() -> str:
    return f"page-{secrets.token_hex(4)}.example.test"


def test_a_bad_domain_comes_back_as_an_error_at_the_field(pages, world):
    browser = pages(world.admin)
    before = counts()
    response = browser.post(
        "/sites",
        {"domain": "bad;name{}", "account": world.bob_account.name, "aliases": []},
        Referer="http://testserver/sites",
    )
    page = browser.follow(response)
    assert page["component"] == "Sites/Index"
    assert "domain" in page["props"]["errors"]
    assert nothing_written(before)


def test_a_bad_alias_and_docroot_come_back_at_their_fields(pages, world):
    browser = pages(world.admin)
    for field, body in (
        ("aliases", {"aliases": ["../etc"]}),
        ("docroot", {"docroot": "/etc"}),
        ("php", {"php": "8.2;id"}),
    ):
        response = browser.post(
            "/sites", {"domain": domain(), "account": world.bob_account.name, **body}
        )
        assert field in browser.follow(response)["props"]["errors"]


def test_a_form_naming_a_field_twice_comes_back_as_an_error_at_that_field(pages, world):
    browser = pages(world.admin)
    before = counts()
    body = (
        f'{{"domain": "{domain()}", "domain": "{domain()}", "account": "{world.bob_account.name}"}}'
    )
    response = browser.client.post(
        "/sites", body, content_type="application/json", headers={"X-Inertia": "true"}
    )
    errors = browser.follow(response)["props"]["errors"]
    assert "more than once" in errors["domain"]
    assert nothing_written(before)


def test_the_admin_creates_a_site_and_sees_it_listed_with_its_page(pages, world):
    browser = pages(world.admin)
    name = domain()
    response = browser.post(
        "/sites", {"domain": name, "account": world.bob_account.name, "www": True}
    )
    page = browser.follow(response)
    assert page["props"]["flash"]["success"] == f"Created site {name}."
    listed = page["props"]["sites"]["items"]
    assert [s["domain"] for s in listed] == [name]
    assert listed[0]["aliases"] == [f"www.{name}"]
    assert page["props"]["accounts"] == sorted([world.alice_account.name, world.bob_account.name])
    shown = browser.page(f"/sites/{name}")
    assert shown["component"] == "Sites/Show"
    assert shown["props"]["site"]["document_root"].endswith(f"/sites/{name}/public")
    assert shown["props"]["logs_error"] is None
    assert shown["props"]["can_suspend"] is True


def test_an_idn_site_is_listed_and_shown_with_its_names_in_both_forms(pages, world):
    tag = secrets.token_hex(4)
    name, alias = f"bücher-{tag}.example.test", f"café-{tag}.example.test"
    a_name, a_alias = idna.encode(name).decode(), idna.encode(alias).decode()
    browser = pages(world.admin)
    browser.post(
        "/sites",
        {"domain": name, "account": world.bob_account.name, "aliases": [alias], "www": True},
    )
    for site in (
        browser.page("/sites")["props"]["sites"]["items"][0],
        browser.page(f"/sites/{a_name}")["props"]["site"],
    ):
        assert (site["domain"], site["display_domain"]) == (a_name, name)
        assert site["aliases"] == [f"www.{a_name}", a_alias]
        assert site["display_aliases"] == [f"www.{name}", alias]


def test_alice_gets_a_404_for_bobs_site_page_and_actions(pages, world):
    site = services.create_site(world.bob, NewSite(domain()))
    alice = pages(world.alice)
    assert alice.get(f"/sites/{site.domain}").status_code == 404
    alice.post(f"/sites/{site.domain}/suspend")
    alice.delete(f"/sites/{site.domain}")
    assert Site.objects.get(pk=site.pk).state == State.ACTIVE
    assert site.domain not in [
        s["domain"] for s in alice.page("/sites", search=site.domain)["props"]["sites"]["items"]
    ]


def test_edit_suspend_and_delete_from_the_pages(pages, world):
    name = domain()
    services.create_site(world.rita, NewSite(name, account=world.alice_account.name))
    rita = pages(world.rita)
    rita.post(f"/sites/{name}", {"aliases": [f"www.{name}"], "redirect_aliases": True})
    assert services.aliases_of(Site.objects.get(domain=name)) == [f"www.{name}"]
    rita.post(f"/sites/{name}/suspend")
    assert Site.objects.get(domain=name).state == State.SUSPENDED
    rita.post(f"/sites/{name}/unsuspend")
    assert Site.objects.get(domain=name).state == State.ACTIVE
    response = rita.delete(f"/sites/{name}?remove_files=1")
    assert response["Location"] == "/sites"
    assert not Site.objects.filter(domain=name).exists()
