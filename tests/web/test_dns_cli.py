"""super-cli dns zone … and dns record …, run in-process on the test database."""

from __future__ import annotations

import json
import socket
from typing import ClassVar

import idna
import pytest

from supercp.cli import dns as dns_cli
from supercp.cli.main import main
from supercp.web.core.models import AuditEvent
from tests.web.dns_helpers import answers, snapshot
from tests.web.test_dns_services import ZONE_FILE

pytestmark = pytest.mark.usefixtures("sites_cleanup")


def cli(capsys, *args: str) -> tuple[int, dict]:
    code = main(["--json", *args])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines
    return code, json.loads(lines[0])


def test_a_zone_and_its_records_from_the_shell(world, capsys, zone_name, tmp_path):
    zone = zone_name()
    code, body = cli(capsys, "dns", "zone", "create", zone, "--account", world.bob_account.name)
    assert code == 0, body
    assert (body["zone"]["name"], body["zone"]["account"]) == (zone, world.bob_account.name)
    code, body = cli(capsys, "dns", "record", "add", zone, "www", "A", "192.0.2.40", "--ttl", "300")
    assert code == 0, body
    record = body["record"]
    assert (record["name"], record["type"], record["content"], record["ttl"]) == (
        "www",
        "A",
        "192.0.2.40",
        300,
    )
    assert answers(f"www.{zone}", "A") == {"192.0.2.40"}
    cli(capsys, "dns", "record", "add", zone, "www", "A", "192.0.2.41")
    listed = cli(capsys, "dns", "record", "list", zone)[1]["records"]
    assert listed[0]["type"] == "SOA"
    assert {r["content"] for r in listed if r["name"] == "www"} == {"192.0.2.40", "192.0.2.41"}
    assert [z["name"] for z in cli(capsys, "dns", "zone", "list")[1]["zones"]] == [zone]
    code, body = cli(capsys, "dns", "record", "delete", zone, "www", "A", "192.0.2.40")
    assert (code, len(body["deleted"])) == (0, 1)
    code, body = cli(capsys, "dns", "record", "delete", zone, "--id", str(record["id"]))
    assert body["error"]["code"] == "not-found"
    remaining = next(
        r for r in cli(capsys, "dns", "record", "list", zone)[1]["records"] if r["name"] == "www"
    )
    code, body = cli(capsys, "dns", "record", "delete", zone, "--id", str(remaining["id"]))
    assert code == 0, body
    assert answers(f"www.{zone}", "A") == set()
    code, body = cli(capsys, "dns", "zone", "export", zone)
    assert code == 0
    exported = tmp_path / "zone.txt"
    exported.write_text(body["zone_file"])
    code, body = cli(capsys, "dns", "zone", "import", zone, str(exported))
    assert (code, body["created"]) == (0, False)
    code, body = cli(capsys, "dns", "zone", "delete", zone)
    assert (code, body["deleted"]) == (0, True)
    assert AuditEvent.objects.filter(action="dns.zone.delete", target=zone).get().actor is None


def test_import_creates_a_missing_zone(world, capsys, zone_name, tmp_path):
    zone = zone_name()
    path = tmp_path / "zone.txt"
    path.write_text(ZONE_FILE.format(zone=zone, long="cli"))
    code, body = cli(
        capsys, "dns", "zone", "import", zone, str(path), "--account", world.bob_account.name
    )
    assert (code, body["created"], body["records"]) == (0, True, 15)
    assert answers(f"mail.{zone}", "A") == {"192.0.2.2"}


def test_dnssec_from_the_shell(world, capsys, zone_name):
    zone = zone_name()
    cli(capsys, "dns", "zone", "create", zone)
    code, body = cli(capsys, "dns", "zone", "secure", zone)
    assert (code, body["secured"]) == (0, True)
    assert any(k["ds"] for k in body["keys"])
    code, body = cli(capsys, "dns", "zone", "unsecure", zone)
    assert (code, body["secured"]) == (0, False)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["www", "TXT", "a\nb"], "content"),
        (["evil.example.com.", "A", "192.0.2.1"], "name"),
        (["a" * 64, "A", "192.0.2.1"], "name"),
        (["@", "CNAME", "example.net"], "type"),
    ],
)
def test_hostile_records_are_refused_from_the_shell(world, capsys, zone_name, args, field):
    zone = zone_name()
    cli(capsys, "dns", "zone", "create", zone)
    before = snapshot(zone)
    code, body = cli(capsys, "dns", "record", "add", zone, *args)
    assert code == 1
    assert body["error"]["field"] == field
    assert snapshot(zone) == before


