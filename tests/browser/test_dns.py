"""DNS in the installed panel, in headless Chromium: a zone, its records, DNSSEC and export."""

from __future__ import annotations

import re
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Login, Shots
from tests.browser.test_panel import sign_in
from tests.integration.conftest import SUPER_CLI


@pytest.fixture
def zone() -> Iterator[str]:
    """A fresh zone name (no real zone has the suffix); the zone is deleted afterwards."""
    name = f"sct{secrets.token_hex(4)}.supercp-test"
    yield name
    subprocess.run(
        [SUPER_CLI, "--json", "dns", "zone", "delete", name], capture_output=True, check=False
    )


def test_an_admin_edits_a_zone_signs_it_and_exports_it(
    page: Page, shot: Shots, admin_login: Login, zone: str, tmp_path: Path
):
    sign_in(page, shot, admin_login)
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("link", name="DNS", exact=True).first.click()
    page.wait_for_url(re.compile(r"/dns$"))
    page.get_by_role("button", name="New zone").first.click()
    page.get_by_label("Zone", exact=True).fill(zone)
    shot(page, "dns-new-zone")
    page.get_by_role("button", name="Create zone").click()
    page.wait_for_url(re.compile(rf"/dns/zones/{re.escape(zone)}$"), timeout=30_000)
    expect(page.get_by_text(f"Created zone {zone}.")).to_be_visible()
    expect(page.get_by_role("heading", name=zone)).to_be_visible()
    shot(page, "dns-zone")

    adding = page.get_by_role("form", name="Add a record")
    adding.get_by_label("Name", exact=True).fill("shop")
    adding.get_by_label("Type", exact=True).select_option("A")
    adding.get_by_label("Content", exact=True).fill("192.0.2.300")
    adding.get_by_role("button", name="Add record").click()
    content = adding.get_by_label("Content", exact=True)
    expect(content).to_have_attribute("aria-invalid", "true")
    expect(adding.get_by_text(re.compile(r"192\.0\.2\.300"))).to_be_visible()
    shot(page, "dns-record-error")

    content.fill("192.0.2.30")
    adding.get_by_role("button", name="Add record").click()
    expect(page.get_by_text("Added A record shop.")).to_be_visible()
    records = page.get_by_role("table", name="Records")
    expect(records.get_by_text("192.0.2.30", exact=True)).to_be_visible()
    shot(page, "dns-record-added")

    # Edit it in place; a bad value is shown at its cell, a good one saved.
    records.get_by_role("button", name="Edit shop A").click()
    records.get_by_label("Content", exact=True).fill("not-an-address")
    records.get_by_role("button", name="Save shop A").click()
    expect(records.get_by_label("Content", exact=True)).to_have_attribute("aria-invalid", "true")
    shot(page, "dns-record-edit-error")
    records.get_by_label("Content", exact=True).fill("192.0.2.31")
    records.get_by_role("button", name="Save shop A").click()
    expect(records.get_by_text("192.0.2.31", exact=True)).to_be_visible()

    page.get_by_role("button", name="Turn DNSSEC on").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Turn DNSSEC on").click()
    expect(page.get_by_text(f"DNSSEC is on for {zone}.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("DS records for the registrar").first).to_be_visible()
    ds_line = re.compile(rf"^{re.escape(zone)}\. IN DS \d+ 13 2 ")
    expect(page.get_by_text(ds_line).first).to_be_visible()
    expect(page.get_by_role("button", name="Copy DS").first).to_be_visible()
    shot(page, "dns-dnssec-on")

    with page.expect_download() as info:
        page.get_by_role("link", name="Export zone file").click()
    download = info.value
    assert download.suggested_filename == f"{zone}.zone"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text()
    assert "SOA" in text
    assert re.search(r"^shop\s.*\sA\s+192\.0\.2\.31$", text, re.MULTILINE), text

    page.goto("/dns")
    expect(page.get_by_role("link", name=zone)).to_be_visible()
    shot(page, "dns-zones")


def test_an_admin_opens_the_templates_and_sees_a_bad_entry_at_its_field(
    page: Page, shot: Shots, admin_login: Login, hosting_accounts: list[str]
):
    # The site form (below) is offered only while an account exists to hold the site.
    account = "sct" + secrets.token_hex(4)
    hosting_accounts.append(account)
    made = subprocess.run(
        [SUPER_CLI, "--json", "account", "create", account], capture_output=True, check=False
    )
    assert made.returncode == 0, made.stdout
    sign_in(page, shot, admin_login)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/dns")
    page.get_by_role("link", name="Templates and defaults").click()
    page.wait_for_url(re.compile(r"/dns/settings$"))
    expect(page.get_by_role("heading", name="DNS templates and defaults")).to_be_visible()
    shot(page, "dns-settings")

    # A new template with a broken entry is refused at that entry; nothing is saved.
    name = f"sct{secrets.token_hex(4)}"
    page.get_by_role("button", name="New template").click()
    page.get_by_label("Template name").fill(name)
    page.get_by_role("button", name="Add a record").click()
    page.get_by_label("Type of record 2").select_option("A")
    page.get_by_label("Content of record 2").fill("192.0.2.300")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_label("Content of record 2")).to_have_attribute("aria-invalid", "true")
    shot(page, "dns-template-error")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("cell", name=name)).to_have_count(0)

    # Creating a site offers to create its zone.
    page.goto("/sites")
    page.get_by_role("button", name="New site").first.click()
    expect(page.get_by_label("Create a DNS zone")).not_to_be_checked()
    shot(page, "sites-create-zone-offer")
