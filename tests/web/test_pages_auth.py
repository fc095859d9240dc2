"""Signing in and out through the pages: passwords, throttling, two-factor, CSRF, audit."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from django.test import Client

from supercp.web.core import security
from supercp.web.core.authz import Actor
from supercp.web.core.models import AuditEvent, Role
from supercp.web.core.views import PENDING_2FA
from tests.web.conftest import PASSWORD, Pages, make_user

IP = "192.0.2.50"


@pytest.fixture
def ada():
    return Actor(make_user("ada", Role.ADMIN), ip=IP)


def sign_in(pages, username: str, password: str, ip: str = IP):
    browser = pages(REMOTE_ADDR=ip)
    return browser, browser.post("/login", {"username": username, "password": password})


def logged_in(browser: Pages) -> bool:
    return browser.get("/").status_code == 200


def with_two_factor(actor: Actor) -> pyotp.TOTP:
    """Turn 2FA on for the actor as the profile page would; the authenticator's TOTP."""
    security.start_two_factor(actor)
    setup = security.pending_setup(actor.user)
    assert setup is not None
    totp = pyotp.TOTP(setup.secret)
    # The previous time step (within the allowed drift), so that the current one is still
    # unused for the sign-in that follows.
    codes = security.enable_two_factor(actor, totp.at(time.time() - 30))
    assert len(codes) == security.RECOVERY_CODES
    with_two_factor.codes = codes  # type: ignore[attr-defined]
    return totp


def test_the_login_page_is_a_page_with_nobody_signed_in(pages):
    page = pages().page("/login")
    assert page["component"] == "Auth/Login"
    assert page["props"]["auth"] == {"user": None}
    assert page["props"]["flash"] == {"success": None, "error": None}
    assert page["props"]["errors"] == {}


def test_a_right_password_signs_in_and_is_audited(pages, ada):
    browser, response = sign_in(pages, "ada", PASSWORD)
    assert response.status_code == 303
    assert response["Location"] == "/"
    page = browser.page("/")
    assert page["props"]["auth"]["user"] == {
        "username": "ada",
        "email": "ada@example.test",
        "role": "admin",
        "two_factor": False,
    }
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.actor, event.ip, event.target) == (ada.user, IP, "ada")
    assert event.details == {"second_factor": None}


def test_a_wrong_password_is_a_field_error_and_is_audited(pages, ada):
    browser, response = sign_in(pages, "ada", "not the password")
    page = browser.follow(response)
    assert page["component"] == "Auth/Login"
    assert page["props"]["errors"] == {"username": "The username or password is wrong."}
    assert not logged_in(browser)
    event = AuditEvent.objects.get(action="auth.login-failed")
    assert (event.actor, event.actor_name, event.ip, event.target) == (None, "", IP, "ada")
    # The errors are shown once.
    assert browser.page("/login")["props"]["errors"] == {}


def test_an_unknown_user_gets_the_same_answer(pages):
    browser, response = sign_in(pages, "nobody", PASSWORD)
    assert browser.follow(response)["props"]["errors"] == {
        "username": "The username or password is wrong."
    }


def test_five_failures_lock_the_account_even_for_the_right_password(pages, ada):
    for _ in range(security.ACCOUNT_LIMIT):
        sign_in(pages, "ada", "wrong password")
    browser, response = sign_in(pages, "ada", PASSWORD)
    error = browser.follow(response)["props"]["errors"]["username"]
    assert error.startswith("Too many failed sign-ins. Try again in 15 minutes")
    assert not logged_in(browser)
    assert AuditEvent.objects.filter(action="auth.login-throttled", target="ada").count() == 1
    # The lock is the account's: another login from the same address still works.
    make_user("bea", Role.ADMIN)
    browser, _ = sign_in(pages, "bea", PASSWORD)
    assert logged_in(browser)


def test_the_account_lock_ends_after_the_window(pages, ada, monkeypatch):
    for _ in range(security.ACCOUNT_LIMIT):
        sign_in(pages, "ada", "wrong password")
    later = security.now() + security.WINDOW + timedelta(seconds=1)
    monkeypatch.setattr(security, "now", lambda: later)
    browser, _ = sign_in(pages, "ada", PASSWORD)
    assert logged_in(browser)


def test_a_successful_sign_in_starts_the_account_count_again(pages, ada):
    for _ in range(security.ACCOUNT_LIMIT - 1):
        sign_in(pages, "ada", "wrong password")
    assert logged_in(sign_in(pages, "ada", PASSWORD)[0])
    for _ in range(security.ACCOUNT_LIMIT - 1):
        sign_in(pages, "ada", "wrong password")
    assert logged_in(sign_in(pages, "ada", PASSWORD)[0])


def test_twenty_failures_lock_the_address_for_every_account(pages, ada):
    for i in range(security.IP_LIMIT):
        sign_in(pages, f"guess{i}", "wrong password")
    browser, response = sign_in(pages, "ada", PASSWORD)
    assert "Too many failed sign-ins" in browser.follow(response)["props"]["errors"]["username"]
    assert not logged_in(browser)
    # Another address is not locked.
    assert logged_in(sign_in(pages, "ada", PASSWORD, ip="192.0.2.51")[0])


