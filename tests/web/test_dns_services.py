"""dns/ services for every role, against PowerDNS's real database and the real PowerDNS."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import replace

import pytest

from supercp.protocol.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supercp.web.accounts import services as accounts
from supercp.web.core.models import AuditEvent
from supercp.web.dns import pdns, services, settings_services
from supercp.web.dns import record_services as rs
from supercp.web.dns.models import Zone
from supercp.web.dns.record_services import NewRecord
from supercp.web.dns.services import NewZone
from supercp.web.dns.zonedata import next_serial
from supercp.web.sites import services as sites
from supercp.web.sites.models import Site
from tests.web.dns_helpers import answers, rows, snapshot, until

pytestmark = pytest.mark.usefixtures("sites_cleanup")

# Hostile or broken records: (name, type, content, the field the refusal names).
HOSTILE_RECORDS = [
    ("@", "TXT", "v=spf1\r\n-all", "content"),
    ("@", "TXT", "line\nbreak", "content"),
    ("@", "TXT", "nul\x00byte", "content"),
    ("@", "TXT", "next\u0085line", "content"),
    ("@", "TXT", '"c1\\194\\133in utf-8"', "content"),
    ("@", "TXT", 'quote" "injected', "content"),
    ("@", "TXT", '"unbalanced', "content"),
    ("@", "TXT", '"escaped\\013\\010newline"', "content"),
    ("@", "TXT", "x" * 5000, "content"),
    ("evil.example.com.", "A", "192.0.2.1", "name"),
    ("www.other.test.", "A", "192.0.2.1", "name"),
    ("a.*", "A", "192.0.2.1", "name"),
    ("*a", "A", "192.0.2.1", "name"),
    ("**", "A", "192.0.2.1", "name"),
    ("*.*", "A", "192.0.2.1", "name"),
    ("*", "NS", "ns1.example.net", "name"),
    ("a" * 64, "A", "192.0.2.1", "name"),
    ("a" * 256, "A", "192.0.2.1", "name"),
    (".".join(["a" * 63] * 4), "A", "192.0.2.1", "name"),
    ("a..b", "A", "192.0.2.1", "name"),
    ("bad name", "A", "192.0.2.1", "name"),
    ("new\nline", "A", "192.0.2.1", "name"),
    ("semi;colon", "A", "192.0.2.1", "name"),
    ("@", "CNAME", "other.example.net", "type"),
    ("@", "A", "192.0.2.300", "content"),
    ("@", "A", "192.0.2.1; rm -rf /", "content"),
    ("@", "AAAA", "192.0.2.1", "content"),
    ("@", "MX", "mail.example.net", "content"),
    ("@", "MX", "10 192.0.2.1", "content"),
    ("@", "MX", "10 mail", "content"),
    ("@", "MX", "10 .", "content"),
    ("_sip._tcp", "SRV", "10 5 99999 sip.example.net", "content"),
    ("sip", "SRV", "10 5 5060 sip.example.net", "name"),
    ("@", "CAA", '0 issue "letsencrypt.org', "content"),
    ("@", "CAA", '0 hack "x"', "content"),
    ("@", "CAA", '0 iodef "javascript:alert(1)"', "content"),
    ("@", "NS", "192.0.2.1", "content"),
    ("@", "SOA", "ns1.example.net. h.example.net. 1 2 3 4 5", "type"),
    ("@", "HINFO", '"PC" "Linux"', "type"),
    ("@", "DNAME", "example.net", "type"),
    ("www", "CNAME", "bad_target..example.net", "content"),
]


def zone_of(world, zone_name, who=None, account=None, **extra) -> str:
    name = zone_name()
    actor = who or world.admin
    services.create_zone(actor, NewZone(name, account=account, **extra))
    return name


# --- records: checked before anything is written ------------------------------------------------


@pytest.mark.parametrize(("name", "kind", "content", "field"), HOSTILE_RECORDS)
def test_a_hostile_record_is_refused_with_nothing_written(
    world, zone_name, *, name, kind, content, field
):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    before = snapshot(zone)
    with pytest.raises(ValidationFailed) as caught:
        rs.add_record(world.bob, zone, NewRecord(name, kind, content))
    assert caught.value.field == field, caught.value
    assert caught.value.message
    assert snapshot(zone) == before


def test_a_cname_beside_other_data_is_refused_either_way(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    rs.add_record(world.bob, zone, NewRecord("www", "A", "192.0.2.1"))
    rs.add_record(world.bob, zone, NewRecord("alias", "CNAME", f"www.{zone}"))
    before = snapshot(zone)
    for name, kind, content in (
        ("www", "CNAME", "example.net"),
        ("alias", "A", "192.0.2.2"),
        ("alias", "CNAME", "other.example.net"),
        ("alias", "TXT", "hello"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            rs.add_record(world.bob, zone, NewRecord(name, kind, content))
        assert caught.value.code == "cname-conflict", (name, kind)
    assert snapshot(zone) == before


def test_an_mx_target_cannot_be_an_alias(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    rs.add_record(world.bob, zone, NewRecord("alias", "CNAME", "elsewhere.example.net"))
    with pytest.raises(ValidationFailed) as caught:
        rs.add_record(world.bob, zone, NewRecord("@", "MX", f"5 alias.{zone}"))
    assert caught.value.code == "target-is-alias"


def test_a_delegation_holds_only_ns_and_glue_is_not_authoritative(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    rs.add_record(world.bob, zone, NewRecord("sub", "NS", f"ns.sub.{zone}"))
    rs.add_record(world.bob, zone, NewRecord("ns.sub", "A", "192.0.2.53"))
    for name, kind in (("sub", "A"), ("www.sub", "TXT")):
        with pytest.raises(ValidationFailed) as caught:
            rs.add_record(world.bob, zone, NewRecord(name, kind, "192.0.2.1"))
        assert caught.value.code == "delegation-conflict"
    found = {(r[0], r[1]): r for r in rows(zone)}
    # (name, type, content, ttl, prio, auth, ordername)
    assert found[(f"sub.{zone}", "NS")][5] is False
    assert found[(f"ns.sub.{zone}", "A")][5:] == (False, "")
    assert found[(f"sub.{zone}", "NS")][6] == "sub"
    assert found[(zone, "SOA")][5:] == (True, "")


def test_empty_non_terminals_get_their_rows_and_lose_them(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    made = rs.add_record(world.bob, zone, NewRecord("a.b.c", "A", "192.0.2.1"))
    ents = {r[0]: r for r in rows(zone) if r[1] == ""}
    assert set(ents) == {f"b.c.{zone}", f"c.{zone}"}
    assert ents[f"b.c.{zone}"][5:] == (True, "c b")
    # An empty non-terminal answers NOERROR without data, not NXDOMAIN.
    assert answers(f"c.{zone}", "A") == set()
    rs.delete_record(world.bob, zone, made.id)
    assert [r for r in rows(zone) if r[1] == ""] == []


def test_the_last_ns_of_the_apex_stays(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    ns = [r for r in rs.all_records(world.bob, zone) if r.record.type == "NS"]
    for r in ns[:-1]:
        rs.delete_record(world.bob, zone, r.id)
    with pytest.raises(ValidationFailed) as caught:
        rs.delete_record(world.bob, zone, ns[-1].id)
    assert caught.value.code == "last-ns"


def test_the_soa_is_the_panels_own(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    soa = rs.all_records(world.bob, zone)[0]
    assert soa.record.type == "SOA"
    assert soa.managed
    with pytest.raises(Forbidden):
        rs.update_record(world.bob, zone, soa.id, ttl=600)
    with pytest.raises(Forbidden):
        rs.delete_record(world.bob, zone, soa.id)


def test_a_record_exists_once(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    rs.add_record(world.bob, zone, NewRecord("www", "A", "192.0.2.1"))
    with pytest.raises(Conflict) as caught:
        rs.add_record(world.bob, zone, NewRecord(f"www.{zone}.", "A", "192.0.2.1", 600))
    assert caught.value.code == "record-exists"


# --- records: written, answered ------------------------------------------------------------------


def test_long_txt_is_split_into_255_byte_strings_and_answered_whole(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    key = "v=DKIM1; k=rsa; p=" + "A" * 600
    made = rs.add_record(world.bob, zone, NewRecord("sel._domainkey", "TXT", key))
    chunks = [key[i : i + 255] for i in range(0, len(key), 255)]
    assert made.record.content == " ".join(f'"{c}"' for c in chunks)
    until(f"sel._domainkey.{zone}", "TXT", {made.record.content})


def test_quotes_and_backslashes_in_txt_are_escaped(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    made = rs.add_record(world.bob, zone, NewRecord("q", "TXT", '"say \\"hi\\" \\\\ bye" "two"'))
    assert made.record.content == '"say \\"hi\\" \\\\ bye" "two"'
    until(f"q.{zone}", "TXT", {made.record.content})


def test_every_type_is_answered_as_written(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    cases = [
        ("@", "A", "192.0.2.10", "192.0.2.10"),
        ("@", "AAAA", "2001:DB8::10", "2001:db8::10"),
        ("www", "CNAME", f"{zone}", f"{zone}."),
        ("@", "MX", f"20 mx2.{zone}.", f"20 mx2.{zone}."),
        ("_sip._tcp", "SRV", "10 60 5060 sip.example.net", "10 60 5060 sip.example.net."),
        ("@", "CAA", '0 issue "letsencrypt.org"', '0 issue "letsencrypt.org"'),
        ("sub", "NS", "ns1.example.net", None),
        ("10", "PTR", "host.example.net", "host.example.net."),
        ("*.dev", "A", "192.0.2.11", "192.0.2.11"),
    ]
    for name, kind, content, _ in cases:
        rs.add_record(world.bob, zone, NewRecord(name, kind, content, 300))
    for name, kind, _, expected in cases:
        if expected is None:
            continue
        owner = zone if name == "@" else f"{name}.{zone}"
        if name.startswith("*"):
            owner = f"anything.dev.{zone}"
        assert expected in answers(owner, kind), (name, kind)


def test_every_change_raises_the_serial(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    serials = [services.get_zone(world.bob, zone).serial]
    made = rs.add_record(world.bob, zone, NewRecord("www", "A", "192.0.2.1"))
    serials.append(services.get_zone(world.bob, zone).serial)
    rs.update_record(world.bob, zone, made.id, content="192.0.2.2")
    serials.append(services.get_zone(world.bob, zone).serial)
    rs.delete_record(world.bob, zone, made.id)
    serials.append(services.get_zone(world.bob, zone).serial)
    assert serials == sorted(set(serials)), serials
    today = int(datetime.datetime.now(datetime.UTC).strftime("%Y%m%d")) * 100
    assert serials[0] >= today
    assert answers(zone, "SOA").pop().split()[2] == str(serials[-1])


def test_the_serial_scheme():
    day = datetime.date(2026, 11, 25)
    assert next_serial(0, day) == 2026112500
    assert next_serial(2026112500, day) == 2026112501
    assert next_serial(2026112599, day) == 2026112600
    assert next_serial(2027010100, day) == 2027010101
    assert next_serial(5, day) == 2026112500


def test_a_record_can_change_and_its_rrset_keeps_one_ttl(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    one = rs.add_record(world.bob, zone, NewRecord("www", "A", "192.0.2.1", 300))
    rs.add_record(world.bob, zone, NewRecord("www", "A", "192.0.2.2", 900))
    assert {r.record.ttl for r in rs.all_records(world.bob, zone) if r.name == "www"} == {900}
    changed = rs.update_record(world.bob, zone, one.id, name="web", content="192.0.2.9")
    assert (changed.name, changed.record.content) == ("web", "192.0.2.9")
    until(f"web.{zone}", "A", {"192.0.2.9"})
    until(f"www.{zone}", "A", {"192.0.2.2"})


def test_records_are_deleted_by_name_and_type_or_content(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    for last in (1, 2, 3):
        rs.add_record(world.bob, zone, NewRecord("www", "A", f"192.0.2.{last}"))
    assert len(rs.delete_records(world.bob, zone, "www", "A", "192.0.2.2")) == 1
    assert len(rs.delete_records(world.bob, zone, "www", "A")) == 2
    with pytest.raises(NotFound):
        rs.delete_records(world.bob, zone, "www", "A")


# --- zones ----------------------------------------------------------------------------------------


def test_a_zone_from_the_default_template(world, zone_name):
    settings_services.update_settings(
        world.admin,
        settings_services.SettingsChange(
            nameservers=["ns1.example.net", "ns2.example.net"], ipv4="192.0.2.80"
        ),
    )
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    assert answers(zone, "NS") == {"ns1.example.net.", "ns2.example.net."}
    assert answers(zone, "A") == {"192.0.2.80"}
    assert answers(f"www.{zone}", "A") == {"192.0.2.80"}
    assert answers(zone, "MX") == {f"10 mail.{zone}."}
    assert answers(zone, "AAAA") == set()
    assert answers(f"_dmarc.{zone}", "TXT") == {'"v=DMARC1; p=none"'}
    soa = answers(zone, "SOA").pop().split()
    assert soa[:2] == ["ns1.example.net.", f"hostmaster.{zone}."]
    event = AuditEvent.objects.get(action="dns.zone.create", target=zone)
    assert event.details["account"] == world.bob_account.name


def test_a_zone_name_exists_once_and_never_over_another_owners_names(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    with pytest.raises(Conflict) as caught:
        services.create_zone(world.alice, NewZone(zone))
    assert caught.value.code == "zone-exists"
    for taken in (f"sub.{zone}", f"a.b.{zone}"):
        with pytest.raises(Conflict) as caught:
            services.create_zone(world.alice, NewZone(taken))
        assert caught.value.code == "domain-taken"
    # Bob may split his own zone.
    services.create_zone(world.bob, NewZone(f"sub.{zone}"))
    # A site of Bob's blocks Alice from the zone above it.
    parent = zone_name()
    sites.create_site(world.bob, sites.NewSite(f"shop.{parent}"))
    with pytest.raises(Conflict) as caught:
        services.create_zone(world.alice, NewZone(parent))
    assert caught.value.code == "domain-taken"
    services.create_zone(world.bob, NewZone(parent))


def test_a_public_suffix_is_a_zone_for_administrators_only(world, no_daemon):
    for who in (world.alice, world.rita):
        with pytest.raises(ValidationFailed) as caught:
            services.plan_zone(who, NewZone("co.uk", account=world.alice_account.name))
        assert (caught.value.code, caught.value.field) == ("public-suffix", "name")
    # A provider's own suffix (its free subdomains' parent, say) is the admin's to serve.
    assert services.plan_zone(world.admin, NewZone("co.uk")).name == "co.uk"


def test_who_creates_zones_where(world, zone_name, no_daemon):
    for who, account in (
        (world.alice, world.bob_account.name),
        (world.rita, world.bob_account.name),
    ):
        with pytest.raises(NotFound) as caught:
            services.plan_zone(who, NewZone(zone_name(), account=account))
        assert caught.value.field == "account"
    with pytest.raises(ValidationFailed) as refused:
        services.plan_zone(world.rita, NewZone(zone_name()))
    assert refused.value.field == "account"
    with pytest.raises(Forbidden):
        services.plan_zone(replace(world.admin, read_only=True), NewZone(zone_name()))
    assert services.plan_zone(world.alice, NewZone(zone_name())).account == world.alice_account
    assert services.plan_zone(world.admin, NewZone(zone_name())).account is None


@pytest.mark.parametrize(
    "bad", ["", "localhost", "a..b", "-a.test", "x" * 300, "a b.test", "*.x.test"]
)
def test_a_hostile_zone_name_is_refused(world, no_daemon, bad):
    with pytest.raises(ValidationFailed) as caught:
        services.create_zone(world.admin, NewZone(bad))
    assert caught.value.field == "name"


def test_visibility_follows_the_accounts(world, zone_name):
    bobs = zone_of(world, zone_name, account=world.bob_account.name)
    alices = zone_of(world, zone_name, who=world.rita, account=world.alice_account.name)
    admins = zone_of(world, zone_name)
    assert {z.zone.name for z in services.list_zones(world.admin).items} == {bobs, alices, admins}
    assert [z.zone.name for z in services.list_zones(world.rita).items] == [alices]
    assert [z.zone.name for z in services.list_zones(world.alice).items] == [alices]
    assert [z.zone.name for z in services.list_zones(world.bob).items] == [bobs]
    for who in (world.alice, world.rita):
        for search in (bobs, "supercp", world.bob_account.name):
            assert bobs not in {z.zone.name for z in services.list_zones(who, search).items}
        assert services.list_zones(who, account=world.bob_account.name).total == 0
        with pytest.raises(NotFound) as caught:
            services.get_zone(who, bobs)
        with pytest.raises(NotFound) as missing:
            services.get_zone(who, "nosuchzone.supercp-test")
        assert (caught.value.code, caught.value.field) == (missing.value.code, missing.value.field)


def test_alice_cannot_read_or_change_bobs_zone_or_records(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    record = rs.add_record(world.bob, zone, NewRecord("www", "A", "192.0.2.1"))
    alice_zone = zone_of(world, zone_name, who=world.alice)
    before = snapshot(zone)
    attempts: list[Callable[[], object]] = [
        lambda: rs.list_records(world.alice, zone),
        lambda: rs.all_records(world.alice, zone),
        lambda: rs.get_record(world.alice, zone, record.id),
        lambda: rs.export_zone(world.alice, zone),
        lambda: rs.add_record(world.alice, zone, NewRecord("x", "A", "192.0.2.9")),
        lambda: rs.update_record(world.alice, zone, record.id, content="192.0.2.9"),
        lambda: rs.delete_record(world.alice, zone, record.id),
        lambda: rs.delete_records(world.alice, zone, "www", "A"),
        lambda: rs.import_zone(world.alice, zone, "@ 300 IN A 192.0.2.9\n"),
        lambda: rs.get_secondaries(world.alice, zone),
        lambda: rs.set_secondaries(world.alice, zone, ["192.0.2.99"]),
        lambda: services.delete_zone(world.alice, zone),
        lambda: services.secure_zone(world.alice, zone),
        lambda: services.unsecure_zone(world.alice, zone),
        lambda: services.dnssec(world.alice, zone),
        # Bob's record id through Alice's own zone is not found either.
        lambda: rs.get_record(world.alice, alice_zone, record.id),
        lambda: rs.update_record(world.alice, alice_zone, record.id, content="192.0.2.9"),
        lambda: rs.delete_record(world.alice, alice_zone, record.id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    assert snapshot(zone) == before


def test_a_read_only_actor_changes_nothing(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    record = rs.add_record(world.bob, zone, NewRecord("www", "A", "192.0.2.1"))
    ro = replace(world.bob, read_only=True)
    before = snapshot(zone)
    for attempt in (
        lambda: rs.add_record(ro, zone, NewRecord("x", "A", "192.0.2.9")),
        lambda: rs.update_record(ro, zone, record.id, content="192.0.2.9"),
        lambda: rs.delete_record(ro, zone, record.id),
        lambda: rs.import_zone(ro, zone, "x 300 IN A 192.0.2.9\n"),
        lambda: rs.set_secondaries(ro, zone, ["192.0.2.99"]),
        lambda: services.delete_zone(ro, zone),
        lambda: services.secure_zone(ro, zone),
        lambda: services.create_zone(ro, NewZone(zone_name())),
    ):
        with pytest.raises(Forbidden) as caught:
            attempt()
        assert caught.value.code == "read-only"
    assert snapshot(zone) == before
    assert rs.list_records(ro, zone).total == len(rs.all_records(world.bob, zone))


def test_deleting_a_zone_removes_it_from_powerdns(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    assert answers(zone, "SOA")
    services.delete_zone(world.bob, zone)
    assert rows(zone) == []
    assert not Zone.objects.filter(name=zone).exists()
    assert answers(zone, "SOA") == set()


def test_deleting_the_account_removes_its_zones(world, zone_name):
    zone = zone_of(world, zone_name, who=world.rita, account=world.alice_account.name)
    accounts.delete_account(world.rita, world.alice_account.name)
    assert rows(zone) == []
    assert not Zone.objects.filter(name=zone).exists()


# --- import and export ----------------------------------------------------------------------------

ZONE_FILE = """$ORIGIN {zone}.
$TTL 600
@ IN SOA ns1.example.net. hostmaster.example.net. ( 7 7200 1800 1209600 300 )
@ IN NS ns1.example.net.
@ IN NS ns2.example.net.
@ IN A 192.0.2.1
@ IN AAAA 2001:db8::1
@ 300 IN MX 10 mail
@ IN TXT "v=spf1 mx -all"
@ IN CAA 0 issue "letsencrypt.org"
mail IN A 192.0.2.2
www IN CNAME @
_sip._tcp IN SRV 10 60 5060 sip.example.net.
long IN TXT "{long}" "second string"
deep.er.name IN A 192.0.2.3
*.wild IN A 192.0.2.4
sub IN NS ns.sub
ns.sub IN A 192.0.2.53
"""


def test_import_export_and_every_answer_round_trip(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    text = ZONE_FILE.format(zone=zone, long="x" * 255)
    done = rs.import_zone(world.bob, zone, text)
    assert done.records == 15
    exported = rs.export_zone(world.bob, zone)
    # The export imports again to the same rows, and every record answers as imported.
    before = rows(zone)
    rs.import_zone(world.bob, zone, exported)
    assert [r for r in rows(zone) if r[1] != "SOA"] == [r for r in before if r[1] != "SOA"]
    assert rs.export_zone(world.bob, zone).replace(str(done.serial), "") != ""
    for view in rs.all_records(world.bob, zone):
        r = view.record
        if r.type == "SOA" or r.name.endswith(f"sub.{zone}"):
            continue
        owner = r.name.replace("*", "any")
        got = answers(owner, r.type)
        assert got, (owner, r.type)
    assert answers(zone, "MX") == {f"10 mail.{zone}."}
    assert answers(f"long.{zone}", "TXT") == {f'"{"x" * 255}" "second string"'}
    soa = answers(zone, "SOA").pop().split()
    assert soa[:2] == ["ns1.example.net.", "hostmaster.example.net."]
    assert soa[3:] == ["7200", "1800", "1209600", "300"]


def test_import_replaces_and_keeps_the_zones_ns_when_the_file_has_none(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    rs.add_record(world.bob, zone, NewRecord("old", "A", "192.0.2.1"))
    ns = answers(zone, "NS")
    rs.import_zone(world.bob, zone, "new 300 IN A 192.0.2.2\n")
    assert answers(f"old.{zone}", "A") == set()
    assert answers(f"new.{zone}", "A") == {"192.0.2.2"}
    assert answers(zone, "NS") == ns


@pytest.mark.parametrize(
    "text",
    [
        "$ORIGIN other.test.\n@ 300 IN A 192.0.2.1\n",
        "$INCLUDE /etc/passwd\n",
        "$GENERATE 1-10 host$ A 192.0.2.$\n",
        "www 300 IN A 192.0.2.1\nwww 300 IN CNAME x.example.net.\n",
        'txt 300 IN TXT "a\\010b"\n',
        "x 300 IN HINFO PC Linux\n",
        "x 5 IN A 192.0.2.1\n",
        "x.other.test. 300 IN A 192.0.2.1\n",
        "x 300 CH A 192.0.2.1\n",
        "this is not a zone file\n",
    ],
)
def test_a_bad_zone_file_is_refused_with_nothing_written(world, zone_name, text):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    before = snapshot(zone)
    with pytest.raises(ValidationFailed) as caught:
        rs.import_zone(world.bob, zone, text)
    assert caught.value.field == "zone_file"
    assert snapshot(zone) == before


def test_a_zone_is_created_from_a_zone_file(world, zone_name):
    name = zone_name()
    services.create_zone(
        world.alice, NewZone(name, zone_file=ZONE_FILE.format(zone=name, long="y"))
    )
    assert answers(f"mail.{name}", "A") == {"192.0.2.2"}


# --- secondaries ----------------------------------------------------------------------------------


def test_secondaries_are_metadata_with_the_servers_own(world, zone_name):
    zone = zone_of(world, zone_name, account=world.bob_account.name)
    rs.set_secondaries(world.bob, zone, ["192.0.2.7", "2001:db8::7", "192.0.2.7"])
    settings_services.update_settings(
        world.admin, settings_services.SettingsChange(secondaries=["198.51.100.1"])
    )
    with pdns.transaction() as tx:
        domain = tx.domain(zone)
        assert domain is not None
        expected = ["192.0.2.7", "198.51.100.1", "2001:db8::7"]
        assert sorted(tx.metadata(domain.id, "ALSO-NOTIFY")) == expected
        assert sorted(tx.metadata(domain.id, "ALLOW-AXFR-FROM")) == expected
    with pytest.raises(ValidationFailed):
        rs.set_secondaries(world.bob, zone, ["not-an-address"])
    found = rs.get_secondaries(world.bob, zone)
    assert (found.own, found.server) == (["192.0.2.7", "2001:db8::7"], ["198.51.100.1"])


def test_a_change_of_the_servers_secondaries_refreshes_every_zone(world, zone_name, monkeypatch):
    zones = {zone_of(world, zone_name, account=world.bob_account.name) for _ in range(12)}
    refreshed: list[str] = []
    real = services._refresh

    def counted(zone: str) -> None:
        refreshed.append(zone)
        real(zone)

    monkeypatch.setattr(settings_services, "_refresh", counted)
    settings_services.update_settings(
        world.admin, settings_services.SettingsChange(secondaries=["198.51.100.2"])
    )
    assert sorted(refreshed) == sorted(Zone.objects.values_list("name", flat=True))
    assert zones <= set(refreshed)


# --- sites offer their zone ----------------------------------------------------------------------


def test_a_site_creates_its_zone_when_asked(world, zone_name):
    name = zone_name("site")
    sites.create_site(world.bob, sites.NewSite(name, create_zone=True))
    view = services.get_zone(world.bob, name)
    assert view.zone.account == world.bob_account
    assert answers(name, "SOA")
    # A site under that zone makes none of its own.
    sites.create_site(world.bob, sites.NewSite(f"blog.{name}", create_zone=True))
    assert not Zone.objects.filter(name=f"blog.{name}").exists()


def test_a_site_whose_zone_is_refused_is_not_created(world, zone_name):
    taken = zone_of(world, zone_name, account=world.bob_account.name)
    with pytest.raises(Conflict) as caught:
        sites.create_site(world.alice, sites.NewSite(f"shop.{taken}", create_zone=True))
    assert caught.value.field in ("create_zone", "domain")
    assert not Site.objects.filter(domain=f"shop.{taken}").exists()
