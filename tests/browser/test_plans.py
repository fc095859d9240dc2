"""Hosting plans in the installed panel, in headless Chromium: make one, move an account onto
it, and see the account's usage against it."""

from __future__ import annotations

import json
import re
import secrets
import subprocess

from playwright.sync_api import Page, expect

from tests.browser.conftest import Login, Shots
from tests.browser.test_panel import sign_in
from tests.integration.conftest import SUPER_CLI


def cli(*args: str) -> dict:
    done = subprocess.run([SUPER_CLI, "--json", *args], capture_output=True, check=False)
    assert done.returncode == 0, done.stdout
    return json.loads(done.stdout)


def test_an_admin_makes_a_plan_and_moves_an_account_onto_it(
    page: Page, shot: Shots, admin_login: Login, hosting_accounts: list[str]
):
    account = "sct" + secrets.token_hex(4)
    hosting_accounts.append(account)
    cli("account", "create", account)
    plan = "sct-" + secrets.token_hex(4)
    try:
        sign_in(page, shot, admin_login)
        page.wait_for_url(re.compile(r"/$"))
        page.get_by_role("link", name="Plans").first.click()
        page.wait_for_url(re.compile(r"/plans$"))
        page.get_by_role("link", name="New plan").first.click()
        page.wait_for_url(re.compile(r"/plans/new$"))
        page.get_by_label("Name", exact=True).fill(plan)
        page.get_by_label("Sites", exact=True).fill("-1")
        page.get_by_role("button", name="Create plan").click()
        expect(page.get_by_label("Sites", exact=True)).to_have_attribute("aria-invalid", "true")
        shot(page, "plans-bad-limit")

        page.get_by_label("Sites", exact=True).fill("2")
        page.get_by_role("button", name="Create plan").click()
        expect(page.get_by_text(f"Created plan {plan}.")).to_be_visible(timeout=30_000)
        shot(page, "plans-list")

        page.goto(f"/accounts/{account}")
        page.get_by_label("Move to plan").select_option(label=plan)
        page.get_by_role("button", name="Move").click()
        expect(page.get_by_text(f"{account} is on plan {plan} now.")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name=f"Plan {plan}")).to_be_visible()
        expect(page.get_by_text("0 of 2")).to_be_visible()
        shot(page, "account-plan")
        assert cli("account", "usage", account)["plan"] == plan
    finally:
        subprocess.run([SUPER_CLI, "account", "delete", account], capture_output=True, check=False)
        subprocess.run([SUPER_CLI, "plan", "delete", plan], capture_output=True, check=False)
