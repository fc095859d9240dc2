"""The hosting plans' pages, the plan on an account's page and on a customer's dashboard, and
moving an account to another plan."""

from __future__ import annotations

from typing import Any

from supercp.web.accounts.models import HostingAccount
from supercp.web.core.authz import Actor
from supercp.web.core.models import Role
from supercp.web.dns import services as dns
from supercp.web.dns.services import NewZone
from supercp.web.plans import services as plans
from supercp.web.plans.models import Plan
from supercp.web.plans.services import PlanValues
from tests.web.conftest import PASSWORD, make_user


def plan_form(name: str, **values: Any) -> dict[str, Any]:
    """What the form sends: every limit blank (null) unless given."""
    return {"name": name, **values}


def listed(browser) -> list[tuple[str | None, str]]:
    return [(p["owner"], p["name"]) for p in browser.page("/plans")["props"]["plans"]]


def test_the_admin_creates_edits_and_deletes_a_plan_through_the_forms(pages, world):
    browser = pages(world.admin)
    form = browser.page("/plans/new")
    assert form["component"] == "Plans/Form"
    assert form["props"]["plan"] is None
    assert form["props"]["totals"] is None
    assert form["props"]["php_versions"], "the installed PHP versions for the checkboxes"
    version = form["props"]["php_versions"][0]

    response = browser.post(
        "/plans/new",
        plan_form("Gold plus", sites=3, dns_zones=2, php_versions=[version], shell_access=True),
    )
    assert response["Location"] == "/plans"
    page = browser.follow(response)
    assert page["props"]["flash"]["success"] == "Created plan Gold plus."
    gold = next(p for p in page["props"]["plans"] if p["name"] == "Gold plus")
    assert gold["owner"] is None
    assert (gold["sites"], gold["dns_zones"], gold["disk_mb"]) == (3, 2, None)
    assert (gold["php_versions"], gold["shell_access"], gold["accounts"]) == ([version], True, 0)
    assert gold["is_default"] is False

    edit = browser.page("/plans/Gold plus/edit")["props"]["plan"]
    assert edit["name"] == "Gold plus"
    response = browser.post("/plans/Gold plus/edit", plan_form("Gold", sites=None, disk_mb=500))
    assert browser.follow(response)["props"]["flash"]["success"] == "Saved plan Gold."
    saved = Plan.objects.get(name="Gold", owner=None)
    assert (saved.sites, saved.disk_mb, saved.php_versions, saved.shell_access) == (
        None,
        500,
        [],
        False,
    )

    response = browser.delete("/plans/Gold/edit")
    assert response["Location"] == "/plans"
    assert browser.follow(response)["props"]["flash"]["success"] == "Deleted plan Gold."
    assert not Plan.objects.filter(name="Gold").exists()


def test_the_admin_makes_a_new_plan_the_servers_default(pages, world):
    pages(world.admin).post("/plans/new", plan_form("Starter", sites=1, is_default=True))
    assert plans.default_plan().name == "Starter"
    listed_plans = pages(world.admin).page("/plans")["props"]["plans"]
    assert [p["name"] for p in listed_plans if p["is_default"]] == ["Starter"]


def test_the_admin_makes_an_existing_plan_the_servers_default(pages, world):
    plans.create_plan(world.admin, PlanValues("Gold"))
    pages(world.admin).post("/plans/Gold/edit", plan_form("Gold", is_default=True))
    assert plans.default_plan().name == "Gold"
    assert Plan.objects.filter(is_default=True).count() == 1


def test_a_bad_limit_comes_back_as_an_error_at_its_field(pages, world):
    browser = pages(world.admin)
    for field, value in (("disk_mb", "ten"), ("sites", -1), ("php_max_children", 0)):
        response = browser.post("/plans/new", plan_form("Bad", **{field: value}))
        assert response["Location"] == "/plans/new"
        errors = browser.follow(response)["props"]["errors"]
        assert list(errors) == [field], (field, errors)
    browser.post("/plans/new", plan_form("Taken"))
    taken = browser.post("/plans/new", plan_form("Taken"))
    assert "exists" in browser.follow(taken)["props"]["errors"]["name"]
    assert not Plan.objects.filter(name="Bad").exists()


