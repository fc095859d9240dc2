"""Sites in the installed panel, in headless Chromium: create one, see it listed, open it."""

from __future__ import annotations

import json
import re
import secrets
import subprocess

from playwright.sync_api import Page, expect

from tests.browser.conftest import Login, Shots
from tests.browser.test_panel import sign_in
from tests.integration.conftest import SUPER_CLI


def test_an_admin_creates_a_site_sees_it_listed_and_opens_its_page(
    page: Page, shot: Shots, admin_login: Login, hosting_accounts: list[str]
):
    account = "sct" + secrets.token_hex(4)
    hosting_accounts.append(account)  # deleting the account removes its sites first
    made = subprocess.run(
        [SUPER_CLI, "--json", "account", "create", account], capture_output=True, check=False
    )
    assert made.returncode == 0, made.stdout
    domain = f"{account}.example.test"

    sign_in(page, shot, admin_login)
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("link", name="Sites").first.click()
    page.wait_for_url(re.compile(r"/sites$"))
    page.get_by_role("button", name="New site").first.click()
    page.get_by_label("Domain", exact=True).fill("bad;name")
    chooser = page.get_by_label("Hosting account")
    # A select when there are several accounts; the only one is shown read-only.
    if chooser.evaluate("e => e.tagName") == "SELECT":
        chooser.select_option(account)
    page.get_by_role("button", name="Create site").click()
    expect(page.get_by_label("Domain", exact=True)).to_have_attribute("aria-invalid", "true")
    shot(page, "sites-bad-domain")

    page.get_by_label("Domain", exact=True).fill(domain)
    page.get_by_role("button", name="Create site").click()
    expect(page.get_by_text(f"Created site {domain}.")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name=domain)).to_be_visible()
    shot(page, "sites-list")

    page.get_by_role("link", name=domain).click()
    page.wait_for_url(re.compile(rf"/sites/{re.escape(domain)}$"))
    expect(page.get_by_role("heading", name=domain)).to_be_visible()
    expect(page.get_by_text("Access log (last lines)")).to_be_visible()
    shot(page, "site-page")

    shown = subprocess.run(
        [SUPER_CLI, "--json", "site", "show", domain], capture_output=True, check=True
    )
    assert json.loads(shown.stdout)["site"]["aliases"] == [f"www.{domain}"]
