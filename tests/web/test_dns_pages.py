"""The DNS pages: zones list and create, the zone editor, DNSSEC, import and export, settings."""

from __future__ import annotations

import pytest

from supercp.web.dns import record_services, services, settings_services
from supercp.web.dns.models import Zone
from supercp.web.dns.record_services import NewRecord
from supercp.web.dns.services import NewZone
from supercp.web.sites.models import Site
from tests.web.dns_helpers import snapshot

pytestmark = pytest.mark.usefixtures("sites_cleanup")


def records_of(page: dict) -> set[tuple[str, str, str]]:
    return {(r["name"], r["type"], r["content"]) for r in page["props"]["records"]["items"]}


def test_the_admin_creates_a_zone_and_opens_its_editor(pages, world, zone_name):
    browser = pages(world.admin)
    name = zone_name()
    response = browser.post("/dns", {"name": name, "account": world.bob_account.name})
    assert response["Location"] == f"/dns/zones/{name}"
    page = browser.follow(response)
    assert page["component"] == "Dns/Show"
    assert page["props"]["flash"]["success"] == f"Created zone {name}."
    assert page["props"]["zone"]["account"] == world.bob_account.name
    assert page["props"]["zone"]["secured"] is False
    assert page["props"]["dnssec"] is None
    found = page["props"]["records"]["items"]
    assert found[0]["type"] == "SOA"
    assert found[0]["managed"] is True
    assert ("@", "NS") in {(r["name"], r["type"]) for r in found}
    assert "A" in page["props"]["record_types"]

    listed = browser.page("/dns", search=name)
    assert listed["component"] == "Dns/Index"
    assert [z["name"] for z in listed["props"]["zones"]["items"]] == [name]
    assert world.bob_account.name in listed["props"]["accounts"]


def test_a_bad_zone_name_comes_back_as_an_error_at_the_field(pages, world):
    browser = pages(world.admin)
    before = Zone.objects.count()
    response = browser.post("/dns", {"name": "bad;name{}"}, Referer="http://testserver/dns")
    page = browser.follow(response)
    assert page["component"] == "Dns/Index"
    assert "name" in page["props"]["errors"]
    assert Zone.objects.count() == before


def test_a_customer_creates_a_zone_in_their_own_account_without_choosing(pages, world, zone_name):
    alice = pages(world.alice)
    listed = alice.page("/dns")
    assert listed["props"]["accounts"] == [world.alice_account.name]
    assert listed["props"]["can_create"] is True
    name = zone_name()
    alice.post("/dns", {"name": name})
    assert Zone.objects.get(name=name).account == world.alice_account


def test_a_bad_record_comes_back_as_an_error_at_its_field(pages, world, zone_name):
    name = zone_name()
    services.create_zone(world.bob, NewZone(name))
    bob = pages(world.bob)
    before = snapshot(name)
    for field, body in (
        ("content", {"name": "www", "type": "A", "content": "192.0.2.300"}),
        ("name", {"name": "bad name", "type": "A", "content": "192.0.2.1"}),
        ("type", {"name": "@", "type": "CNAME", "content": "other.example.net"}),
        ("ttl", {"name": "www", "type": "A", "content": "192.0.2.1", "ttl": "5m"}),
    ):
        response = bob.post(f"/dns/zones/{name}/records", body)
        assert response["Location"] == f"/dns/zones/{name}"
        page = bob.follow(response)
        assert page["component"] == "Dns/Show"
        assert field in page["props"]["errors"], (field, page["props"]["errors"])
    assert snapshot(name) == before


def test_records_are_added_edited_and_deleted_from_the_editor(pages, world, zone_name):
    name = zone_name()
    services.create_zone(world.rita, NewZone(name, account=world.alice_account.name))
    rita = pages(world.rita)
    page = rita.follow(
        rita.post(
            f"/dns/zones/{name}/records",
            {"name": "shop", "type": "A", "content": "192.0.2.7", "ttl": 300},
            Referer=f"http://testserver/dns/zones/{name}",
        )
    )
    assert page["props"]["flash"]["success"] == "Added A record shop."
    added = next(r for r in page["props"]["records"]["items"] if r["name"] == "shop")
    assert (added["content"], added["ttl"]) == ("192.0.2.7", 300)

    rita.post(
        f"/dns/zones/{name}/records/{added['id']}",
        {"name": "shop", "type": "A", "content": "192.0.2.8", "ttl": None},
    )
    assert ("shop", "A", "192.0.2.8") in records_of(rita.page(f"/dns/zones/{name}"))

    rita.delete(f"/dns/zones/{name}/records/{added['id']}")
    assert "shop" not in {r[0] for r in records_of(rita.page(f"/dns/zones/{name}"))}
    searched = rita.page(f"/dns/zones/{name}", search="mail")
    assert searched["props"]["records"]["search"] == "mail"


