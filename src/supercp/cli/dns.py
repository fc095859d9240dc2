"""`super-cli dns zone …` and `super-cli dns record …`: DNS through the panel's service layer.

Like `super-cli site`, these run the panel's service functions in this process (as root, with
the panel's settings), acting as an admin that the audit log records as "root (super-cli)":
the same checks as the panel's, the records written to PowerDNS's database, and the daemon
asked to refresh the zone after each change.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from supercp.cli.context import JsonOption, use_json
from supercp.cli.groups import Group
from supercp.cli.output import console, host_name, out
from supercp.cli.panel import django_panel

if TYPE_CHECKING:
    from supercp.protocol.dns import DnssecState
    from supercp.web.dns.services import RecordView, ZoneView

app = typer.Typer(help="DNS zones and records (PowerDNS).", no_args_is_help=True)
zone_app = typer.Typer(help="DNS zones.", no_args_is_help=True)
record_app = typer.Typer(help="The records of a zone.", no_args_is_help=True)
app.add_typer(zone_app, name="zone")
app.add_typer(record_app, name="record")

Zone = Annotated[str, typer.Argument(help="The zone's name, such as example.com.")]
Account = Annotated[
    str | None,
    typer.Option("--account", help="The hosting account that owns it (none: the admins')."),
]


def _zone_json(view: ZoneView) -> dict[str, Any]:
    from supercp.web.dns.schemas import ZoneOut

    return ZoneOut.of(view).model_dump(mode="json")


def _record_json(view: RecordView) -> dict[str, Any]:
    from supercp.web.dns.schemas import RecordOut

    return RecordOut.of(view).model_dump(mode="json")


def _print_dnssec(state: DnssecState) -> None:
    console.print(f"DNSSEC for [bold]{state.zone}[/]: {'on' if state.secured else 'off'}")
    for key in state.keys:
        if key.active and key.ds:
            console.print(f"  DS for the registrar ({key.kind} {key.id}):", highlight=False)
            for ds in key.ds:
                console.print(f"    {state.zone}. IN DS {ds}", highlight=False)


# --- zones ----------------------------------------------------------------------------------------


@zone_app.command("create")
def zone_create(
    zone: Zone,
    account: Account = None,
    template: Annotated[
        str | None, typer.Option("--template", help="A zone template (default: the default).")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Create a zone from a template."""
    use_json(json)
    with out.progress(f"Creating zone {zone}…"), django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.dns import services

        view = services.create_zone(
            Actor.root(), services.NewZone(zone, account=account, template=template)
        )
        if out.json:
            out.emit({"zone": _zone_json(view), "created": True})
            return
        shown = host_name(view.zone.name, view.zone.display_name)
        console.print(f"Created zone [bold]{shown}[/] ({view.records} records)")


