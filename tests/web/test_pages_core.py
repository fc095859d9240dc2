"""Resellers, API tokens, the audit log and the profile page, for every role."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from supercp.protocol.errors import Forbidden
from supercp.web.core import audit, services
from supercp.web.core.models import ApiToken, AuditEvent, Role, User
from tests.web.conftest import PASSWORD

# --- resellers -----------------------------------------------------------------------------


def test_the_admin_sees_resellers_with_their_accounts(pages, world):
    page = pages(world.admin).page("/resellers")
    assert page["component"] == "Resellers/Index"
    assert page["props"]["resellers"] == [
        {"username": "rita", "email": "rita@example.test", "max_accounts": 3, "accounts": 1}
    ]


def test_the_admin_creates_a_reseller(pages, world):
    browser = pages(world.admin)
    response = browser.post(
        "/resellers",
        {"username": "rex", "email": "rex@example.test", "password": PASSWORD, "max_accounts": 5},
    )
    page = browser.follow(response)
    assert page["props"]["flash"]["success"] == "Created reseller rex."
    rex = User.objects.get(username="rex")
    assert (rex.role, rex.max_accounts, rex.check_password(PASSWORD)) == (Role.RESELLER, 5, True)
    event = AuditEvent.objects.get(action="user.create", target="rex")
    assert event.actor == world.admin.user
    assert event.details == {"role": "reseller", "max_accounts": 5}


def test_a_reseller_without_a_limit(pages, world):
    pages(world.admin).post(
        "/resellers", {"username": "rex", "password": PASSWORD, "max_accounts": None}
    )
    assert User.objects.get(username="rex").max_accounts is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "rita", "password": PASSWORD}, "username"),
        ({"username": "bad name!", "password": PASSWORD}, "username"),
        ({"username": "rex", "password": "short"}, "password"),
        ({"username": "rex", "password": PASSWORD, "email": "nope"}, "email"),
        ({"username": "rex", "password": PASSWORD, "max_accounts": "5"}, "max_accounts"),
        ({"username": "rex", "password": PASSWORD, "max_accounts": -1}, "max_accounts"),
    ],
)
def test_bad_reseller_input_is_an_error_at_its_field(pages, world, body, field):
    browser = pages(world.admin)
    errors = browser.follow(browser.post("/resellers", body))["props"]["errors"]
    assert list(errors) == [field]
    assert not User.objects.filter(username="rex").exists()


@pytest.mark.parametrize("who", ["rita", "alice"])
def test_only_admins_reach_the_resellers(pages, world, who):
    browser = pages(getattr(world, who))
    assert browser.get("/resellers").status_code == 403
    response = browser.post(
        "/resellers", {"username": "rex", "password": PASSWORD}, Referer="http://testserver/"
    )
    assert browser.follow(response)["props"]["flash"]["error"] == "your role may not do this"
    assert not User.objects.filter(username="rex").exists()


def test_list_resellers_is_for_admins_only(world):
    with pytest.raises(Forbidden):
        services.list_resellers(world.rita)
    assert [r.user.username for r in services.list_resellers(world.admin)] == ["rita"]


# --- API tokens ------------------------------------------------------------------------------


def test_the_tokens_page_lists_only_your_own(pages, world, token_for):
    token_for(world.alice)
    token_for(world.bob)
    props = pages(world.alice).page("/tokens")["props"]
    assert props["new_token"] is None
    assert len(props["tokens"]) == 1
    token = props["tokens"][0]
    assert set(token) == {
        "id",
        "name",
        "read_only",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked",
    }
    assert ApiToken.objects.get(public_id=token["id"]).user == world.alice.user


def test_a_new_token_is_shown_once_and_works(pages, world):
    browser = pages(world.alice)
    response = browser.post("/tokens", {"name": "deploy", "read_only": True, "expires_days": 30})
    assert response.status_code == 200
    page = response.json()
    assert (page["component"], page["url"]) == ("Tokens/Index", "/tokens")
    assert page["encryptHistory"] is True
    plaintext = page["props"]["new_token"]
    assert plaintext.startswith("scp_")
    assert [t["name"] for t in page["props"]["tokens"]] == ["deploy"]
    assert page["props"]["tokens"][0]["read_only"] is True
    api = Client(headers={"authorization": f"Bearer {plaintext}"})
    assert api.get("/api/v1/accounts").status_code == 200
    # Never again: not on the next page, and nowhere in the session.
    assert browser.page("/tokens")["props"]["new_token"] is None
    assert plaintext not in str(dict(browser.client.session))


def test_a_bad_token_expiry_is_an_error_at_its_field(pages, world):
    browser = pages(world.alice)
    response = browser.post("/tokens", {"name": "x", "expires_days": 0})
    assert list(browser.follow(response)["props"]["errors"]) == ["expires_days"]


def test_revoking_a_token_and_not_someone_elses(pages, world, token_for):
    token_for(world.alice)
    token_for(world.bob)
    mine = ApiToken.objects.get(user=world.alice.user)
    bobs = ApiToken.objects.get(user=world.bob.user)
    browser = pages(world.alice)
    assert browser.delete(f"/tokens/{bobs.public_id}").status_code == 404
    response = browser.delete(f"/tokens/{mine.public_id}")
    assert response["Location"] == "/tokens"
    page = browser.follow(response)
    assert page["props"]["tokens"][0]["revoked"] is True
    assert ApiToken.objects.get(pk=bobs.pk).revoked_at is None


# --- audit log -----------------------------------------------------------------------------


def test_the_admin_browses_the_audit_log(pages, world):
    props = pages(world.admin).page("/audit")["props"]
    events = props["events"]
    assert (events["page"], events["pages"], events["action"]) == (1, 1, "")
    creates = [e for e in events["items"] if e["action"] == "account.create"]
    assert {e["target"] for e in creates} == {world.alice_account.name, world.bob_account.name}
    by_rita = next(e for e in creates if e["target"] == world.alice_account.name)
    assert (by_rita["actor"], by_rita["ip"]) == ("rita", "192.0.2.2")
    assert set(by_rita) == {"time", "actor", "ip", "action", "target", "details"}


def test_the_audit_log_filters_by_action_and_pages(pages, world):
    browser = pages(world.admin)
    events = browser.page("/audit", action="account.create")["props"]["events"]
    assert {e["action"] for e in events["items"]} == {"account.create"}
    assert events["action"] == "account.create"
    for i in range(services.AUDIT_PER_PAGE):
        audit.record(world.admin, "test.filler", str(i))
    assert browser.page("/audit")["props"]["events"]["pages"] == 2
    second = browser.page("/audit", page=2)["props"]["events"]
    assert second["page"] == 2
    assert second["items"]


@pytest.mark.parametrize("who", ["rita", "alice", "bob"])
def test_only_admins_reach_the_audit_log(pages, world, who):
    assert pages(getattr(world, who)).get("/audit").status_code == 403


# --- profile and security ------------------------------------------------------------------


def test_the_profile_page_without_two_factor(pages, world):
    page = pages(world.bob).page("/profile")
    assert page["component"] == "Profile/Security"
    assert page["props"]["two_factor"] == {"enabled": False, "recovery_codes_left": 0}
    assert page["props"]["setup"] is None
    assert page["props"]["recovery_codes"] is None


def test_turning_two_factor_on_and_off(pages, world):
    browser = pages(world.bob)
    response = browser.post("/profile/2fa/setup")
    assert response["Location"] == "/profile"
    setup = browser.page("/profile")["props"]["setup"]
    assert setup["otpauth_uri"].startswith("otpauth://totp/GetSuperCP")
    assert f"secret={setup['secret']}" in setup["otpauth_uri"]
    assert setup["qr_svg"].startswith("<svg")

    wrong = browser.post("/profile/2fa/enable", {"code": "000000"})
    assert list(browser.follow(wrong)["props"]["errors"]) == ["code"]

    response = browser.post("/profile/2fa/enable", {"code": pyotp.TOTP(setup["secret"]).now()})
    page = browser.follow(response)
    props = page["props"]
    assert props["two_factor"] == {"enabled": True, "recovery_codes_left": 10}
    assert len(props["recovery_codes"]) == 10
    assert props["setup"] is None
    assert props["auth"]["user"]["two_factor"] is True
    assert page["encryptHistory"] is True
    # The codes are shown once.
    assert browser.page("/profile")["props"]["recovery_codes"] is None
    assert AuditEvent.objects.filter(action="user.2fa-enable", target=world.bob.user.username)

    # Setting up again while it is on is refused with a message.
    response = browser.post("/profile/2fa/setup")
    assert browser.follow(response)["props"]["flash"]["error"]

    wrong = browser.post("/profile/2fa/disable", {"password": "not it"})
    assert list(browser.follow(wrong)["props"]["errors"]) == ["password"]
    response = browser.post("/profile/2fa/disable", {"password": PASSWORD})
    props = browser.follow(response)["props"]
    assert props["two_factor"] == {"enabled": False, "recovery_codes_left": 0}
    assert AuditEvent.objects.filter(action="user.2fa-disable").exists()


def test_changing_the_password(pages, world):
    browser = pages(world.bob)
    wrong = browser.post(
        "/profile/password", {"current_password": "nope", "new_password": "a new long password"}
    )
    assert wrong["Location"] == "/profile"
    assert list(browser.follow(wrong)["props"]["errors"]) == ["current_password"]
    weak = browser.post("/profile/password", {"current_password": PASSWORD, "new_password": "x"})
    assert list(browser.follow(weak)["props"]["errors"]) == ["new_password"]

    other = pages(world.bob)  # another session of the same user
    new = "another horse battery staple"
    response = browser.post(
        "/profile/password", {"current_password": PASSWORD, "new_password": new}
    )
    assert browser.follow(response)["props"]["flash"]["success"] == "Your password was changed."
    world.bob.user.refresh_from_db()
    assert world.bob.user.check_password(new)
    # This session goes on; the other one ended with the old password.
    assert browser.get("/").status_code == 200
    assert other.get("/").status_code == 303
    assert AuditEvent.objects.filter(action="user.password-change").exists()