def test_a_user_with_two_factor_is_not_signed_in_by_the_password_alone(pages, ada):
    totp = with_two_factor(ada)
    browser, response = sign_in(pages, "ada", PASSWORD)
    assert response["Location"] == "/login/2fa"
    assert not logged_in(browser)
    assert browser.client.get("/api/v1/accounts").status_code == 401
    assert browser.page("/login/2fa")["component"] == "Auth/TwoFactor"

    response = browser.post("/login/2fa", {"code": totp.now()})
    assert (response.status_code, response["Location"]) == (303, "/")
    assert browser.page("/")["props"]["auth"]["user"]["two_factor"] is True
    event = AuditEvent.objects.get(action="auth.login")
    assert event.details == {"second_factor": "totp"}


def test_a_wrong_code_is_a_field_error_and_counts_as_a_failure(pages, ada):
    with_two_factor(ada)
    browser, _ = sign_in(pages, "ada", PASSWORD)
    response = browser.post("/login/2fa", {"code": "000000"})
    page = browser.follow(response)
    assert page["component"] == "Auth/TwoFactor"
    assert page["props"]["errors"] == {"code": "That code is wrong or was used already."}
    assert not logged_in(browser)
    assert AuditEvent.objects.filter(action="auth.2fa-failed", target="ada", ip=IP).count() == 1


def test_a_recovery_code_works_once(pages, ada):
    with_two_factor(ada)
    code = with_two_factor.codes[0]  # type: ignore[attr-defined]
    browser, _ = sign_in(pages, "ada", PASSWORD)
    response = browser.post("/login/2fa", {"code": code.upper()})
    assert (response.status_code, response["Location"]) == (303, "/")
    assert security.recovery_codes_left(ada.user) == security.RECOVERY_CODES - 1
    assert AuditEvent.objects.get(action="auth.login").details == {"second_factor": "recovery-code"}

    browser, _ = sign_in(pages, "ada", PASSWORD)
    response = browser.post("/login/2fa", {"code": code})
    assert browser.follow(response)["props"]["errors"]["code"]
    assert not logged_in(browser)


def test_the_second_step_expires(pages, ada):
    totp = with_two_factor(ada)
    browser, _ = sign_in(pages, "ada", PASSWORD)
    session = browser.client.session
    session[PENDING_2FA] = {**session[PENDING_2FA], "at": time.time() - 600}
    session.save()
    response = browser.post("/login/2fa", {"code": totp.now()})
    assert response["Location"] == "/login"
    assert not logged_in(browser)
    assert browser.get("/login/2fa")["Location"] == "/login"


def test_the_second_step_without_a_first_goes_to_the_login(pages):
    assert pages().get("/login/2fa")["Location"] == "/login"


def test_logout_ends_the_session_and_is_audited(pages, ada):
    browser, _ = sign_in(pages, "ada", PASSWORD)
    assert logged_in(browser)
    assert browser.client.get("/logout").status_code == 405
    response = browser.post("/logout")
    assert response["Location"] == "/login"
    assert not logged_in(browser)
    assert AuditEvent.objects.get(action="auth.logout").actor == ada.user


def test_pages_send_anonymous_visitors_to_the_login(pages):
    for url in ("/", "/accounts", "/resellers", "/tokens", "/audit", "/profile"):
        response = pages().get(url)
        assert (response.status_code, response["Location"]) == (303, "/login"), url


def test_a_signed_in_user_visiting_the_login_goes_to_the_dashboard(pages, ada):
    assert pages(ada).get("/login")["Location"] == "/"


def test_posts_without_the_csrf_token_change_nothing(ada):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP)
    response = client.post(
        "/login", {"username": "ada", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    # From Inertia, the browser is sent back with a message instead.
    response = client.post(
        "/login",
        {"username": "ada", "password": PASSWORD},
        content_type="application/json",
        headers={"X-Inertia": "true", "Referer": "http://testserver/login"},
    )
    assert (response.status_code, response["Location"]) == (303, "/login")
    page = Pages(client).page("/login")
    assert page["props"]["flash"]["error"] == "The page had expired. Please try again."

    # With the cookie Inertia reads and the header it sends, the same request goes through.
    token = client.cookies["XSRF-TOKEN"].value
    response = client.post(
        "/login",
        {"username": "ada", "password": PASSWORD},
        content_type="application/json",
        headers={"X-Inertia": "true", "X-XSRF-TOKEN": token},
    )
    assert (response.status_code, response["Location"]) == (303, "/")


def test_a_body_that_is_not_the_form_is_a_field_error(pages, ada):
    browser = pages()
    response = browser.post("/login", {"username": "ada", "password": 5, "extra": 1})
    errors = browser.follow(response)["props"]["errors"]
    assert set(errors) == {"password", "extra"}
    assert errors["extra"] == "unknown field"
