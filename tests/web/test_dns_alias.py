"""ALIAS records: checked like a CNAME's target, alone for addresses at their name, never in a
signed zone, and written to and read from zone files as PowerDNS's own files have them."""

from __future__ import annotations

import dns.rdatatype
import pytest
from django.test import Client

from supercp.cli.main import main
from supercp.protocol.errors import ValidationFailed
from supercp.web.dns import record_services as rs
from supercp.web.dns import records, services, zonefile
from supercp.web.dns.record_services import NewRecord
from tests.web.dns_helpers import rows, snapshot
from tests.web.test_dns_review import bobs_zone

pytestmark = pytest.mark.usefixtures("sites_cleanup")

# (name, content, the field the refusal names, its code); "{zone}" is the zone's name.
HOSTILE_ALIASES = [
    ("@", "_service.example.net", "content", "invalid-content"),
    ("@", "192.0.2.1", "content", "invalid-content"),
    ("@", "2001:db8::1", "content", "invalid-content"),
    ("@", "localhost", "content", "invalid-content"),
    ("@", ".", "content", "invalid-content"),
    ("@", "@", "content", "invalid-content"),
    ("@", "cdn.example.net; rm -rf /", "content", "invalid-content"),
    ("@", "cdn.example.net cdn2.example.net", "content", "invalid-content"),
    ("@", "cdn.example.net\n@ A 192.0.2.1", "content", "invalid-content"),
    ("@", "(cdn.example.net)", "content", "invalid-content"),
    ("@", "a..example.net", "content", "invalid-content"),
    ("@", "x" * 64 + ".example.net", "content", "invalid-content"),
    ("@", "{zone}.", "content", "alias-loop"),
    ("www", "WWW.{zone}", "content", "alias-loop"),
    ("*.dev", "cdn.example.net", "name", "invalid-wildcard"),
]


def alias_rows(zone: str) -> set[tuple[str, str, int]]:
    return {(r[0], r[2], r[3]) for r in rows(zone) if r[1] == "ALIAS"}


@pytest.mark.parametrize(("name", "content", "field", "code"), HOSTILE_ALIASES)
def test_a_hostile_alias_is_refused_with_nothing_written(
    world, zone_name, *, name, content, field, code
):
    zone = bobs_zone(world, zone_name)
    before = snapshot(zone)
    with pytest.raises(ValidationFailed) as caught:
        rs.add_record(world.bob, zone, NewRecord(name, "ALIAS", content.format(zone=zone)))
    assert (caught.value.field, caught.value.code) == (field, code), caught.value
    assert snapshot(zone) == before


def test_an_alias_at_the_apex_and_below_is_stored_as_powerdns_reads_it(world, zone_name):
    zone = bobs_zone(world, zone_name)
    made = rs.add_record(world.bob, zone, NewRecord("@", "alias", "CDN.Example.NET.", 300))
    rs.add_record(world.bob, zone, NewRecord("shop", "ALIAS", "shops.example.net"))
    # Beside it: anything but addresses (the apex keeps its SOA, NS, MX, TXT).
    rs.add_record(world.bob, zone, NewRecord("@", "MX", f"20 mx2.{zone}"))
    rs.add_record(world.bob, zone, NewRecord("@", "TXT", "alias beside text"))
    assert made.record.type == "ALIAS"
    assert alias_rows(zone) == {
        (zone, "cdn.example.net", 300),
        (f"shop.{zone}", "shops.example.net", 3600),
    }