def test_a_reseller_sees_and_changes_only_its_own_plans(pages, world):
    plans.create_plan(world.admin, PlanValues("Server plan"))
    sam = Actor(make_user("sam", Role.RESELLER), ip="192.0.2.9")
    plans.create_plan(sam, PlanValues("Sams"))
    rita = pages(world.rita)
    rita.post("/plans/new", plan_form("Mine", sites=2))

    assert listed(rita) == [("rita", "Mine")]
    assert rita.page("/plans")["props"]["resellers"] == []
    assert set(listed(pages(world.admin))) == {
        (None, "Server plan"),
        (None, "Unlimited"),
        ("rita", "Mine"),
        ("sam", "Sams"),
    }
    assert rita.get("/plans/Sams/edit").status_code == 404
    assert rita.get("/plans/Server plan/edit").status_code == 404
    assert rita.page("/plans/Mine/edit")["props"]["plan"]["sites"] == 2
    # An admin reaches a reseller's plan by naming the reseller.
    assert pages(world.admin).get("/plans/Mine/edit").status_code == 404
    admin_edit = pages(world.admin).page("/plans/Mine/edit", reseller="rita")
    assert admin_edit["props"]["plan"]["owner"] == "rita"


def test_a_reseller_cannot_promise_more_than_its_totals_and_is_told_at_the_field(pages, world):
    plans.create_plan(world.admin, PlanValues("Rita totals", sites=5, dns_zones=5))
    admin = pages(world.admin)
    response = admin.post("/plans/totals", {"reseller": "rita", "plan": "Rita totals"})
    assert "share plan Rita totals" in admin.follow(response)["props"]["flash"]["success"]

    rita = pages(world.rita)
    form = rita.page("/plans/new")["props"]
    assert (form["totals"]["name"], form["totals"]["sites"]) == ("Rita totals", 5)
    index = rita.page("/plans")["props"]
    assert index["totals"]["name"] == "Rita totals"
    assert listed(rita) == []
    # More than the totals, and unlimited where the totals are a number.
    for sent in ({"sites": 10, "dns_zones": 1}, {"sites": 1, "dns_zones": None}):
        response = rita.post("/plans/new", plan_form("Big", **sent))
        errors = rita.follow(response)["props"]["errors"]
        over = "sites" if sent["sites"] == 10 else "dns_zones"
        assert list(errors) == [over]
        assert "totals" in errors[over]
    assert not Plan.objects.filter(name="Big").exists()
    rita.post("/plans/new", plan_form("Fits", sites=5, dns_zones=1))
    assert listed(rita) == [("rita", "Fits")]


def test_totals_below_a_resellers_own_plan_are_refused_at_the_plan(pages, world):
    plans.create_plan(world.rita, PlanValues("Roomy"))
    plans.create_plan(world.admin, PlanValues("Tight", sites=1))
    admin = pages(world.admin)
    assert admin.page("/plans")["props"]["resellers"] == [{"username": "rita", "totals": None}]
    response = admin.post("/plans/totals", {"reseller": "rita", "plan": "Tight"})
    errors = admin.follow(response)["props"]["errors"]
    assert "Roomy: sites" in errors["plan"]
    assert plans.totals_of(world.rita.user) is None


def test_a_customer_gets_no_plans_pages(pages, world):
    alice = pages(world.alice)
    for url in ("/plans", "/plans/new", "/plans/Unlimited/edit"):
        assert alice.get(url).status_code == 403, url
    response = alice.post("/plans/new", plan_form("Mine"), Referer="http://testserver/")
    assert alice.follow(response)["props"]["flash"]["error"] == "your role may not do this"
    assert not Plan.objects.filter(name="Mine").exists()
    assert alice.delete("/plans/Unlimited/edit").status_code == 303
    assert Plan.objects.filter(name="Unlimited").exists()


def test_a_plan_in_use_cannot_be_deleted_and_the_page_says_why(pages, world):
    plans.create_plan(world.admin, PlanValues("Busy"))
    plans.set_plan(world.admin, world.bob_account.name, "Busy")
    admin = pages(world.admin)
    assert (
        next(p for p in admin.page("/plans")["props"]["plans"] if p["name"] == "Busy")["accounts"]
        == 1
    )
    response = admin.delete("/plans/Busy/edit")
    assert admin.follow(response)["props"]["flash"]["error"] == "plan 'Busy' is in use"
    assert Plan.objects.filter(name="Busy").exists()


# --- the plan of an account -------------------------------------------------------------------


def usage_of(page: dict) -> dict[str, tuple[int | None, int | None]]:
    return {row["limit"]: (row["allowed"], row["used"]) for row in page["props"]["plan"]["limits"]}


