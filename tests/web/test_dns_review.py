"""dns/ services: hostile input found in review, refused with nothing written or kept as typed."""

from __future__ import annotations

import pytest

from supercp.protocol.errors import Conflict, Unavailable, ValidationFailed
from supercp.web.accounts import services as accounts
from supercp.web.dns import record_services as rs
from supercp.web.dns import records, services, settings_services
from supercp.web.dns.models import Zone
from supercp.web.dns.record_services import NewRecord
from supercp.web.dns.services import NewZone
from supercp.web.sites import services as sites
from supercp.web.sites.models import Site
from tests.web.dns_helpers import answers, rows, snapshot, until

pytestmark = pytest.mark.usefixtures("sites_cleanup")


def bobs_zone(world, zone_name) -> str:
    name = zone_name()
    services.create_zone(world.admin, NewZone(name, account=world.bob_account.name))
    return name


# --- records --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ('0 iodef "mailto:dns\\"x@example.com"', '0 iodef "mailto:dns\\"x@example.com"'),
        ('0 issuemail "ca\\\\x.example.net"', '0 issuemail "ca\\\\x.example.net"'),
    ],
)
def test_a_caa_value_with_quotes_or_backslashes_is_stored_escaped(world, zone_name, typed, stored):
    zone = bobs_zone(world, zone_name)
    made = rs.add_record(world.bob, zone, NewRecord("@", "CAA", typed))
    assert made.record.content == stored
    until(zone, "CAA", {stored})
    assert stored in rs.export_zone(world.bob, zone)


def test_multi_byte_txt_split_mid_character_is_answered_as_written(world, zone_name):
    zone = bobs_zone(world, zone_name)
    text = "é" * 200  # 400 bytes: the first string ends inside a character
    made = rs.add_record(world.bob, zone, NewRecord("utf", "TXT", text))
    until(f"utf.{zone}", "TXT", {made.record.content})
    rs.import_zone(world.bob, zone, rs.export_zone(world.bob, zone))
    again = {r.name: r.record.content for r in rs.all_records(world.bob, zone)}
    assert again["utf"] == made.record.content


def test_a_delegation_over_names_that_are_not_glue_is_refused(world, zone_name):
    zone = bobs_zone(world, zone_name)
    rs.add_record(world.bob, zone, NewRecord("www.sub", "TXT", "hello"))
    before = snapshot(zone)
    with pytest.raises(ValidationFailed) as caught:
        rs.add_record(world.bob, zone, NewRecord("sub", "NS", "ns1.example.net"))
    assert caught.value.code == "delegation-conflict"
    other = rs.add_record(world.bob, zone, NewRecord("other", "A", "192.0.2.1"))
    with pytest.raises(ValidationFailed) as caught:
        rs.update_record(world.bob, zone, other.id, name="sub", type="NS", content="ns.example.net")
    assert caught.value.code == "delegation-conflict"
    assert answers(f"www.sub.{zone}", "TXT") == {'"hello"'}
    assert snapshot(zone)[0] != before[0]  # only "other" was added


# --- secondaries ----------------------------------------------------------------------------------

NOT_A_SECONDARY = [
    "0.0.0.0",
    "::",
    "127.0.0.1",
    "::1",
    "::ffff:127.0.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "ff02::1",
    "fe80::1",
    "fe80::1%eth0",
]


@pytest.mark.parametrize("address", NOT_A_SECONDARY)
def test_a_secondary_is_another_servers_address(world, zone_name, address):
    zone = bobs_zone(world, zone_name)
    before = snapshot(zone)
    with pytest.raises(ValidationFailed) as caught:
        rs.set_secondaries(world.bob, zone, [address])
    assert (caught.value.code, caught.value.field) == ("invalid-address", "secondaries")
    with pytest.raises(ValidationFailed):
        settings_services.update_settings(
            world.admin, settings_services.SettingsChange(secondaries=[address])
        )
    assert snapshot(zone) == before
    assert rs.get_secondaries(world.bob, zone).own == []


# --- zone files -----------------------------------------------------------------------------------

SOA_FILE = "@ 3600 IN SOA {soa}\n@ 3600 IN NS ns1.example.net.\n"