@zone_app.command("list")
def zone_list(
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account's zones.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """List the zones."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.dns import services

        zones = services.all_zones(Actor.root(), account)
        if out.json:
            out.emit({"zones": [_zone_json(z) for z in zones]})
            return
        table = Table(
            "Zone", "Account", "Records", "Serial", "DNSSEC", title=f"{len(zones)} zone(s)"
        )
        for z in zones:
            table.add_row(
                host_name(z.zone.name, z.zone.display_name),
                z.zone.account.name if z.zone.account else "-",
                str(z.records),
                str(z.serial),
                "on" if z.secured else "off",
            )
        console.print(table)


@zone_app.command("delete")
def zone_delete(zone: Zone, json: JsonOption = False) -> None:
    """Delete a zone with all its records and keys."""
    use_json(json)
    with out.progress(f"Deleting zone {zone}…"), django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.dns import services

        services.delete_zone(Actor.root(), zone)
    if out.json:
        out.emit({"zone": zone, "deleted": True})
    else:
        console.print(f"Deleted zone [bold]{zone}[/]")


@zone_app.command("import")
def zone_import(
    zone: Zone,
    file: Annotated[Path, typer.Argument(help="An RFC 1035 zone file; '-' reads stdin.")],
    account: Account = None,
    json: JsonOption = False,
) -> None:
    """Replace a zone's records with a zone file's (a zone that does not exist is created)."""
    use_json(json)
    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    with out.progress(f"Importing {zone}…"), django_panel():
        from supercp.protocol.errors import NotFound
        from supercp.web.core.authz import Actor
        from supercp.web.dns import record_services, services

        actor = Actor.root()
        try:
            existing = services.get_zone(actor, zone)
        except NotFound:
            existing = None
        if existing is None:
            view = services.create_zone(
                actor, services.NewZone(zone, account=account, zone_file=text)
            )
            result = {"zone": view.zone.name, "records": view.records - 1, "serial": view.serial}
            created = True
        else:
            done = record_services.import_zone(actor, zone, text)
            result = {"zone": done.zone, "records": done.records, "serial": done.serial}
            created = False
    if out.json:
        out.emit({**result, "created": created})
    else:
        verb = "Created" if created else "Replaced"
        console.print(f"{verb} zone [bold]{result['zone']}[/]: {result['records']} records")


@zone_app.command("export")
def zone_export(zone: Zone, json: JsonOption = False) -> None:
    """Print a zone as a zone file."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.dns import record_services

        text = record_services.export_zone(Actor.root(), zone)
    if out.json:
        out.emit({"zone": zone, "zone_file": text})
    else:
        sys.stdout.write(text)


@zone_app.command("secure")
def zone_secure(
    zone: Zone,
    algorithm: Annotated[
        str, typer.Option("--algorithm", help="ecdsap256sha256 (default) or ed25519.")
    ] = "ecdsap256sha256",
    json: JsonOption = False,
) -> None:
    """Sign a zone with DNSSEC and print the DS records for the registrar."""
    use_json(json)
    with out.progress(f"Signing {zone}…"), django_panel():
        from supercp.cli.context import build
        from supercp.protocol.dns import SecureParams
        from supercp.web.core.authz import Actor
        from supercp.web.dns import services

        checked = build(SecureParams, zone="example.com", algorithm=algorithm)
        state = services.secure_zone(Actor.root(), zone, checked.algorithm)
    if out.json:
        out.emit(state)
    else:
        _print_dnssec(state)


@zone_app.command("unsecure")
def zone_unsecure(zone: Zone, json: JsonOption = False) -> None:
    """Turn DNSSEC off for a zone (remove its DS at the registrar first)."""
    use_json(json)
    with out.progress(f"Unsigning {zone}…"), django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.dns import services

        state = services.unsecure_zone(Actor.root(), zone)
    if out.json:
        out.emit(state)
    else:
        _print_dnssec(state)


# --- server-wide defaults -------------------------------------------------------------------------


def outgoing_addresses() -> dict[int, str]:
    """The addresses the routing table picks for outside traffic, by IP version.

    Connecting a UDP socket to a documentation address sends nothing; it only picks the
    route and so the source address. Behind NAT that is the inner address, which an admin
    then changes. Link-local and unique local addresses reach nobody outside.
    """
    found: dict[int, str] = {}
    for version, family, probe in (
        (4, socket.AF_INET, "192.0.2.1"),
        (6, socket.AF_INET6, "2001:db8::1"),
    ):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                address = ipaddress.ip_address(udp.getsockname()[0])
        except OSError:
            continue
        unique_local = version == 6 and address in ipaddress.ip_network("fc00::/7")
        if not (address.is_link_local or address.is_loopback or unique_local):
            found[version] = str(address)
    return found


@app.command("defaults")
def defaults(  # noqa: PLR0917 (typer maps each parameter to an option)
    ipv4: Annotated[
        str | None, typer.Option("--ipv4", help="The server's IPv4 address ({ipv4}).")
    ] = None,
    ipv6: Annotated[
        str | None, typer.Option("--ipv6", help="The server's IPv6 address ({ipv6}).")
    ] = None,
    nameserver: Annotated[
        list[str] | None,
        typer.Option("--nameserver", help="A name server of new zones (repeat for more)."),
    ] = None,
    soa_contact: Annotated[
        str | None, typer.Option("--soa-contact", help="The SOA contact, as an e-mail address.")
    ] = None,
    if_unset: Annotated[
        bool,
        typer.Option("--if-unset", help="Set only what is still empty (the installer's way)."),
    ] = False,
    this_server: Annotated[
        bool,
        typer.Option("--this-server", help="IPv4 and IPv6: the addresses this server sends from."),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Show the defaults of new zones, or change the ones given."""
    use_json(json)
    if this_server:
        found = outgoing_addresses()
        ipv4, ipv6 = ipv4 or found.get(4), ipv6 or found.get(6)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.dns import settings_services
        from supercp.web.dns.schemas import SettingsOut

        root = Actor.root()
        row = settings_services.get_settings(root)

        def unless_set(key: str, value: Any) -> Any:
            return None if if_unset and getattr(row, key) else value

        change = settings_services.SettingsChange(
            ipv4=unless_set("ipv4", ipv4),
            ipv6=unless_set("ipv6", ipv6),
            nameservers=unless_set("nameservers", nameserver or None),
            soa_contact=unless_set("soa_contact", soa_contact),
        )
        changed = [k for k, v in vars(change).items() if v is not None]
        if changed:
            row = settings_services.update_settings(root, change)
        shown = SettingsOut.of(row).model_dump(mode="json")
        if out.json:
            out.emit({"defaults": shown, "changed": changed})
            return
        for key, value in shown.items():
            console.print(f"{key}: {value}", highlight=False)


# --- records --------------------------------------------------------------------------------------


@record_app.command("add")
def record_add(  # noqa: PLR0917 (typer maps each parameter to an argument or option)
    zone: Zone,
    name: Annotated[str, typer.Argument(help="Relative to the zone: '@' the apex, 'www'.")],
    kind: Annotated[str, typer.Argument(metavar="TYPE", help="A, AAAA, CNAME, MX, TXT, …")],
    content: Annotated[
        str, typer.Argument(help="The data, names in full ('10 mail.example.com').")
    ],
    ttl: Annotated[int | None, typer.Option("--ttl", help="Seconds (60 to 604800).")] = None,
    json: JsonOption = False,
) -> None:
    """Add a record to a zone."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.dns import record_services

        view = record_services.add_record(
            Actor.root(), zone, record_services.NewRecord(name, kind, content, ttl)
        )
        if out.json:
            out.emit({"record": _record_json(view)})
            return
        console.print(
            f"Added {view.name} {view.record.ttl} {view.record.type} {view.record.data}"
            f"  (id {view.id})",
            highlight=False,
        )


@record_app.command("list")
def record_list(zone: Zone, json: JsonOption = False) -> None:
    """List a zone's records."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.dns import record_services

        views = record_services.all_records(Actor.root(), zone)
        if out.json:
            out.emit({"zone": zone, "records": [_record_json(v) for v in views]})
            return
        table = Table("Id", "Name", "TTL", "Type", "Content", title=f"{len(views)} record(s)")
        for v in views:
            table.add_row(str(v.id), v.name, str(v.record.ttl), v.record.type, v.record.data)
        console.print(table)


@record_app.command("delete")
def record_delete(  # noqa: PLR0917 (typer maps each parameter to an argument or option)
    zone: Zone,
    name: Annotated[
        str | None, typer.Argument(help="The record's name ('@' the apex); not with --id.")
    ] = None,
    kind: Annotated[str | None, typer.Argument(metavar="[TYPE]", help="Its type.")] = None,
    content: Annotated[
        str | None,
        typer.Argument(metavar="[CONTENT]", help="Only the record with this data (else all)."),
    ] = None,
    record_id: Annotated[
        int | None, typer.Option("--id", help="Delete the record with this id instead.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Delete records: NAME TYPE (every record of that name and type), NAME TYPE CONTENT
    (that one record), or --id N (as `dns record list` shows it)."""
    use_json(json)
    from supercp.protocol.errors import ValidationFailed

    if (record_id is None) == (name is None or kind is None) or (
        record_id is not None and name is not None
    ):
        raise ValidationFailed("give NAME TYPE [CONTENT], or --id", code="usage")
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.dns import record_services

        if record_id is not None:
            gone = [record_services.delete_record(Actor.root(), zone, record_id)]
        else:
            assert name is not None
            assert kind is not None
            gone = record_services.delete_records(Actor.root(), zone, name, kind, content)
        if out.json:
            out.emit({"zone": zone, "deleted": [_record_json(v) for v in gone]})
            return
        for v in gone:
            console.print(
                f"Deleted {v.name} {v.record.type} {v.record.data}  (id {v.id})", highlight=False
            )


GROUPS = [
    Group(
        "dns",
        app,
        reaches={
            "dns.zone.refresh": "dns record add",
            "dns.zone.secure": "dns zone secure",
            "dns.zone.unsecure": "dns zone unsecure",
        },
        not_offered={
            "dns.zone.dnssec": "the panel's zone page shows the keys; `zone secure` prints them",
            "dns.zone.rectify": "every refresh of a signed zone rectifies it; kept for repairs",
        },
    )
]
