"""/api/v1/dns for every role, through the HTTP stack; answers from the real PowerDNS."""

from __future__ import annotations

import time
from typing import Any

import dns.dnssec
import dns.name
import dns.node
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import pytest
from django.test import Client

from supercp.web.dns.models import Zone
from tests.web.dns_helpers import LIVE_WITHIN, answers, ask, rrset, snapshot, until
from tests.web.test_dns_services import HOSTILE_RECORDS, ZONE_FILE

URL = "/api/v1/dns"
pytestmark = pytest.mark.usefixtures("sites_cleanup")


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


def made_zone(client: Client, name: str, **body: object) -> dict:
    response = post(client, f"{URL}/zones", {"name": name, **body})
    assert response.status_code == 201, response.content
    return response.json()


def add(client: Client, zone: str, **body: object):
    return post(client, f"{URL}/zones/{zone}/records", body)


def test_records_made_through_the_api_answer_within_a_second(world, api, zone_name):
    bob = api(world.bob)
    zone = made_zone(bob, zone_name())["name"]
    cases: list[tuple[dict[str, Any], str, set[str]]] = [
        ({"name": "www", "type": "A", "content": "192.0.2.20", "ttl": 300}, "A", {"192.0.2.20"}),
        ({"name": "@", "type": "AAAA", "content": "2001:db8::20"}, "AAAA", {"2001:db8::20"}),
        ({"name": "@", "type": "MX", "content": f"5 www.{zone}"}, "MX", {f"5 www.{zone}."}),
        ({"name": "txt", "type": "TXT", "content": "hello world"}, "TXT", {'"hello world"'}),
    ]
    for body, kind, expected in cases:
        response = add(bob, zone, **body)
        returned = time.monotonic()
        assert response.status_code == 201, response.content
        record = response.json()
        assert record["name"] == body["name"]
        owner = zone if body["name"] == "@" else f"{body['name']}.{zone}"
        got = answers(owner, kind)
        # The first question after the call returned already gets the new data.
        assert expected <= got, (owner, kind, got)
        assert time.monotonic() - returned < LIVE_WITHIN
    # A change and a deletion are live as fast.
    www = next(
        r for r in bob.get(f"{URL}/zones/{zone}/records").json()["items"] if r["name"] == "www"
    )
    response = bob.patch(
        f"{URL}/zones/{zone}/records/{www['id']}",
        {"content": "192.0.2.21"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    until(f"www.{zone}", "A", {"192.0.2.21"})
    assert bob.delete(f"{URL}/zones/{zone}/records/{www['id']}").status_code == 204
    until(f"www.{zone}", "A", set())


@pytest.mark.parametrize(("name", "kind", "content", "field"), HOSTILE_RECORDS)
def test_a_hostile_record_is_a_400_naming_the_field(
    world, api, zone_name, *, name, kind, content, field
):
    bob = api(world.bob)
    zone = made_zone(bob, zone_name())["name"]
    before = snapshot(zone)
    response = add(bob, zone, name=name, type=kind, content=content)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["field"] == field
    assert error["code"] != "internal"
    assert snapshot(zone) == before


def test_alice_cannot_reach_bobs_zone_through_the_api(world, api, zone_name):
    bob, alice, rita = api(world.bob), api(world.alice), api(world.rita)
    zone = made_zone(bob, zone_name())["name"]
    record = add(bob, zone, name="www", type="A", content="192.0.2.1").json()
    own = made_zone(alice, zone_name())["name"]
    before = snapshot(zone)
    one = f"{URL}/zones/{zone}"
    for client in (alice, rita):
        assert zone not in [z["name"] for z in client.get(f"{URL}/zones").json()["items"]]
        assert client.get(f"{URL}/zones", {"search": zone}).json()["total"] == 0
        for response in (
            client.get(one),
            client.get(f"{one}/records"),
            client.get(f"{one}/records/{record['id']}"),
            client.get(f"{one}/export"),
            client.get(f"{one}/dnssec"),
            client.get(f"{one}/secondaries"),
            add(client, zone, name="x", type="A", content="192.0.2.9"),
            client.patch(
                f"{one}/records/{record['id']}", {"ttl": 600}, content_type="application/json"
            ),
            client.delete(f"{one}/records/{record['id']}"),
            post(client, f"{one}/import", {"zone_file": "x 300 IN A 192.0.2.9\n"}),
            post(client, f"{one}/secure"),
            post(client, f"{one}/unsecure"),
            client.put(
                f"{one}/secondaries",
                {"secondaries": ["192.0.2.9"]},
                content_type="application/json",
            ),
            client.delete(one),
        ):
            assert response.status_code == 404, (response.status_code, response.content)
    # Bob's record id through Alice's own zone: not found.
    for response in (
        alice.get(f"{URL}/zones/{own}/records/{record['id']}"),
        alice.delete(f"{URL}/zones/{own}/records/{record['id']}"),
    ):
        assert response.status_code == 404
    assert snapshot(zone) == before


def test_a_read_only_token_changes_nothing(world, api, zone_name):
    zone = made_zone(api(world.bob), zone_name())["name"]
    ro = api(world.bob, read_only=True)
    before = snapshot(zone)
    assert ro.get(f"{URL}/zones/{zone}/records").status_code == 200
    for response in (
        post(ro, f"{URL}/zones", {"name": zone_name()}),
        add(ro, zone, name="x", type="A", content="192.0.2.9"),
        post(ro, f"{URL}/zones/{zone}/import", {"zone_file": "x 300 IN A 192.0.2.9\n"}),
        post(ro, f"{URL}/zones/{zone}/secure"),
        ro.delete(f"{URL}/zones/{zone}"),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "read-only"
    assert snapshot(zone) == before


def test_import_then_export_through_the_api(world, api, zone_name):
    bob = api(world.bob)
    zone = made_zone(bob, zone_name())["name"]
    response = post(
        bob, f"{URL}/zones/{zone}/import", {"zone_file": ZONE_FILE.format(zone=zone, long="z")}
    )
    assert response.status_code == 200, response.content
    assert response.json()["records"] == 15
    exported = bob.get(f"{URL}/zones/{zone}/export").json()
    assert exported["zone"] == zone
    assert "_sip._tcp" in exported["zone_file"]
    assert answers(f"deep.er.name.{zone}", "A") == {"192.0.2.3"}


def test_templates_and_settings_are_for_admins(world, api):
    admin, bob = api(world.admin), api(world.bob)
    assert bob.get(f"{URL}/templates").status_code == 403
    assert bob.get(f"{URL}/settings").status_code == 403
    listed = admin.get(f"{URL}/templates").json()
    assert [t["name"] for t in listed] == ["default"]
    body = {
        "description": "mail elsewhere",
        "records": [
            {"name": "@", "type": "NS", "content": "{ns}"},
            {"name": "@", "type": "MX", "content": "10 mx.example.net"},
        ],
    }
    response = admin.put(f"{URL}/templates/mailonly", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["is_default"] is False
    broken = {"records": [{"name": "@", "type": "A", "content": "{nope}"}]}
    response = admin.put(f"{URL}/templates/broken", broken, content_type="application/json")
    assert response.status_code == 400
    response = admin.patch(
        f"{URL}/settings", {"nameservers": ["ns1.example.net"]}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["nameservers"] == ["ns1.example.net"]
    assert admin.delete(f"{URL}/templates/default").status_code == 409
    assert admin.delete(f"{URL}/templates/mailonly").status_code == 204


def test_dnssec_answers_validate_and_the_ds_matches_the_dnskey(world, api, zone_name):
    bob = api(world.bob)
    zone = made_zone(bob, zone_name())["name"]
    assert add(bob, zone, name="www", type="A", content="192.0.2.30").status_code == 201
    response = post(bob, f"{URL}/zones/{zone}/secure")
    assert response.status_code == 200, response.content
    state = response.json()
    assert state["secured"] is True
    assert bob.get(f"{URL}/zones/{zone}").json()["secured"] is True
    origin = dns.name.from_text(zone)
    reply = ask(zone, "DNSKEY", dnssec=True)
    keys = rrset(reply, zone, "DNSKEY")
    keyring: dict[dns.name.Name, dns.node.Node | dns.rdataset.Rdataset] = {origin: keys}
    dns.dnssec.validate(keys, rrset_sig(reply, zone, "DNSKEY"), keyring)
    # A record added after signing is signed too, at once.
    assert add(bob, zone, name="new", type="A", content="192.0.2.31").status_code == 201
    for owner in (f"www.{zone}", f"new.{zone}"):
        reply = ask(owner, "A", dnssec=True)
        dns.dnssec.validate(rrset(reply, owner, "A"), rrset_sig(reply, owner, "A"), keyring)
    # The DS the customer gives the registrar is that of the zone's key-signing key.
    shown = {
        ds.lower()
        for key in bob.get(f"{URL}/zones/{zone}/dnssec").json()["keys"]
        if key["active"]
        for ds in key["ds"]
    }
    ksk = [k for k in keys if k.flags & 0x0001]
    expected = {dns.dnssec.make_ds(origin, k, "SHA256").to_text().lower() for k in ksk}
    assert expected <= shown
    response = post(bob, f"{URL}/zones/{zone}/unsecure")
    assert response.status_code == 200, response.content
    assert response.json()["secured"] is False
    assert not [
        r for r in ask(f"www.{zone}", "A", dnssec=True).answer if r.rdtype == dns.rdatatype.RRSIG
    ]


def rrset_sig(reply, name: str, covered: str):
    return reply.find_rrset(
        reply.answer,
        dns.name.from_text(name),
        dns.rdataclass.IN,
        dns.rdatatype.RRSIG,
        dns.rdatatype.from_text(covered),
    )


def test_a_site_with_create_zone_through_the_api(world, api, zone_name):
    bob = api(world.bob)
    name = zone_name("site")
    response = post(bob, "/api/v1/sites", {"domain": name, "create_zone": True})
    assert response.status_code == 201, response.content
    assert Zone.objects.get(name=name).account == world.bob_account
    assert answers(name, "SOA")


def test_everyone_sees_the_template_choices_but_not_their_records(world, api):
    choices = api(world.bob).get(f"{URL}/template-choices")
    assert choices.status_code == 200
    listed = api(world.admin).get(f"{URL}/templates").json()
    assert [c["name"] for c in choices.json()] == sorted(t["name"] for t in listed)
    assert all(set(c) == {"name", "description", "is_default"} for c in choices.json())