def test_alice_gets_a_404_for_bobs_zone_page_and_actions(pages, world, zone_name):
    name = zone_name()
    services.create_zone(world.bob, NewZone(name))
    record = record_services.add_record(world.bob, name, NewRecord("www", "A", "192.0.2.1"))
    before = snapshot(name)
    alice = pages(world.alice)
    assert alice.get(f"/dns/zones/{name}").status_code == 404
    assert alice.get(f"/dns/zones/{name}/export").status_code == 404
    alice.post(f"/dns/zones/{name}/records", {"name": "x", "type": "A", "content": "192.0.2.9"})
    alice.post(
        f"/dns/zones/{name}/records/{record.id}",
        {"name": "www", "type": "A", "content": "192.0.2.9"},
    )
    alice.delete(f"/dns/zones/{name}/records/{record.id}")
    alice.post(f"/dns/zones/{name}/import", {"zone_file": "@ 3600 IN A 192.0.2.9\n"})
    alice.post(f"/dns/zones/{name}/secondaries", {"secondaries": ["192.0.2.53"]})
    alice.post(f"/dns/zones/{name}/secure", {})
    alice.delete(f"/dns/zones/{name}")
    assert snapshot(name) == before
    assert Zone.objects.filter(name=name).exists()
    assert name not in [
        z["name"] for z in alice.page("/dns", search=name)["props"]["zones"]["items"]
    ]


def test_a_record_of_another_zone_is_not_found_in_this_one(pages, world, zone_name):
    mine, theirs = zone_name(), zone_name()
    services.create_zone(world.alice, NewZone(mine))
    services.create_zone(world.bob, NewZone(theirs))
    record = record_services.add_record(world.bob, theirs, NewRecord("www", "A", "192.0.2.1"))
    before = snapshot(theirs)
    alice = pages(world.alice)
    alice.delete(f"/dns/zones/{mine}/records/{record.id}")
    alice.post(
        f"/dns/zones/{mine}/records/{record.id}",
        {"name": "www", "type": "A", "content": "192.0.2.9"},
    )
    assert snapshot(theirs) == before


