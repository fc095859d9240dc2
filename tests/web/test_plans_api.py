"""/api/v1/plans, and an account's plan and usage under /api/v1/accounts, for every role
through the HTTP stack with tokens (zones counted from the real PowerDNS)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supercp.web.accounts.models import HostingAccount
from supercp.web.dns import services as dns
from supercp.web.dns.services import NewZone
from supercp.web.plans import services as plans
from supercp.web.plans.models import Plan
from supercp.web.plans.schemas import NewPlanIn, PlanIn
from supercp.web.plans.services import PlanValues
from tests.web.conftest import PASSWORD, user_exists

URL = "/api/v1/plans"
ACCOUNTS = "/api/v1/accounts"


def send(client: Client, method: str, url: str, body: dict[str, Any] | None = None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


def made(client: Client, **body: Any) -> dict[str, Any]:
    response = send(client, "post", URL, body)
    assert response.status_code == 201, response.content
    return response.json()


def assert_error(response, status: int, code: str, field: str | None) -> None:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]


def limits(response) -> dict[str, tuple[int | None, int | None]]:
    assert response.status_code == 200, response.content
    return {row["limit"]: (row["allowed"], row["used"]) for row in response.json()["limits"]}


def test_the_admin_creates_reads_replaces_and_deletes_a_plan(world, api):
    admin = api(world.admin)
    body = made(admin, name="Gold", sites=5, php_versions=["8.2"], shell_access=True)
    assert body == {
        **PlanIn(name="Gold").model_dump(),
        "sites": 5,
        "php_versions": ["8.2"],
        "shell_access": True,
        "owner": None,
        "is_default": False,
        "accounts": 0,
    }
    assert_error(send(admin, "post", URL, {"name": "Gold"}), 409, "plan-exists", "name")
    assert admin.get(f"{URL}/Gold").json() == body
    assert "Gold" in [p["name"] for p in admin.get(URL).json()]
    # PUT replaces the whole plan: what it leaves out is the default again.
    response = send(admin, "put", f"{URL}/Gold", {"name": "Gold", "dns_zones": 3})
    assert response.status_code == 200, response.content
    assert (response.json()["dns_zones"], response.json()["sites"]) == (3, None)
    assert response.json()["shell_access"] is False
    assert admin.delete(f"{URL}/Gold").status_code == 204
    assert_error(admin.get(f"{URL}/Gold"), 404, "not-found", "plan")
    assert_error(admin.delete(f"{URL}/Gold"), 404, "not-found", "plan")


def test_a_plan_with_spaces_in_its_name_is_reached_by_its_path(world, api):
    admin = api(world.admin)
    made(admin, name="Gold plan 2")
    assert admin.get(f"{URL}/Gold%20plan%202").json()["name"] == "Gold plan 2"


def test_a_customer_cannot_make_or_change_plans(world, api):
    made(api(world.admin), name="Gold")
    bob = api(world.bob)
    assert_error(send(bob, "post", URL, {"name": "Mine"}), 403, "forbidden", None)
    assert_error(send(bob, "put", f"{URL}/Gold", {"name": "Gold"}), 403, "forbidden", None)
    assert_error(bob.delete(f"{URL}/Gold"), 403, "forbidden", None)
    assert not Plan.objects.filter(name="Mine").exists()


def test_each_role_sees_its_plans_and_counts_only_the_accounts_it_sees(world, api):
    made(api(world.admin), name="Gold")
    admin = {p["name"]: p["accounts"] for p in api(world.admin).get(URL).json()}
    assert admin == {"Gold": 0, "Unlimited": 2}
    # Alice and bob are both on the default plan; each counts only itself.
    assert [(p["name"], p["accounts"]) for p in api(world.bob).get(URL).json()] == [
        ("Unlimited", 1)
    ]
    assert_error(api(world.bob).get(f"{URL}/Gold"), 404, "not-found", "plan")
    # A reseller sees its own plans and its totals only.
    assert api(world.rita).get(URL).json() == []


def test_the_default_is_chosen_by_admins_only(world, api):
    assert made(api(world.admin), name="Basic", is_default=True)["is_default"] is True
    assert plans.default_plan().name == "Basic"
    response = send(api(world.rita), "post", URL, {"name": "Mine", "is_default": True})
    assert_error(response, 403, "forbidden", None)


def test_a_put_makes_an_existing_plan_the_default(world, api):
    made(api(world.admin), name="Gold")
    changed = send(api(world.admin), "put", f"{URL}/Gold", {"name": "Gold", "is_default": True})
    assert changed.status_code == 200, changed.content
    assert changed.json()["is_default"] is True
    assert plans.default_plan().name == "Gold"
    # False leaves the default where it is.
    send(api(world.admin), "put", f"{URL}/Gold", {"name": "Gold", "sites": 5})
    assert plans.default_plan().name == "Gold"


def test_a_resellers_plan_above_its_totals_is_a_403_over_totals(world, api):
    admin, rita = api(world.admin), api(world.rita)
    made(admin, name="Rita", sites=10, dns_zones=5)
    response = send(admin, "put", f"{URL}/resellers/rita/totals", {"plan": "Rita"})
    assert response.status_code == 200, response.content
    assert response.json() == {"reseller": "rita", "plan": "Rita"}
    response = send(rita, "post", URL, {"name": "Big", "sites": 20, "dns_zones": 5})
    assert_error(response, 403, "over-totals", "sites")
    # Unlimited promises more than any total.
    response = send(rita, "post", URL, {"name": "Open", "sites": 5})
    assert_error(response, 403, "over-totals", "dns_zones")
    mine = made(rita, name="Basic", sites=5, dns_zones=5)
    assert mine["owner"] == "rita"
    response = send(rita, "put", f"{URL}/Basic", {"name": "Basic", "sites": 11, "dns_zones": 5})
    assert_error(response, 403, "over-totals", "sites")
    # She sees her totals and her own plan.
    assert sorted(p["name"] for p in rita.get(URL).json()) == ["Basic", "Rita"]
    # Totals below the plan she made are refused; null takes them away.
    made(admin, name="Less", sites=2, dns_zones=5)
    response = send(admin, "put", f"{URL}/resellers/rita/totals", {"plan": "Less"})
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "over-plan"
    assert "Basic: sites" in response.json()["error"]["message"]
    response = send(admin, "put", f"{URL}/resellers/rita/totals", {"plan": None})
    assert response.json() == {"reseller": "rita", "plan": None}
    assert plans.totals_of(world.rita.user) is None


def test_only_an_admin_gives_totals_and_only_to_a_reseller(world, api):
    made(api(world.admin), name="Rita")
    response = send(api(world.rita), "put", f"{URL}/resellers/rita/totals", {"plan": "Rita"})
    assert_error(response, 403, "forbidden", None)
    bob = world.bob.user.username
    response = send(api(world.admin), "put", f"{URL}/resellers/{bob}/totals", {"plan": "Rita"})
    assert_error(response, 404, "not-found", "reseller")


def test_an_admin_reaches_a_resellers_plan_with_the_reseller_query(world, api):
    made(api(world.rita), name="Rita-basic", sites=2)
    admin = api(world.admin)
    assert_error(admin.get(f"{URL}/Rita-basic"), 404, "not-found", "plan")
    found = admin.get(f"{URL}/Rita-basic", {"reseller": "rita"})
    assert (found.json()["owner"], found.json()["sites"]) == ("rita", 2)
    response = send(admin, "put", f"{URL}/Rita-basic?reseller=rita", {"name": "Rita-basic"})
    assert response.status_code == 200, response.content
    assert response.json()["sites"] is None
    assert admin.delete(f"{URL}/Rita-basic?reseller=rita").status_code == 204
    assert not Plan.objects.filter(owner=world.rita.user).exists()


def test_moving_an_account_below_what_it_uses_is_a_409_over_plan(world, api, zone_name):
    for _ in range(2):
        dns.create_zone(world.bob, NewZone(zone_name()))
    admin = api(world.admin)
    made(admin, name="Small", dns_zones=1)
    bob = world.bob_account.name
    response = send(admin, "put", f"{ACCOUNTS}/{bob}/plan", {"plan": "Small"})
    assert_error(response, 409, "over-plan", "dns_zones")
    assert HostingAccount.objects.get(name=bob).plan.is_default
    # Nor may the plan it is on shrink below that.
    body = {"name": "Unlimited", "dns_zones": 1}
    assert_error(send(admin, "put", f"{URL}/Unlimited", body), 409, "over-plan", "dns_zones")
    made(admin, name="Medium", dns_zones=2)
    response = send(admin, "put", f"{ACCOUNTS}/{bob}/plan", {"plan": "Medium"})
    assert response.status_code == 200, response.content
    assert response.json()["plan"] == "Medium"
    assert api(world.bob).get(f"{ACCOUNTS}/{bob}").json()["plan"] == "Medium"


def test_an_accounts_plan_is_set_by_its_reseller_or_an_admin_only(world, api):
    made(api(world.rita), name="Rita-basic")
    made(api(world.admin), name="Gold")
    alice = world.alice_account.name
    body = {"plan": "Rita-basic"}
    assert_error(
        send(api(world.alice), "put", f"{ACCOUNTS}/{alice}/plan", body), 403, "forbidden", None
    )
    # A server plan is not hers to give.
    gold = {"plan": "Gold"}
    assert_error(
        send(api(world.rita), "put", f"{ACCOUNTS}/{alice}/plan", gold), 404, "not-found", "plan"
    )
    response = send(api(world.rita), "put", f"{ACCOUNTS}/{alice}/plan", body)
    assert response.json()["plan"] == "Rita-basic"
    # Nor bob hers, whom the admins manage.
    bob = world.bob_account.name
    response = send(api(world.rita), "put", f"{ACCOUNTS}/{bob}/plan", body)
    assert_error(response, 404, "not-found", "name")
    # An admin names the reseller whose plan it is, or is refused another reseller's.
    body = {"plan": "Rita-basic", "reseller": "rita"}
    assert_error(
        send(api(world.admin), "put", f"{ACCOUNTS}/{bob}/plan", body), 403, "foreign-plan", "plan"
    )


def test_a_read_only_token_reads_but_changes_nothing(world, api):
    made(api(world.admin), name="Gold")
    ro = api(world.admin, read_only=True)
    assert ro.get(URL).status_code == 200
    assert ro.get(f"{ACCOUNTS}/{world.bob_account.name}/usage").status_code == 200
    before = list(Plan.objects.values())
    for response in (
        send(ro, "post", URL, {"name": "Silver"}),
        send(ro, "put", f"{URL}/Gold", {"name": "Gold", "sites": 1}),
        ro.delete(f"{URL}/Gold"),
        send(ro, "put", f"{URL}/resellers/rita/totals", {"plan": "Gold"}),
        send(ro, "put", f"{ACCOUNTS}/{world.bob_account.name}/plan", {"plan": "Gold"}),
    ):
        assert_error(response, 403, "read-only", None)
    assert list(Plan.objects.values()) == before
    assert HostingAccount.objects.get(pk=world.bob_account.pk).plan.is_default


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sites": 1}, "name"),
        ({"name": "<b>"}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "Bad", "sites": -1}, "sites"),
        ({"name": "Bad", "dns_zones": 10**10}, "dns_zones"),
        ({"name": "Bad", "sites": "3"}, "sites"),
        ({"name": "Bad", "php_versions": ["8.2;id"]}, "php_versions.0"),
        ({"name": "Bad", "php_versions": "8.2"}, "php_versions"),
        ({"name": "Bad", "php_max_children": 999}, "php_max_children"),
        ({"name": "Bad", "php_memory_limit_mb": 1}, "php_memory_limit_mb"),
        ({"name": "Bad", "shell_access": "yes"}, "shell_access"),
        ({"name": "Bad", "is_default": 1}, "is_default"),
        ({"name": "Bad", "owner": "rita"}, "owner"),
        # A rule between two fields: the service's own check.
        (
            {"name": "Bad", "mailbox_quota_default_mb": 9, "mailbox_quota_max_mb": 5},
            "mailbox_quota_default_mb",
        ),
    ],
)
def test_an_invalid_plan_is_a_400_naming_the_field(world, api, body, field):
    response = send(api(world.admin), "post", URL, body)
    assert_error(response, 400, "validation", field)
    assert not Plan.objects.filter(name="Bad").exists()


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (f"{URL}/Unlimited", {"name": "Unlimited", "is_default": "yes"}, "is_default"),
        (f"{URL}/resellers/rita/totals", {}, "plan"),
        (f"{URL}/resellers/rita/totals", {"plan": "Gold", "extra": 1}, "extra"),
        (f"{ACCOUNTS}/sctnobody/plan", {}, "plan"),
        (f"{ACCOUNTS}/sctnobody/plan", {"plan": ""}, "plan"),
        (f"{ACCOUNTS}/sctnobody/plan", {"plan": "Gold", "reseller": 7}, "reseller"),
    ],
)
def test_an_invalid_put_is_a_400_naming_the_field(world, api, url, body, field):
    assert_error(send(api(world.admin), "put", url, body), 400, "validation", field)


def test_a_path_that_is_no_plans_name_is_a_400_naming_it(world, api):
    assert_error(api(world.admin).get(f"{URL}/%3Cb%3E"), 400, "validation", "name")


def test_the_usage_shows_the_plans_limits_and_what_the_account_holds(world, api, zone_name):
    dns.create_zone(world.bob, NewZone(zone_name()))
    bob = world.bob_account.name
    response = api(world.bob).get(f"{ACCOUNTS}/{bob}/usage")
    assert response.json()["plan"] == "Unlimited"
    found = limits(response)
    assert (found["dns_zones"], found["sites"]) == ((None, 1), (None, 0))
    # No module counts mailboxes yet.
    assert found["mailboxes"] == (None, None)
    plans.create_plan(world.admin, PlanValues("Small", dns_zones=3, sites=1))
    plans.set_plan(world.admin, bob, "Small")
    response = api(world.admin).get(f"{ACCOUNTS}/{bob}/usage")
    assert response.json()["plan"] == "Small"
    assert limits(response)["dns_zones"] == (3, 1)
    # Nobody else's account: not found, exactly as one that does not exist.
    for client in (api(world.alice), api(world.rita)):
        assert_error(client.get(f"{ACCOUNTS}/{bob}/usage"), 404, "not-found", "name")


def test_an_account_is_created_on_the_plan_it_names(world, api, account_name):
    admin = api(world.admin)
    made(admin, name="Gold")
    name = account_name()
    response = send(admin, "post", ACCOUNTS, {"name": name, "password": PASSWORD, "plan": "Gold"})
    assert response.status_code == 201, response.content
    assert response.json()["plan"] == "Gold"
    assert HostingAccount.objects.get(name=name).plan.name == "Gold"
    listed = {a["name"]: a["plan"] for a in admin.get(ACCOUNTS).json()["items"]}
    assert listed == {
        name: "Gold",
        world.alice_account.name: "Unlimited",
        world.bob_account.name: "Unlimited",
    }
    assert admin.get(f"{URL}/Gold").json()["accounts"] == 1


def test_an_account_on_no_such_plan_or_one_without_shell_is_refused(world, api, account_name):
    admin = api(world.admin)
    name = account_name()
    body = {"name": name, "password": PASSWORD, "plan": "Nothing"}
    assert_error(send(admin, "post", ACCOUNTS, body), 404, "not-found", "plan")
    made(admin, name="No shell")
    body = {"name": name, "password": PASSWORD, "plan": "No shell", "login_shell": True}
    assert_error(send(admin, "post", ACCOUNTS, body), 403, "limit-reached", "login_shell")
    assert not user_exists(name)


def test_a_reseller_with_totals_names_the_plan_of_a_new_account(world, api, account_name):
    plans.create_plan(world.admin, PlanValues("Rita", sites=3))
    plans.set_totals(world.admin, "rita", "Rita")
    rita = api(world.rita)
    body = {"name": account_name(), "password": PASSWORD}
    assert_error(send(rita, "post", ACCOUNTS, body), 400, "plan-required", "plan")
    made(rita, name="Rita one", sites=1)
    response = send(rita, "post", ACCOUNTS, {**body, "plan": "Rita one"})
    assert response.status_code == 201, response.content
    assert response.json()["plan"] == "Rita one"


def test_the_inputs_defaults_are_the_services():
    assert PlanIn(name="x").values() == PlanValues("x")
    assert NewPlanIn(name="x", is_default=True).values() == PlanValues("x")


def test_requests_without_credentials_get_401(world):
    client = Client()
    for response in (client.get(URL), send(client, "post", URL, {"name": "Gold"})):
        assert_error(response, 401, "unauthenticated", None)