def test_a_site_with_its_zone_from_the_shell(world, capsys, zone_name):
    name = zone_name("site")
    code, body = cli(capsys, "site", "create", name, "--account", world.bob_account.name, "--zone")
    assert code == 0, body
    assert answers(name, "SOA")


def test_the_zone_table_shows_an_idn_zones_a_label_beside_its_unicode_name(
    world, capsys, monkeypatch, zone_name
):
    # Wide enough that rich keeps the name on one line of its cell.
    monkeypatch.setenv("COLUMNS", "250")
    zone = zone_name("bücher-")
    a_label = idna.encode(zone).decode()
    code, body = cli(capsys, "dns", "zone", "create", zone)
    assert code == 0, body
    assert (body["zone"]["name"], body["zone"]["display_name"]) == (a_label, zone)
    assert main(["dns", "zone", "list"]) == 0
    assert f"{zone} ({a_label})" in capsys.readouterr().out


def test_a_missing_zone_is_not_found(world, capsys):
    code, body = cli(capsys, "dns", "record", "list", "nosuch.supercp-test")
    assert (code, body["error"]["code"]) == (1, "not-found")


def test_the_installer_sets_the_server_addresses_only_while_unset(world, capsys):
    code, body = cli(capsys, "dns", "defaults", "--ipv4", "192.0.2.10", "--if-unset")
    assert code == 0, body
    assert (body["defaults"]["ipv4"], body["changed"]) == ("192.0.2.10", ["ipv4"])
    code, body = cli(capsys, "dns", "defaults", "--ipv4", "192.0.2.99", "--if-unset")
    assert (body["defaults"]["ipv4"], body["changed"]) == ("192.0.2.10", [])
    code, body = cli(capsys, "dns", "defaults", "--ipv4", "192.0.2.99")
    assert (body["defaults"]["ipv4"], body["changed"]) == ("192.0.2.99", ["ipv4"])


def test_this_server_fills_in_the_address_it_sends_from(world, capsys):
    found = dns_cli.outgoing_addresses()
    code, body = cli(capsys, "dns", "defaults", "--this-server")
    assert code == 0, body
    assert body["defaults"]["ipv4"] == found.get(4, "")
    assert body["defaults"]["ipv6"] == found.get(6, "")


class RoutedTo:
    """A UDP socket whose route picks the source address ``sources`` has for its family."""

    sources: ClassVar[dict[int, str]] = {}

    def __init__(self, family: int, kind: int) -> None:
        self.family = family

    def __enter__(self) -> RoutedTo:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def connect(self, address: tuple[str, int]) -> None:
        if self.family not in self.sources:
            raise OSError("Network is unreachable")

    def getsockname(self) -> tuple[str, int]:
        return self.sources[self.family], 4242


@pytest.mark.parametrize(
    ("v4", "v6", "found"),
    [
        ("198.51.100.7", "2001:db8:1::7", {4: "198.51.100.7", 6: "2001:db8:1::7"}),
        ("198.51.100.7", "fe80::1", {4: "198.51.100.7"}),
        ("198.51.100.7", "fd12:3456::1", {4: "198.51.100.7"}),
        ("127.0.0.1", None, {}),
    ],
)
def test_outgoing_addresses_leave_out_what_only_this_link_reaches(monkeypatch, v4, v6, found):
    sources = {socket.AF_INET: v4, **({socket.AF_INET6: v6} if v6 else {})}
    monkeypatch.setattr(RoutedTo, "sources", sources)
    monkeypatch.setattr(socket, "socket", RoutedTo)
    assert dns_cli.outgoing_addresses() == found


def test_a_bad_default_address_is_refused_at_its_field(world, capsys):
    code, body = cli(capsys, "dns", "defaults", "--ipv6", "192.0.2.1")
    assert (code, body["error"]["field"]) == (1, "ipv6")
    code, body = cli(capsys, "dns", "defaults")
    assert body["defaults"]["ipv6"] == ""