@pytest.mark.parametrize(
    "soa",
    [
        "a\\.b.example.net. hostmaster.example.net. 1 7200 1800 1209600 300",
        "a\\032b.example.net. hostmaster.example.net. 1 7200 1800 1209600 300",
        "192.0.2.1. hostmaster.example.net. 1 7200 1800 1209600 300",
        "ns1.example.net. host\\032master.example.net. 1 7200 1800 1209600 300",
        "ns1.example.net. . 1 7200 1800 1209600 300",
        ". hostmaster.example.net. 1 7200 1800 1209600 300",
        "ns1.example.net. hostmaster.example.net. 1 0 1800 1209600 300",
        "ns1.example.net. hostmaster.example.net. 1 7200 0 1209600 300",
        "ns1.example.net. hostmaster.example.net. 1 7200 1800 60 300",
        "ns1.example.net. hostmaster.example.net. 1 7200 1800 1209600 4294967295",
    ],
)
def test_a_zone_files_soa_is_checked_as_the_settings_are(world, zone_name, soa):
    zone = bobs_zone(world, zone_name)
    before = snapshot(zone)
    with pytest.raises(ValidationFailed) as caught:
        rs.import_zone(world.bob, zone, SOA_FILE.format(soa=soa))
    assert caught.value.field == "zone_file"
    assert snapshot(zone) == before
    with pytest.raises(ValidationFailed):
        services.create_zone(world.bob, NewZone(zone_name(), zone_file=SOA_FILE.format(soa=soa)))


def test_a_zone_files_soa_with_a_dotted_contact_is_taken(world, zone_name):
    zone = bobs_zone(world, zone_name)
    soa = "ns1.example.net. john\\.doe.example.net. 1 7200 1800 1209600 300"
    rs.import_zone(world.bob, zone, SOA_FILE.format(soa=soa))
    assert answers(zone, "SOA").pop().split()[:2] == ["ns1.example.net.", "john\\.doe.example.net."]
    assert records.rdata(rs.all_records(world.bob, zone)[0].record)


# --- accounts -------------------------------------------------------------------------------------


def test_an_account_whose_removal_fails_keeps_its_zones_in_powerdns(world, zone_name, monkeypatch):
    zone = zone_name()
    services.create_zone(world.admin, NewZone(zone, account=world.alice_account.name))
    before = rows(zone)

    def unreachable() -> None:
        raise Unavailable("the daemon is away", code="daemon-unavailable")

    monkeypatch.setattr("supercp.web.core.daemon.client", unreachable)
    with pytest.raises(Unavailable):
        accounts.delete_account(world.admin, world.alice_account.name)
    assert rows(zone) == before
    assert Zone.objects.filter(name=zone).exists()


# --- sites inside zones -------------------------------------------------------------------------


def test_a_site_inside_another_accounts_zone_is_refused(world, zone_name):

    zone = bobs_zone(world, zone_name)
    for new, field in (
        (sites.NewSite(zone), "domain"),
        (sites.NewSite(f"shop.{zone}"), "domain"),
        (sites.NewSite(f"alice-{zone}", aliases=[f"www.{zone}"]), "aliases"),
    ):
        with pytest.raises(Conflict) as refused:
            sites.create_site(world.alice, new)
        assert (refused.value.code, refused.value.field) == ("domain-taken", field)
    assert not Site.objects.exists()
    # Bob's own sites in his zone are his to make.
    made = sites.create_site(world.bob, sites.NewSite(f"shop.{zone}"))
    assert made.account == world.bob_account


def test_an_admins_zone_takes_sites_an_admin_makes_for_customers(world, zone_name):

    zone = zone_name()
    services.create_zone(world.admin, NewZone(zone))
    with pytest.raises(Conflict):
        sites.create_site(world.alice, sites.NewSite(f"alice.{zone}"))
    made = sites.create_site(
        world.admin, sites.NewSite(f"alice.{zone}", account=world.alice_account.name)
    )
    assert made.account == world.alice_account


def test_an_alias_added_later_inside_another_accounts_zone_is_refused(world, zone_name):

    zone = bobs_zone(world, zone_name)
    site = sites.create_site(world.alice, sites.NewSite(f"alice-{zone}"))
    with pytest.raises(Conflict) as refused:
        sites.update_site(world.alice, site.domain, aliases=[f"www.{zone}"])
    assert refused.value.field == "aliases"
