"""The HTML shell, static files, error pages, the dashboard and the hosting accounts' pages."""

from __future__ import annotations

import json
import re

from django.test import Client, override_settings

from supercp.web.accounts import services as accounts
from supercp.web.accounts.models import HostingAccount, State
from supercp.web.core.models import AuditEvent
from supercp.web.modules import nav_for
from tests.web.conftest import PASSWORD, run_jobs, user_exists

# --- the shell, static files, errors ------------------------------------------------------


def test_a_first_visit_gets_the_html_shell_that_loads_the_build(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    # Vite's entry from the manifest (the tests' fixture build), under /static/.
    assert '<script type="module" crossorigin="" src="/static/assets/main-fixture1.js">' in html
    assert 'href="/static/assets/main-fixture2.css"' in html
    found = re.search(r'<script data-page="app" type="application/json">(.*?)</script>', html)
    assert found is not None
    page = json.loads(found.group(1))
    assert page["component"] == "Auth/Login"
    assert page["props"]["auth"] == {"user": None}
    assert page["props"]["nav"] == []
    assert '<div id="app"></div>' in html
    # Inertia's HTTP client reads the CSRF token from this cookie.
    assert "XSRF-TOKEN" in response.cookies
    assert "no-store" in response["Cache-Control"]


def test_the_build_is_served_by_the_panel_itself(client):
    response = client.get("/static/assets/main-fixture1.js")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert "immutable" in response["Cache-Control"]
    assert client.get("/static/assets/absent.js").status_code == 404


def test_an_unknown_page_is_an_html_404_and_the_api_keeps_json(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not-found"


def test_an_old_frontend_version_makes_inertia_reload_the_page(pages, world):
    response = pages(world.admin).client.get(
        "/", headers={"X-Inertia": "true", "X-Inertia-Version": "old"}
    )
    assert response.status_code == 409
    assert response["X-Inertia-Location"] == "http://testserver/"


# --- dashboard -------------------------------------------------------------------------------


def test_the_dashboard_shows_the_system_and_what_the_admin_may_count(pages, world):
    page = pages(world.admin).page("/")
    assert page["component"] == "Dashboard/Index"
    props = page["props"]
    assert props["counts"] == {"accounts": 2, "suspended": 0, "resellers": 1}
    assert props["daemon_error"] is None
    assert props["system"]["hostname"]
    assert {s["name"] for s in props["system"]["services"]} >= {"nginx", "mariadb"}
    assert props["auth"]["user"]["role"] == "admin"


def test_the_navigation_is_the_modules_links_that_the_role_sees(pages, world):
    def labels(actor) -> list[str]:
        nav = pages(actor).page("/")["props"]["nav"]
        assert nav == [{"label": i.label, "href": i.href} for i in nav_for(actor.user.role)]
        return [item["label"] for item in nav]

    admin, rita, alice = labels(world.admin), labels(world.rita), labels(world.alice)
    assert set(admin) - set(rita) == {"Resellers", "Audit log"}
    # A customer sees its plan on its account's page, not the plans.
    assert [label for label in rita if label != "Plans"] == alice
    assert admin[:5] == ["Dashboard", "Hosting accounts", "Plans", "Sites", "DNS"]
    assert admin[-3:] == ["API tokens", "Audit log", "Security"]


def test_a_customer_counts_only_their_own_account(pages, world):
    world.alice_account.state = State.SUSPENDED
    world.alice_account.save()
    props = pages(world.alice).page("/")["props"]
    assert props["counts"] == {"accounts": 1, "suspended": 1, "resellers": 0}


def test_the_dashboard_still_shows_when_the_daemon_is_away(pages, world, tmp_path):
    with override_settings(SUPERCP_DAEMON_SOCKET=tmp_path / "absent.sock"):
        props = pages(world.rita).page("/")["props"]
    assert props["system"] is None
    assert props["daemon_error"]
    assert props["counts"]["accounts"] == 1


# --- hosting accounts: list and show -----------------------------------------------------


def listed(browser, **query) -> list[str]:
    return [a["name"] for a in browser.page("/accounts", **query)["props"]["accounts"]["items"]]


def test_the_admin_lists_every_account_and_may_pick_a_reseller(pages, world):
    props = pages(world.admin).page("/accounts")["props"]
    names = {world.alice_account.name, world.bob_account.name}
    assert {a["name"] for a in props["accounts"]["items"]} == names
    alice = next(a for a in props["accounts"]["items"] if a["name"] == world.alice_account.name)
    assert alice == {
        "name": world.alice_account.name,
        "email": "alice@example.test",
        "state": "active",
        "reseller": "rita",
        "login_shell": False,
        # As the API writes it (AccountOut): UTC as Z.
        "created_at": world.alice_account.created_at.isoformat().replace("+00:00", "Z"),
        "plan": "Unlimited",
    }
    assert (props["accounts"]["page"], props["accounts"]["pages"]) == (1, 1)
    assert props["accounts"]["total"] == 2
    assert props["can_create"] is True
    assert props["resellers"] == [{"username": "rita"}]


def test_a_reseller_lists_only_their_customers(pages, world):
    props = pages(world.rita).page("/accounts")["props"]
    assert [a["name"] for a in props["accounts"]["items"]] == [world.alice_account.name]
    assert props["can_create"] is True
    assert props["resellers"] == []


def test_a_customer_lists_only_their_own_account_and_cannot_create(pages, world):
    browser = pages(world.alice)
    assert listed(browser) == [world.alice_account.name]
    assert listed(browser, search=world.bob_account.name) == []
    assert browser.page("/accounts")["props"]["can_create"] is False


def test_search_and_page_numbers(pages, world):
    browser = pages(world.admin)
    assert listed(browser, search=world.bob_account.name) == [world.bob_account.name]
    assert listed(browser, search="example.test", page="abc") != []
    assert listed(browser, page=2) == []
    props = browser.page("/accounts", search=world.bob_account.name)["props"]
    assert props["accounts"]["search"] == world.bob_account.name


def test_an_account_page_shows_the_system_side(pages, world):
    name = world.alice_account.name
    account = pages(world.alice).page(f"/accounts/{name}")["props"]["account"]
    assert account["name"] == name
    assert account["uid"] >= 1000
    assert account["home"] == f"/home/{name}"
    assert account["shell"] == "/usr/sbin/nologin"


def test_alice_cannot_see_bobs_account_page(pages, world):
    response = pages(world.alice).get(f"/accounts/{world.bob_account.name}")
    assert response.status_code == 404
    # Exactly as for a name that does not exist.
    assert pages(world.alice).get("/accounts/sctnosuchname").status_code == 404
    assert pages(world.rita).get(f"/accounts/{world.bob_account.name}").status_code == 404


# --- hosting accounts: changes -------------------------------------------------------------


def test_the_admin_creates_an_account_through_the_page(pages, world, account_name):
    name = account_name()
    browser = pages(world.admin)
    response = browser.post(
        "/accounts", {"name": name, "email": "carol@example.test", "password": PASSWORD}
    )
    assert response["Location"] == "/accounts"
    page = browser.follow(response)
    assert page["props"]["flash"]["success"] == f"Created hosting account {name}."
    assert name in [a["name"] for a in page["props"]["accounts"]["items"]]
    assert user_exists(name)


def test_the_admin_gives_a_new_account_to_a_reseller(pages, world, account_name):
    name = account_name()
    pages(world.admin).post("/accounts", {"name": name, "password": PASSWORD, "reseller": "rita"})
    assert HostingAccount.objects.get(name=name).reseller == world.rita.user


def test_a_bad_name_is_an_error_at_the_name_field(pages, world):
    browser = pages(world.admin)
    response = browser.post(
        "/accounts",
        {"name": "Bad;Name", "password": PASSWORD},
        Referer="http://testserver/accounts?page=1",
    )
    assert response["Location"] == "/accounts?page=1"
    errors = browser.follow(response)["props"]["errors"]
    assert list(errors) == ["name"]
    assert "a-z first" in errors["name"]


def test_field_errors_from_the_services_land_at_their_fields(pages, world, account_name):
    browser = pages(world.admin)
    name = account_name()
    weak = browser.post("/accounts", {"name": name, "password": "short"})
    assert list(browser.follow(weak)["props"]["errors"]) == ["password"]
    # An unknown reseller is a field error, not a 404 page.
    unknown = browser.post("/accounts", {"name": name, "password": PASSWORD, "reseller": "zed"})
    assert browser.follow(unknown)["props"]["errors"] == {"reseller": "no reseller 'zed'"}
    taken = browser.post("/accounts", {"name": world.bob_account.name, "password": PASSWORD})
    assert "is taken" in browser.follow(taken)["props"]["errors"]["name"]
    assert not user_exists(name)


def test_a_reseller_cannot_give_an_account_to_someone_else(pages, world, account_name):
    browser = pages(world.rita)
    response = browser.post(
        "/accounts", {"name": account_name(), "password": PASSWORD, "reseller": "other"}
    )
    assert list(browser.follow(response)["props"]["errors"]) == ["reseller"]


def test_a_customer_cannot_create_accounts(pages, world, account_name):
    browser = pages(world.alice)
    name = account_name()
    response = browser.post("/accounts", {"name": name, "password": PASSWORD})
    page = browser.follow(response)
    assert page["props"]["flash"]["error"] == "your role may not do this"
    assert not HostingAccount.objects.filter(name=name).exists()
    assert not user_exists(name)


def test_suspend_and_unsuspend_go_back_to_where_they_came_from(pages, world):
    name = world.bob_account.name
    browser = pages(world.admin)
    response = browser.post(f"/accounts/{name}/suspend")
    assert response["Location"] == f"/accounts/{name}"
    page = browser.follow(response)
    assert page["props"]["account"]["state"] == "suspended"
    assert page["props"]["flash"]["success"] == f"Suspended {name}."
    response = browser.post(f"/accounts/{name}/unsuspend", Referer="http://testserver/accounts")
    assert response["Location"] == "/accounts"
    assert HostingAccount.objects.get(name=name).state == State.ACTIVE


def test_alice_cannot_change_bobs_account_nor_her_own_state(pages, world):
    browser = pages(world.alice)
    bob = world.bob_account.name
    assert browser.post(f"/accounts/{bob}/suspend").status_code == 404
    assert browser.delete(f"/accounts/{bob}").status_code == 404
    own = world.alice_account.name
    response = browser.post(f"/accounts/{own}/suspend")
    assert browser.follow(response)["props"]["flash"]["error"] == (
        "customers cannot change their hosting account"
    )
    assert HostingAccount.objects.get(name=bob).state == State.ACTIVE
    assert HostingAccount.objects.get(name=own).state == State.ACTIVE


def test_deleting_an_account_is_a_job_that_removes_the_linux_user(pages, world):
    name = world.bob_account.name
    browser = pages(world.admin)
    response = browser.delete(f"/accounts/{name}")
    assert response.status_code == 303
    assert response["Location"].startswith("/jobs/")
    job = browser.follow(response)["props"]["job"]
    assert (job["name"], job["status"]) == (f"Delete hosting account {name}", "ready")
    # Nothing is removed until the worker runs the job.
    assert user_exists(name)
    assert run_jobs() == 1
    job = browser.page(response["Location"])["props"]["job"]
    assert (job["status"], job["progress"], job["error"]) == ("successful", 100, None)
    assert name in job["result"]
    assert not user_exists(name)
    assert not HostingAccount.objects.filter(name=name).exists()
    event = AuditEvent.objects.get(action="account.delete", target=name)
    # The job acted as the admin who asked, from where they asked (the test client's address).
    assert (event.actor_name, event.ip) == (world.admin.user.username, "127.0.0.1")


def test_changes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin.user)
    name = world.bob_account.name
    assert client.post(f"/accounts/{name}/suspend").status_code == 403
    assert client.delete(f"/accounts/{name}").status_code == 403
    assert HostingAccount.objects.get(name=name).state == State.ACTIVE
    assert user_exists(name)


# --- jobs -----------------------------------------------------------------------------------


def test_a_job_is_seen_only_by_who_started_it_and_by_admins(pages, world, account_name):
    extra = accounts.create_account(world.rita, account_name(), "carl@example.test", PASSWORD)
    response = pages(world.rita).delete(f"/accounts/{extra.name}")
    url = response["Location"]
    assert pages(world.rita).page(url)["props"]["job"]["status"] == "ready"
    assert pages(world.admin).page(url)["props"]["job"]["name"].endswith(extra.name)
    assert pages(world.alice).get(url).status_code == 404
    assert pages(world.bob).get("/jobs/not-a-uuid").status_code == 404
    run_jobs()
    assert not user_exists(extra.name)


def test_a_job_that_is_refused_in_the_worker_fails_with_the_reason(pages, world):
    name = world.alice_account.name
    response = pages(world.rita).delete(f"/accounts/{name}")
    # Between the request and the worker, rita loses the account to the admins.
    HostingAccount.objects.filter(name=name).update(reseller=None)
    run_jobs()
    job = pages(world.rita).page(response["Location"])["props"]["job"]
    assert job["status"] == "failed"
    assert job["error"] == f"no account '{name}'"
    assert job["result"] is None
    assert user_exists(name)