def test_an_alias_beside_addresses_is_refused_either_way(world, zone_name):
    zone = bobs_zone(world, zone_name)
    rs.add_record(world.bob, zone, NewRecord("www", "A", "192.0.2.1"))
    rs.add_record(world.bob, zone, NewRecord("@", "ALIAS", "cdn.example.net"))
    rs.add_record(world.bob, zone, NewRecord("cname", "CNAME", "elsewhere.example.net"))
    before = snapshot(zone)
    for name, kind, content, code in (
        ("www", "ALIAS", "cdn.example.net", "alias-conflict"),
        ("@", "A", "192.0.2.2", "alias-conflict"),
        ("@", "AAAA", "2001:db8::2", "alias-conflict"),
        ("@", "ALIAS", "other-cdn.example.net", "alias-conflict"),
        ("cname", "ALIAS", "cdn.example.net", "cname-conflict"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            rs.add_record(world.bob, zone, NewRecord(name, kind, content))
        assert (caught.value.code, caught.value.field) == (code, "type"), (name, kind)
    assert snapshot(zone) == before


def test_a_record_changed_into_an_alias_beside_an_address_is_refused(world, zone_name):
    zone = bobs_zone(world, zone_name)
    rs.add_record(world.bob, zone, NewRecord("www", "A", "192.0.2.1"))
    txt = rs.add_record(world.bob, zone, NewRecord("www", "TXT", "hello"))
    before = snapshot(zone)
    with pytest.raises(ValidationFailed) as caught:
        rs.update_record(world.bob, zone, txt.id, type="ALIAS", content="cdn.example.net")
    assert caught.value.code == "alias-conflict"
    assert snapshot(zone) == before


def test_a_signed_zone_takes_no_alias_and_a_zone_with_one_is_not_signed(world, zone_name):
    signed = bobs_zone(world, zone_name)
    services.secure_zone(world.bob, signed)
    before = snapshot(signed)
    with pytest.raises(ValidationFailed) as caught:
        rs.add_record(world.bob, signed, NewRecord("@", "ALIAS", "cdn.example.net"))
    assert caught.value.code == "alias-dnssec"
    with pytest.raises(ValidationFailed) as caught:
        rs.import_zone(world.bob, signed, "@ 300 IN ALIAS cdn.example.net.\n")
    assert (caught.value.code, caught.value.field) == ("alias-dnssec", "zone_file")
    assert snapshot(signed) == before

    plain = bobs_zone(world, zone_name)
    rs.add_record(world.bob, plain, NewRecord("@", "ALIAS", "cdn.example.net"))
    with pytest.raises(ValidationFailed) as caught:
        services.secure_zone(world.bob, plain)
    assert caught.value.code == "alias-dnssec"
    assert services.get_zone(world.bob, plain).secured is False


def test_an_alias_goes_out_and_comes_back_in_a_zone_file(world, zone_name):
    zone = bobs_zone(world, zone_name)
    rs.add_record(world.bob, zone, NewRecord("@", "ALIAS", "cdn.example.net", 300))
    rs.add_record(world.bob, zone, NewRecord("shop", "ALIAS", f"www.{zone}", 300))
    exported = rs.export_zone(world.bob, zone)
    assert "\n@ 300 IN ALIAS cdn.example.net.\n" in exported
    assert "\nshop 300 IN ALIAS www\n" in exported
    before = alias_rows(zone)
    rs.import_zone(world.bob, zone, exported)
    assert alias_rows(zone) == before
    # Another server's file: the type in any case, a relative target, parentheses.
    rs.import_zone(world.bob, zone, "@ 300 IN alias ( edge )\n")
    assert alias_rows(zone) == {(zone, f"edge.{zone}", 300)}


@pytest.mark.parametrize(
    "text",
    [
        "@ 300 IN ALIAS cdn.example.net.\n@ 300 IN A 192.0.2.1\n",
        "@ 300 IN ALIAS cdn.example.net.\n@ 300 IN ALIAS cdn2.example.net.\n",
        "www 300 IN ALIAS _bad.example.net.\n",
        "*.dev 300 IN ALIAS cdn.example.net.\n",
        "www 300 IN ALIAS www\n",
        "www 300 IN ALIAS cdn.example.net. extra.example.net.\n",
    ],
)
def test_a_zone_file_with_a_bad_alias_is_refused_with_nothing_written(world, zone_name, text):
    zone = bobs_zone(world, zone_name)
    before = snapshot(zone)
    with pytest.raises(ValidationFailed) as caught:
        rs.import_zone(world.bob, zone, text)
    assert caught.value.field == "zone_file"
    assert snapshot(zone) == before


def test_dnspython_knows_alias_by_powerdns_number():
    assert dns.rdatatype.from_text("ALIAS") == records.ALIAS_RDTYPE == 65401
    assert dns.rdatatype.to_text(dns.rdatatype.RdataType.make(65401)) == "ALIAS"
    # What PowerDNS sends in an AXFR without expansion reads as the same record.
    parsed = zonefile.parse(
        "www 60 IN TYPE65401 \\# 17 0363646e076578616d706c65036e657400\n", "x.test"
    )
    assert [(r.type, r.content) for r in parsed.records] == [("ALIAS", "cdn.example.net")]


def test_the_form_api_and_shell_offer_and_take_alias(world, api, pages, capsys, zone_name):
    zone = bobs_zone(world, zone_name)
    assert "ALIAS" in pages(world.bob).page(f"/dns/zones/{zone}")["props"]["record_types"]
    bob: Client = api(world.bob)
    response = bob.post(
        f"/api/v1/dns/zones/{zone}/records",
        {"name": "@", "type": "ALIAS", "content": "cdn.example.net"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    response = bob.post(
        f"/api/v1/dns/zones/{zone}/records",
        {"name": "@", "type": "A", "content": "192.0.2.1"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, "alias-conflict")
    assert main(["--json", "dns", "record", "add", zone, "shop", "ALIAS", "shops.example.net"]) == 0
    capsys.readouterr()
    assert alias_rows(zone) == {
        (zone, "cdn.example.net", 3600),
        (f"shop.{zone}", "shops.example.net", 3600),
    }


def test_signing_a_zone_with_an_alias_from_its_page_says_why_not(world, pages, zone_name):
    zone = bobs_zone(world, zone_name)
    rs.add_record(world.bob, zone, NewRecord("@", "ALIAS", "cdn.example.net"))
    bob = pages(world.bob)
    page = bob.follow(bob.post(f"/dns/zones/{zone}/secure", {}))
    assert page["props"]["zone"]["secured"] is False
    assert "ALIAS records and DNSSEC do not go together" in page["props"]["flash"]["error"]