def test_the_account_page_shows_its_plan_and_what_it_uses(pages, world, zone_name):
    plans.create_plan(world.admin, PlanValues("Zones", dns_zones=2, disk_mb=1000))
    plans.set_plan(world.admin, world.bob_account.name, "Zones")
    dns.create_zone(world.bob, NewZone(zone_name()))
    url = f"/accounts/{world.bob_account.name}"

    page = pages(world.bob).page(url)
    assert page["props"]["plan"]["name"] == "Zones"
    assert page["props"]["plan"]["owner"] is None
    usage = usage_of(page)
    assert usage["dns_zones"] == (2, 1)
    assert usage["sites"] == (None, 0)
    # The daemon measured the home; bandwidth is not counted yet.
    assert usage["disk_mb"] == (1000, 1)
    assert usage["bandwidth_gb"] == (None, None)
    assert page["props"]["plan"]["php"]["max_children"] == 5
    # A customer moves nowhere.
    assert page["props"]["plans"] == []

    rita_plan = plans.create_plan(world.rita, PlanValues("Ritas"))
    choices = pages(world.admin).page(url)["props"]["plans"]
    assert {(c["owner"], c["name"]) for c in choices} == {(None, "Zones"), (None, "Unlimited")}
    alice_url = f"/accounts/{world.alice_account.name}"
    choices = pages(world.admin).page(alice_url)["props"]["plans"]
    assert ("rita", rita_plan.name) in {(c["owner"], c["name"]) for c in choices}
    assert pages(world.rita).page(alice_url)["props"]["plans"] == [
        {"name": "Ritas", "owner": "rita", "is_default": False}
    ]


def test_moving_an_account_to_a_too_small_plan_shows_the_over_plan_error(pages, world, zone_name):
    dns.create_zone(world.bob, NewZone(zone_name()))
    dns.create_zone(world.bob, NewZone(zone_name()))
    plans.create_plan(world.admin, PlanValues("Small", dns_zones=1))
    plans.create_plan(world.admin, PlanValues("Roomy", dns_zones=2))
    admin = pages(world.admin)
    url = f"/accounts/{world.bob_account.name}"

    response = admin.post(f"{url}/plan", {"plan": "Small"})
    assert response["Location"] == url
    page = admin.follow(response)
    assert "dns_zones" in page["props"]["errors"]["plan"]
    assert page["props"]["plan"]["name"] == "Unlimited"

    response = admin.post(f"{url}/plan", {"plan": "Roomy"})
    page = admin.follow(response)
    assert page["props"]["flash"]["success"] == f"{world.bob_account.name} is on plan Roomy now."
    assert page["props"]["plan"]["name"] == "Roomy"
    assert usage_of(page)["dns_zones"] == (2, 2)


def test_a_reseller_moves_its_customer_only_to_its_own_plans(pages, world):
    plans.create_plan(world.admin, PlanValues("Server only"))
    plans.create_plan(world.rita, PlanValues("Ritas"))
    rita = pages(world.rita)
    url = f"/accounts/{world.alice_account.name}"
    response = rita.post(f"{url}/plan", {"plan": "Server only"})
    assert "no plan" in rita.follow(response)["props"]["errors"]["plan"]
    rita.post(f"{url}/plan", {"plan": "Ritas"})
    assert HostingAccount.objects.get(pk=world.alice_account.pk).plan.name == "Ritas"
    # Nor may the customer move itself.
    alice = pages(world.alice)
    response = alice.post(f"{url}/plan", {"plan": "Unlimited"})
    assert alice.follow(response)["props"]["flash"]["error"] == "your role may not do this"


def test_the_admin_creates_an_account_on_a_resellers_plan(pages, world, account_name):
    plans.create_plan(world.rita, PlanValues("Ritas"))
    admin = pages(world.admin)
    offered = admin.page("/accounts")["props"]["plans"]
    assert {(p["owner"], p["name"]) for p in offered} == {(None, "Unlimited"), ("rita", "Ritas")}
    assert pages(world.rita).page("/accounts")["props"]["plans"] == [
        {"name": "Ritas", "owner": "rita", "is_default": False}
    ]
    name = account_name()
    sent = {"name": name, "password": PASSWORD, "reseller": "rita", "plan": "Ritas"}
    admin.post("/accounts", sent)
    assert HostingAccount.objects.get(name=name).plan.name == "Ritas"
    unknown = admin.post("/accounts", {"name": account_name(), "password": PASSWORD, "plan": "Zed"})
    assert admin.follow(unknown)["props"]["errors"] == {"plan": "no plan 'Zed'"}


def test_a_customer_sees_its_plans_usage_on_the_dashboard(pages, world):
    plans.create_plan(world.admin, PlanValues("Tiny", sites=1))
    plans.set_plan(world.admin, world.bob_account.name, "Tiny")
    props = pages(world.bob).page("/")["props"]
    assert props["plan"]["name"] == "Tiny"
    assert {"limit": "sites", "allowed": 1, "used": 0} in props["plan"]["limits"]
    assert pages(world.admin).page("/")["props"]["plan"] is None
    assert pages(world.rita).page("/")["props"]["plan"] is None
