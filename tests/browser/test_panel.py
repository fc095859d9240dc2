"""A person's path through the installed panel in headless Chromium."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import time

import pyotp
from playwright.sync_api import Page, WebSocket, expect

from tests.browser.conftest import Login, Shots


def sign_in(page: Page, shot: Shots, login: Login) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "login")
    page.get_by_label("Username").fill(login.username)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_signs_in_and_sees_the_dashboard_live(page: Page, shot: Shots, admin_login: Login):
    # Frames of every /ws/dashboard socket the page opens (the first may be closed and
    # replaced as React mounts the page), each a message the panel pushed.
    frames: list[str] = []

    def watch(socket: WebSocket) -> None:
        if socket.url.endswith("/ws/dashboard"):
            socket.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", watch)
    sign_in(page, shot, admin_login)
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_text(admin_login.username).first).to_be_visible()
    expect(page.get_by_text("Live", exact=True)).to_be_visible()
    # A message arrives at once or, if that one was missed, within the 5 s interval.
    for _ in range(70):
        if frames:
            break
        page.wait_for_timeout(100)
    assert frames, "no message on /ws/dashboard"
    assert json.loads(frames[0])["type"] == "system"
    shot(page, "dashboard")


def test_an_admin_turns_on_2fa_and_signs_in_with_a_totp_code(
    page: Page, shot: Shots, admin_login: Login
):
    sign_in(page, shot, admin_login)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/profile")
    shot(page, "profile")
    page.get_by_role("button", name="Set up").click()
    key = page.locator("code").first
    expect(key).to_be_visible()
    shot(page, "2fa-setup")
    secret = key.inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Enable").click()
    expect(page.get_by_text("recovery code", exact=False).first).to_be_visible()
    shot(page, "2fa-enabled")

    page.get_by_role("button", name="Log out").first.click()
    page.wait_for_url(re.compile(r"/login$"))
    sign_in(page, shot, admin_login)
    page.wait_for_url(re.compile(r"/login/2fa$"))
    shot(page, "2fa-asked")
    # The code that turned 2FA on is spent; the next time step's code is within the
    # device's tolerance of one step, so no waiting for the clock.
    code = totp.at(time.time() + totp.interval)
    page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_text(admin_login.username).first).to_be_visible()
    shot(page, "dashboard")


def test_an_admin_creates_a_hosting_account_sees_it_listed_and_deletes_it(
    page: Page, shot: Shots, admin_login: Login, hosting_accounts: list[str]
):
    sign_in(page, shot, admin_login)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/accounts")
    shot(page, "accounts")
    page.get_by_role("button", name="New account").first.click()
    name = "sct" + secrets.token_hex(4)
    hosting_accounts.append(name)
    page.get_by_label("Name").fill(name)
    page.get_by_label("E-mail").fill(f"{name}@example.org")
    page.get_by_role("button", name="Generate").click()
    shot(page, "accounts-new")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Created hosting account {name}.")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name=name)).to_be_visible()
    shot(page, "accounts-created")
    user = subprocess.run(["id", name], capture_output=True, text=True, check=False)
    assert user.returncode == 0, user.stderr
    assert f"({name})" in user.stdout

    # Deleting is a background job, run by the installed worker; its page shows the progress.
    page.get_by_role("button", name=f"Delete {name}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete account").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+$"))
    shot(page, "job")
    expect(page.get_by_text("Finished.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"Deleted hosting account {name}")).to_be_visible()
    page.wait_for_timeout(600)  # the progress bar's width transition
    shot(page, "job-done")
    gone = subprocess.run(["id", name], capture_output=True, text=True, check=False)
    assert gone.returncode != 0


def test_a_bad_account_name_is_shown_at_the_field(page: Page, shot: Shots, admin_login: Login):
    sign_in(page, shot, admin_login)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/accounts")
    page.get_by_role("button", name="New account").first.click()
    page.get_by_label("Name").fill("Bad Name!")
    page.get_by_label("E-mail").fill("bad@example.org")
    page.get_by_role("button", name="Generate").click()
    page.get_by_role("button", name="Create account").click()
    field = page.get_by_label("Name")
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    assert described, "the field names no error text"
    error = page.locator(f'[id="{described[0]}"]')
    expect(error).to_be_visible()
    assert error.inner_text().strip()
    shot(page, "accounts-bad-name")
    passwd = subprocess.run(["getent", "passwd"], capture_output=True, text=True, check=True)
    assert "Bad Name!" not in passwd.stdout
