# ruff: noqa: RUF001, RUF003  (the look-alike letters are what these tests are about)
"""Which names a site may take: never above or below another owner's site, alias or zone, and
never a name that passes for another (homographs), through the services, API, pages and CLI."""

from __future__ import annotations

import json
import secrets

import pytest

from supercp.cli.main import main
from supercp.protocol.errors import Conflict, ValidationFailed
from supercp.web.core import homographs
from supercp.web.dns import services as dns
from supercp.web.dns.services import NewZone
from supercp.web.sites import names, services
from supercp.web.sites.models import Site, SiteHost
from supercp.web.sites.services import NewSite
from tests.web.test_sites_services import counts, nothing_written

pytestmark = pytest.mark.usefixtures("sites_cleanup")

API = "/api/v1/sites"


def parent() -> str:
    return f"owners-{secrets.token_hex(4)}.example.test"


@pytest.fixture
def bobs(world) -> str:
    """shop.P, Bob's static site with the alias www.shop.P; returns P."""
    name = parent()
    services.create_site(world.bob, NewSite(f"shop.{name}", php=None, www=True))
    return name


def refused(actor, new: NewSite) -> Conflict:
    with pytest.raises(Conflict) as caught:
        services.create_site(actor, new)
    return caught.value


# --- above and below another owner's names ----------------------------------------------------


def test_a_site_above_or_below_another_owners_site_or_alias_is_refused(world, bobs):
    before = counts()
    for domain, aliases, field in (
        (bobs, [], "domain"),  # the parent of Bob's site
        (f"cart.shop.{bobs}", [], "domain"),  # a child of it
        (f"a.www.shop.{bobs}", [], "domain"),  # a child of Bob's alias
        (f"blog.{bobs}", [bobs], "aliases"),  # an alias above Bob's site
        (f"blog.{bobs}", [f"x.shop.{bobs}"], "aliases"),  # an alias below it
    ):
        for who, account in ((world.alice, None), (world.admin, world.alice_account.name)):
            err = refused(who, NewSite(domain, account=account, aliases=aliases, php=None))
            assert (err.code, err.field) == ("domain-taken", field), (domain, aliases)
            assert "another owner" in err.message
    assert nothing_written(before)


def test_a_sibling_of_another_owners_site_is_fine(world, bobs):
    # Under the same parent: no cookie of one reaches the other.
    services.create_site(world.alice, NewSite(f"blog.{bobs}", php=None))


def test_the_owners_own_names_above_and_below_a_site_are_fine(world, bobs):
    services.create_site(world.bob, NewSite(f"cart.shop.{bobs}", php=None))
    services.create_site(world.bob, NewSite(f"other.{parent()}", php=None, aliases=[bobs]))


def test_an_alias_added_later_is_checked_against_other_owners_too(world, bobs):
    services.create_site(world.alice, NewSite(f"blog.{bobs}", php=None))
    with pytest.raises(Conflict) as caught:
        services.update_site(world.alice, f"blog.{bobs}", aliases=[f"cdn.shop.{bobs}"])
    assert (caught.value.code, caught.value.field) == ("domain-taken", "aliases")
    assert services.aliases_of(services.get_site(world.alice, f"blog.{bobs}")) == []


def test_a_site_above_another_owners_zone_is_refused(world, zone_name):
    zone = zone_name()
    dns.create_zone(world.admin, NewZone(f"shop.{zone}", account=world.bob_account.name))
    for domain, aliases, field in ((zone, [], "domain"), (f"w.{zone}", [zone], "aliases")):
        err = refused(world.alice, NewSite(domain, aliases=aliases, php=None))
        assert (err.code, err.field) == ("domain-taken", field)


def test_the_api_refuses_a_parent_or_child_of_bobs_site_with_a_409(world, api, bobs):
    client = api(world.alice)
    for domain in (bobs, f"other.shop.{bobs}"):
        response = client.post(API, {"domain": domain}, content_type="application/json")
        assert response.status_code == 409, response.content
        assert response.json()["error"]["code"] == "domain-taken"
        assert response.json()["error"]["field"] == "domain"


def test_the_site_form_shows_the_refusal_at_the_domain(pages, world, bobs):
    browser = pages(world.alice)
    response = browser.post("/sites", {"domain": bobs}, Referer="http://testserver/sites")
    errors = browser.follow(response)["props"]["errors"]
    assert "another owner" in errors["domain"]


def test_the_cli_refuses_a_parent_of_bobs_site(world, capsys, bobs):
    code = main(["--json", "site", "create", bobs, "--account", world.alice_account.name])
    body = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 1
    assert (body["error"]["code"], body["error"]["field"]) == ("domain-taken", "domain")


# --- names that pass for others ---------------------------------------------------------------

LOOKALIKES = [
    "аlice.example.test",  # a Cyrillic "а" among Latin letters
    "xn--80ak6aa92e.com",  # "аррӏе": all Cyrillic, shown as "apple"
    "pаypal.com",
    "shop.xn--n1aahb.com",  # "сосо" (Cyrillic), in a label below
    "gооgle.com",  # Cyrillic "о"s
    "ab\u0430\u0431c.test",  # Latin and Cyrillic in one label
]
FINE = [
    "bücher.example.test",
    "straße.example.test",
    "日本語テキスト.jp",
    "ελληνικά.gr",
    "пример.рф",
    "сосо.рф",  # looks Latin, but under a Cyrillic TLD whose readers expect Cyrillic
]


@pytest.mark.parametrize("raw", LOOKALIKES)
def test_a_lookalike_name_is_refused_naming_why(raw):
    name = names.hostname(raw)
    assert homographs.lookalike(name) is not None
    with pytest.raises(ValidationFailed) as caught:
        names.claimable(name, "domain", admin=True)
    assert (caught.value.code, caught.value.field) == ("lookalike-name", "domain")
    # The message shows the A-label, the form no look-alike can copy.
    assert name in caught.value.message


@pytest.mark.parametrize("raw", FINE)
def test_a_name_in_one_script_is_fine(raw):
    assert homographs.lookalike(names.hostname(raw)) is None


def test_lookalike_sites_aliases_and_zones_are_refused(world, api, no_daemon):
    client = api(world.admin)
    before = counts()
    for body, field in (
        ({"domain": "аlice.example.test"}, "domain"),
        ({"domain": parent(), "aliases": ["xn--80ak6aa92e.com"]}, "aliases"),
    ):
        body["account"] = world.alice_account.name
        response = client.post(API, body, content_type="application/json")
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("lookalike-name", field)
    response = client.post(
        "/api/v1/dns/zones", {"name": "xn--80ak6aa92e.com"}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "lookalike-name"
    assert nothing_written(before)
    assert no_daemon == []


def test_a_lookalike_made_before_the_rule_can_still_be_found_and_removed(world):
    # Rows as an older panel wrote them; get_site reads names without the new rule.
    name = "xn--80ak6aa92e.com"
    site = Site.objects.create(account=world.bob_account, domain=name)
    SiteHost.objects.create(site=site, name=name, is_primary=True)
    assert services.get_site(world.admin, name).domain == name
    site.delete()  # the daemon never had it
