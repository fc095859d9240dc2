"""/api/v1/accounts for every role, through the HTTP stack with tokens and sessions."""

from __future__ import annotations

import pytest
from django.test import Client

from supercp.protocol.accounts import ENSURE, EnsureParams
from supercp.protocol.client import DaemonClient
from supercp.web.accounts.models import HostingAccount, State
from supercp.web.accounts.schemas import AccountOut, AccountPage
from tests.web.conftest import PASSWORD, SOCKET, system_account, user_exists

URL = "/api/v1/accounts"


def listed(client: Client, **query: str | int) -> list[str]:
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return [a["name"] for a in response.json()["items"]]


def assert_not_found(response, name: str) -> None:
    assert response.status_code == 404, response.content
    assert response.json() == {
        "error": {"code": "not-found", "message": f"no account '{name}'", "field": "name"}
    }


def test_the_admin_creates_an_account_that_id_shows(world, api, account_name):
    name = account_name()
    response = api(world.admin).post(
        URL,
        {"name": name, "email": "carol@example.test", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == name
    assert body["state"] == "active"
    assert body["reseller"] is None
    assert user_exists(name)


def test_a_reseller_creates_accounts_they_then_own(world, api, account_name):
    name = account_name()
    response = api(world.rita).post(
        URL, {"name": name, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["reseller"] == "rita"
    assert set(listed(api(world.rita))) == {world.alice_account.name, name}


def test_a_reseller_over_the_limit_gets_403(world, api, account_name):
    world.rita.user.max_accounts = 1
    world.rita.user.save()
    name = account_name()
    response = api(world.rita).post(
        URL, {"name": name, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "account-limit"
    assert not user_exists(name)


def test_alice_lists_only_her_own_account(world, api):
    assert listed(api(world.alice)) == [world.alice_account.name]


def test_alice_cannot_find_bobs_account_by_search(world, api):
    alice = api(world.alice)
    for search in (world.bob_account.name, "bob", "sct", "example"):
        assert world.bob_account.name not in listed(alice, search=search)
    response = alice.get(URL, {"search": world.bob_account.name})
    assert response.json()["total"] == 0


def test_alice_cannot_read_bobs_account(world, api):
    bob = world.bob_account.name
    alice = api(world.alice)
    assert_not_found(alice.get(f"{URL}/{bob}"), bob)
    # Guessing: a name that exists nowhere answers exactly the same.
    assert_not_found(alice.get(f"{URL}/sctnosuchname"), "sctnosuchname")


@pytest.mark.parametrize(
    ("method", "suffix"), [("post", "/suspend"), ("post", "/unsuspend"), ("delete", "")]
)
def test_alice_cannot_change_or_delete_bobs_account(world, api, method, suffix):
    bob = world.bob_account.name
    response = getattr(api(world.alice), method)(f"{URL}/{bob}{suffix}")
    assert_not_found(response, bob)
    assert HostingAccount.objects.get(name=bob).state == State.ACTIVE
    assert system_account(bob)["suspended"] is False


def test_alice_cannot_read_bobs_account_through_her_session_either(world):
    client = Client()
    client.force_login(world.alice.user)
    bob = world.bob_account.name
    assert_not_found(client.get(f"{URL}/{bob}"), bob)
    assert client.get(URL).json()["items"][0]["name"] == world.alice_account.name


def test_a_reseller_cannot_see_or_change_accounts_of_others(world, api):
    rita = api(world.rita)
    bob = world.bob_account.name
    assert listed(rita) == [world.alice_account.name]
    assert_not_found(rita.get(f"{URL}/{bob}"), bob)
    assert_not_found(rita.post(f"{URL}/{bob}/suspend"), bob)
    assert_not_found(rita.delete(f"{URL}/{bob}"), bob)
    assert user_exists(bob)


def test_suspend_unsuspend_and_delete_through_the_api(world, api):
    rita = api(world.rita)
    name = world.alice_account.name
    response = rita.post(f"{URL}/{name}/suspend")
    assert response.status_code == 200
    assert response.json()["state"] == "suspended"
    assert system_account(name)["suspended"] is True
    assert rita.post(f"{URL}/{name}/unsuspend").json()["state"] == "active"
    assert system_account(name)["suspended"] is False
    response = rita.delete(f"{URL}/{name}")
    assert response.status_code == 204
    assert not user_exists(name)
    assert_not_found(rita.get(f"{URL}/{name}"), name)


def test_a_customer_gets_403_for_changing_their_own_account(world, api):
    name = world.alice_account.name
    response = api(world.alice).post(f"{URL}/{name}/suspend")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_pagination_and_search(world, api, account_name):
    admin = api(world.admin)
    for _ in range(3):
        name = account_name()
        response = admin.post(
            URL, {"name": name, "password": PASSWORD}, content_type="application/json"
        )
        assert response.status_code == 201
    body = admin.get(URL, {"search": "sct", "per_page": 2, "page": 3}).json()
    assert body["total"] == 5
    assert (body["page"], body["per_page"], len(body["items"])) == (3, 2, 1)
    assert listed(admin, search=name) == [name]


def test_the_lists_json_is_the_account_schemas(world, api):
    # The list is serialized from the service's rows, not through AccountOut
    # (accounts/api.py): the same JSON, field for field.
    HostingAccount.objects.filter(pk=world.alice_account.pk).update(login_shell=True)
    response = api(world.admin).get(URL, {"per_page": 100})
    accounts = HostingAccount.objects.select_related("user", "reseller").order_by("name")
    expected = AccountPage(
        items=[AccountOut.of(a) for a in accounts], total=accounts.count(), page=1, per_page=100
    )
    assert response.content == expected.model_dump_json().encode()
    assert AccountPage.model_validate_json(response.content) == expected


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"name": "Bad;Name", "password": PASSWORD}, "name", "invalid-name"),
        ({"name": "sctokname", "password": "short"}, "password", "weak-password"),
        ({"name": "sctokname", "password": PASSWORD, "color": "red"}, "color", "validation"),
        (
            {"name": "sctokname", "password": PASSWORD, "login_shell": "yes"},
            "login_shell",
            "validation",
        ),
        ({"password": PASSWORD}, "name", "validation"),
        ({"name": "sctokname", "password": PASSWORD, "email": "nope"}, "email", "validation"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(world, api, body, field, code):
    response = api(world.admin).post(URL, body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]


@pytest.mark.parametrize(
    ("query", "field"), [({"page": 0}, "page"), ({"per_page": 101}, "per_page")]
)
def test_invalid_query_parameters_are_a_400_naming_the_field(world, api, query, field):
    response = api(world.admin).get(URL, query)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_a_name_the_daemon_reserves_is_a_400_with_its_code(world, api):
    response = api(world.admin).post(
        URL, {"name": "postfix", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reserved-name"
    assert not HostingAccount.objects.filter(name="postfix").exists()


def assert_name_taken(response, message: str) -> None:
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "account-exists",
        "message": message,
        "field": "name",
    }


def test_a_taken_name_is_a_409(world, api):
    name = world.bob_account.name
    response = api(world.admin).post(
        URL, {"name": name, "password": PASSWORD}, content_type="application/json"
    )
    assert_name_taken(response, f"the name '{name}' is taken")


def test_a_name_the_system_has_outside_the_panel_is_a_409_and_not_adopted(world, api, account_name):
    name = account_name()
    with DaemonClient(SOCKET) as c:
        made = c.invoke(ENSURE, EnsureParams(name=name)).account
    response = api(world.admin).post(
        URL,
        {"name": name, "password": PASSWORD, "login_shell": True},
        content_type="application/json",
    )
    assert_name_taken(response, f"the system has an account '{name}' already")
    assert not HostingAccount.objects.filter(name=name).exists()
    assert system_account(name) == made.model_dump(mode="json")  # untouched: still no shell


def test_an_unreachable_daemon_is_a_503_and_nothing_is_kept(world, api, settings, tmp_path):
    settings.SUPERCP_DAEMON_SOCKET = tmp_path / "nothing.sock"
    response = api(world.admin).post(
        URL, {"name": "sctnodaemon", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert not HostingAccount.objects.filter(name="sctnodaemon").exists()


def test_requests_without_credentials_get_401(world):
    client = Client()
    for response in (client.get(URL), client.post(f"{URL}/x/suspend")):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


# Outside /api/ the panel's pages answer with HTML (tests/web/test_pages.py).
@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/nothing-here"])
def test_an_unknown_path_is_a_json_404(world, api, path):
    response = api(world.admin).get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not-found"
