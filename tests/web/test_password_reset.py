"""A forgotten password: the link by e-mail, the new password, and what cannot be abused."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from supercp.web.core import password_reset
from supercp.web.core.models import AuditEvent, Role
from tests.web.conftest import PASSWORD, make_user

IP = "192.0.2.60"
NEW_PASSWORD = "a brand new passphrase"  # noqa: S105 (the test's new password)


@pytest.fixture
def ada():
    return make_user("ada", Role.ADMIN)


def ask(pages, identifier: str, ip: str = IP) -> dict:
    """Ask for a link as a browser does; the page the answer leads to."""
    browser = pages(REMOTE_ADDR=ip)
    response = browser.post("/password/forgot", {"identifier": identifier})
    assert response.status_code == 303
    return browser.follow(response)


def link_in_mail() -> str:
    assert len(mail.outbox) == 1
    found = re.search(r"https?://\S+/password/reset/\S+", str(mail.outbox[0].body))
    assert found is not None
    return found.group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_the_sign_in_page_leads_to_the_form(pages):
    assert pages().page("/password/forgot")["component"] == "Auth/Forgot"


def test_a_link_is_mailed_to_the_account_named_by_user_name_or_e_mail(pages, ada):
    page = ask(pages, "ADA@example.test")
    assert page["component"] == "Auth/Login"
    assert "a link to reset its password is on its way" in page["props"]["flash"]["success"]
    assert mail.outbox[0].to == ["ada@example.test"]
    assert "'ada'" in mail.outbox[0].body
    assert link_in_mail().startswith("http://testserver/password/reset/")
    assert AuditEvent.objects.filter(action="auth.reset-requested", ip=IP).count() == 1


def test_an_unknown_name_gets_the_same_answer_and_no_mail(pages, ada):
    known = ask(pages, "ada")
    mail.outbox.clear()
    unknown = ask(pages, "nobody@example.test", ip="192.0.2.61")
    assert known["props"]["flash"] == unknown["props"]["flash"]
    assert mail.outbox == []


def test_a_mail_server_that_is_not_there_changes_nothing_the_asker_sees(pages, ada, monkeypatch):
    unknown = ask(pages, "nobody@example.test", ip="192.0.2.62")

    def refused(*args: object, **kwargs: object) -> int:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(password_reset, "send_mail", refused)
    known = ask(pages, "ada")
    assert known["props"]["flash"] == unknown["props"]["flash"]
    event = AuditEvent.objects.get(action="auth.reset-mail-failed")
    assert (event.target, event.ip, event.details) == (
        "ada",
        IP,
        {"error": "ConnectionRefusedError"},
    )


def test_the_link_sets_a_new_password_once_and_ends_the_old_sessions(pages, ada):
    old_session = pages()
    old_session.client.force_login(ada)
    assert old_session.get("/").status_code == 200
    ask(pages, "ada")
    browser = pages(REMOTE_ADDR=IP)
    opened = browser.get(path_of(link_in_mail()))
    # The token leaves the address bar before anything is shown.
    assert opened.status_code == 303
    assert opened["Location"].endswith("/set-password")
    assert browser.page(opened["Location"])["props"]["valid"] is True
    done = browser.post(opened["Location"], {"password": NEW_PASSWORD})
    assert done.status_code == 303
    assert done["Location"] == "/login"
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)
    signed_out = old_session.get("/")  # by the new password
    assert (signed_out.status_code, signed_out["Location"]) == (303, "/login")
    event = AuditEvent.objects.get(action="user.password-reset")
    assert (event.actor, event.ip) == (ada, IP)
    # The same link again: refused, and the password stays.
    again = pages(REMOTE_ADDR=IP)
    reopened = again.get(path_of(link_in_mail()))
    assert again.page(reopened["Location"])["props"]["valid"] is False
    refused = again.follow(again.post(reopened["Location"], {"password": "yet another passphrase"}))
    assert "expired or was used" in refused["props"]["errors"]["password"]
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)


def test_a_weak_password_is_a_field_error_and_the_link_keeps_working(pages, ada):
    ask(pages, "ada")
    browser = pages(REMOTE_ADDR=IP)
    opened = browser.get(path_of(link_in_mail()))
    page = browser.follow(browser.post(opened["Location"], {"password": "short"}))
    assert "too short" in page["props"]["errors"]["password"]
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)
    assert browser.page(opened["Location"])["props"]["valid"] is True


def test_a_forged_token_or_user_id_is_refused(pages, ada):
    link = password_reset.link_for(ada, "https://panel")
    uid, token = link.rsplit("/", 2)[1:]
    other = make_user("bob", Role.CUSTOMER)
    other_uid = password_reset.link_for(other, "https://panel").rsplit("/", 2)[1]
    for path in (
        f"/password/reset/{uid}/{token[:-1]}x",
        f"/password/reset/{other_uid}/{token}",
        f"/password/reset/not-base64!/{token}",
    ):
        browser = pages()
        opened = browser.get(path)
        assert browser.page(opened["Location"])["props"]["valid"] is False
        browser.post(opened["Location"], {"password": NEW_PASSWORD})
    ada.refresh_from_db()
    other.refresh_from_db()
    assert ada.check_password(PASSWORD)
    assert other.check_password(PASSWORD)


def test_asking_is_throttled_per_name_and_per_address(pages, ada):
    for _ in range(password_reset.NAME_LIMIT):
        ask(pages, "ada", ip="192.0.2.70")
    page = ask(pages, "ada", ip="192.0.2.71")
    assert "Too many reset links" in page["props"]["errors"]["identifier"]
    assert len(mail.outbox) == password_reset.NAME_LIMIT
    for n in range(password_reset.IP_LIMIT):
        ask(pages, f"someone{n}", ip="192.0.2.72")
    page = ask(pages, "someone-else", ip="192.0.2.72")
    assert "Too many reset links" in page["props"]["errors"]["identifier"]
    assert AuditEvent.objects.filter(action="auth.reset-throttled").count() == 2