def test_export_is_the_zone_file_as_a_download(pages, world, zone_name):
    name = zone_name()
    services.create_zone(world.bob, NewZone(name))
    record_services.add_record(world.bob, name, NewRecord("shop", "A", "192.0.2.44"))
    response = pages(world.bob).get(f"/dns/zones/{name}/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{name}.zone"'
    text = response.content.decode()
    assert "SOA" in text
    assert "192.0.2.44" in text


def test_import_replaces_the_records_and_a_bad_file_is_shown_at_its_field(pages, world, zone_name):
    name = zone_name()
    services.create_zone(world.bob, NewZone(name))
    bob = pages(world.bob)
    before = snapshot(name)
    page = bob.follow(bob.post(f"/dns/zones/{name}/import", {"zone_file": "@ IN A not-an-ip\n"}))
    assert "zone_file" in page["props"]["errors"]
    assert snapshot(name) == before

    page = bob.follow(
        bob.post(f"/dns/zones/{name}/import", {"zone_file": "$TTL 600\nonly IN A 192.0.2.5\n"})
    )
    assert page["props"]["flash"]["success"].startswith("Imported ")
    shown = records_of(page)
    assert ("only", "A", "192.0.2.5") in shown
    assert ("www", "A") not in {(n, t) for n, t, _ in shown}


def test_a_zone_lists_its_secondaries_and_a_bad_address_is_shown_at_the_field(
    pages, world, zone_name
):
    name = zone_name()
    services.create_zone(world.bob, NewZone(name))
    bob = pages(world.bob)
    page = bob.follow(
        bob.post(f"/dns/zones/{name}/secondaries", {"secondaries": ["192.0.2.53", "2001:db8::53"]})
    )
    assert page["props"]["secondaries"]["own"] == ["192.0.2.53", "2001:db8::53"]
    page = bob.follow(bob.post(f"/dns/zones/{name}/secondaries", {"secondaries": ["ns.example"]}))
    assert "secondaries" in page["props"]["errors"]
    assert Zone.objects.get(name=name).secondaries == ["192.0.2.53", "2001:db8::53"]


def test_dnssec_on_shows_the_ds_records_and_off_drops_them(pages, world, zone_name):
    name = zone_name()
    services.create_zone(world.bob, NewZone(name))
    bob = pages(world.bob)
    page = bob.follow(bob.post(f"/dns/zones/{name}/secure", {}))
    assert page["props"]["flash"]["success"] == f"DNSSEC is on for {name}."
    assert page["props"]["zone"]["secured"] is True
    assert page["props"]["dnssec_error"] is None
    keys = page["props"]["dnssec"]["keys"]
    assert keys
    assert all(k["ds"] for k in keys if k["kind"] in ("csk", "ksk"))
    page = bob.follow(bob.post(f"/dns/zones/{name}/unsecure"))
    assert page["props"]["zone"]["secured"] is False
    assert page["props"]["dnssec"] is None


def test_deleting_a_zone_from_its_page_goes_back_to_the_list(pages, world, zone_name):
    name = zone_name()
    services.create_zone(world.bob, NewZone(name))
    response = pages(world.bob).delete(f"/dns/zones/{name}")
    assert response["Location"] == "/dns"
    assert not Zone.objects.filter(name=name).exists()


@pytest.mark.parametrize("who", ["rita", "alice", "bob"])
def test_only_admins_reach_the_dns_settings(pages, world, who):
    browser = pages(getattr(world, who))
    assert browser.get("/dns/settings").status_code == 403
    before = settings_services.get_settings(world.admin).ttl
    browser.post("/dns/settings", {"ttl": 60})
    assert settings_services.get_settings(world.admin).ttl == before
    browser.post(
        "/dns/templates",
        {"name": "evil", "records": [{"name": "@", "type": "NS", "content": "{ns}"}]},
    )
    assert "evil" not in [t.name for t in settings_services.list_templates(world.admin)]
    # The create form still offers the templates by name, never their records.
    offered = browser.page("/dns")["props"]["templates"]
    assert [t["name"] for t in offered] == [
        t.name for t in settings_services.list_templates(world.admin)
    ]
    assert all(set(t) == {"name", "description", "is_default"} for t in offered)


def test_a_customer_creates_a_zone_from_a_template_the_admin_made(pages, world, zone_name):
    entries = [
        {"name": "@", "type": "NS", "content": "{ns}"},
        {"name": "parked", "type": "TXT", "content": "parked by the admin"},
    ]
    pages(world.admin).post("/dns/templates", {"name": "parked", "records": entries})
    alice = pages(world.alice)
    assert "parked" in [t["name"] for t in alice.page("/dns")["props"]["templates"]]
    name = zone_name()
    alice.post("/dns", {"name": name, "template": "parked"})
    records = record_services.list_records(world.alice, name)
    assert ("parked", "TXT") in {(r.name, r.record.type) for r in records.items}


def test_the_admin_edits_the_defaults_and_secondaries_with_errors_at_their_fields(pages, world):
    admin = pages(world.admin)
    page = admin.page("/dns/settings")
    assert page["component"] == "Dns/Settings"
    page = admin.follow(admin.post("/dns/settings", {"ttl": 1800, "soa_contact": "dns@{zone}"}))
    assert page["props"]["settings"]["ttl"] == 1800
    assert page["props"]["settings"]["soa_contact"] == "dns@{zone}"
    for field, body in (
        ("ipv4", {"ipv4": "192.0.2.300"}),
        ("soa_retry", {"soa_retry": 1}),
        ("nameservers", {"nameservers": ["bad name"]}),
        ("secondaries", {"secondaries": ["not-an-ip"]}),
    ):
        errors = admin.follow(admin.post("/dns/settings", body))["props"]["errors"]
        assert field in errors, (field, errors)
    page = admin.follow(admin.post("/dns/settings", {"secondaries": ["192.0.2.54"]}))
    assert page["props"]["settings"]["secondaries"] == ["192.0.2.54"]


def test_the_admin_saves_a_template_and_a_bad_entry_is_shown_at_it(pages, world, zone_name):
    admin = pages(world.admin)
    entries = [
        {"name": "@", "type": "NS", "content": "{ns}", "ttl": None},
        {"name": "@", "type": "A", "content": "192.0.2.80", "ttl": 600},
    ]
    page = admin.follow(
        admin.post(
            "/dns/templates", {"name": "parked", "description": "Parked", "records": entries}
        )
    )
    saved = next(t for t in page["props"]["templates"] if t["name"] == "parked")
    assert saved["records"] == entries

    bad = [entries[0], {"name": "@", "type": "A", "content": "192.0.2.300", "ttl": None}]
    errors = admin.follow(admin.post("/dns/templates", {"name": "broken", "records": bad}))[
        "props"
    ]["errors"]
    assert "records.1.content" in errors, errors
    errors = admin.follow(admin.post("/dns/templates", {"name": "bad name", "records": entries}))[
        "props"
    ]["errors"]
    assert "name" in errors

    name = zone_name()
    listed = admin.page("/dns")["props"]["templates"]
    assert "parked" in [t["name"] for t in listed]
    admin.post("/dns", {"name": name, "account": "", "template": "parked"})
    shown = records_of(admin.page(f"/dns/zones/{name}"))
    assert ("@", "A", "192.0.2.80") in shown

    response = admin.delete("/dns/templates/parked")
    assert response["Location"] == "/dns/settings"
    assert "parked" not in [t.name for t in settings_services.list_templates(world.admin)]


def test_a_site_created_with_its_zone_from_the_sites_page(pages, world, zone_name):
    name = zone_name("site")
    bob = pages(world.bob)
    bob.post("/sites", {"domain": name, "create_zone": True})
    assert Site.objects.filter(domain=name).exists()
    assert Zone.objects.get(name=name).account == world.bob_account
