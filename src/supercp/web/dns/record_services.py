"""A zone's contents: its records, zone-file import and export, its secondary servers.

The second half of the DNS service layer (services.py has the zones themselves, and the
rules of who sees what, which these functions start from). Every change reads the zone's
rows under the zone's lock, checks the zone as it would be afterwards (rules.py), writes the
difference, bumps the serial and rectifies in one PowerDNS transaction, audits it in the
panel's, and then has the daemon refresh the zone.

A record is addressed by its id (PowerDNS's row id) within its zone: an id of another zone
is not found, whoever owns that zone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

from django.db import transaction

from supercp.protocol.errors import Forbidden, NotFound
from supercp.web.core import audit
from supercp.web.core.authz import Actor, require_writable
from supercp.web.core.services import Page
from supercp.web.dns import pdns, records, rules, zonedata, zonefile
from supercp.web.dns.models import Zone
from supercp.web.dns.records import Record
from supercp.web.dns.rectify import Order
from supercp.web.dns.server import check_secondaries, defaults_of, settings_row
from supercp.web.dns.services import (
    KEEP,
    Keep,
    RecordView,
    _find,
    _refresh,
    check_list,
)
from supercp.web.dns.zonefile import Soa


@dataclass
class Editing:
    """A zone under change: its lock is held until the block ends."""

    actor: Actor
    zone: Zone
    tx: pdns.Tx
    domain: pdns.Domain
    rows: list[pdns.Row]

    @property
    def records(self) -> list[Record]:
        return [r.record() for r in self.rows if r.type is not None]


@contextlib.contextmanager
def _editing(actor: Actor, name: str) -> Iterator[Editing]:
    """Lock a zone the actor may change, in both databases; refresh it after the commit."""
    require_writable(actor)
    with transaction.atomic():
        zone = _find(actor, name, lock=True)
        with pdns.transaction() as tx:
            domain = zonedata.domain(tx, zone.name)
            yield Editing(actor, zone, tx, domain, tx.rows(domain.id))
    _refresh(zone.name)


def _finish(edit: Editing, *, at_least: int = 0) -> int:
    """The end of every change: rectify (unsigned zones) and a new serial."""
    zonedata.settle(edit.tx, edit.domain.id, edit.zone.name, edit.tx.rows(edit.domain.id))
    return zonedata.bump_serial(edit.tx, edit.domain.id, at_least)


def _view(zone: str, row: pdns.Row) -> RecordView:
    return RecordView(row.id, zone, row.record())


# --- reading --------------------------------------------------------------------------------------


def list_records(
    actor: Actor,
    zone: str,
    search: str = "",
    *,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 100,
) -> Page[RecordView]:
    """A visible zone's records, SOA first, then by name and type; ``search`` in name or data."""
    check_list(search, page, per_page)
    found = _find(actor, zone)
    wanted = None if kind is None else records.rdtype(kind, "type", (*records.TYPES, "SOA"))
    term = search.lower()
    with pdns.transaction() as tx:
        domain = zonedata.domain(tx, found.name)
        rows = [r for r in tx.rows(domain.id) if r.type is not None]
    rows.sort(key=lambda r: (r.type != "SOA", r.name != found.name, r.name, r.type, r.id))
    if wanted is not None:
        rows = [r for r in rows if r.type == wanted]
    if term:
        rows = [
            r
            for r in rows
            if term in r.name
            or term in r.content.lower()
            or term in records.relative(r.name, found.name)
        ]
    start = (page - 1) * per_page
    return Page(
        [_view(found.name, r) for r in rows[start : start + per_page]], len(rows), page, per_page
    )


def all_records(actor: Actor, zone: str) -> list[RecordView]:
    """Every record of a visible zone (super-cli)."""
    found = _find(actor, zone)
    with pdns.transaction() as tx:
        domain = zonedata.domain(tx, found.name)
        rows = [r for r in tx.rows(domain.id) if r.type is not None]
    rows.sort(key=lambda r: (r.type != "SOA", r.name != found.name, r.name, r.type, r.id))
    return [_view(found.name, r) for r in rows]


def get_record(actor: Actor, zone: str, record_id: int) -> RecordView:
    found = _find(actor, zone)
    with pdns.transaction() as tx:
        domain = zonedata.domain(tx, found.name)
        row = tx.row(domain.id, record_id)
    if row is None:
        raise _no_record(record_id)
    return _view(found.name, row)


def _changeable(edit: Editing, record_id: int) -> pdns.Row:
    """The zone's record of that id, which must not be the SOA (the panel's own)."""
    found = next((r for r in edit.rows if r.id == record_id and r.type is not None), None)
    if found is None:
        raise _no_record(record_id)
    if found.type == "SOA":
        raise Forbidden("the SOA record is the panel's own", code="soa-managed", field="type")
    return found


def _no_record(record_id: int) -> NotFound:
    return NotFound(f"no record {record_id} in this zone", field="id")


def export_zone(actor: Actor, zone: str) -> str:
    """A visible zone as a master file (RFC 1035)."""
    found = _find(actor, zone)
    with pdns.transaction() as tx:
        domain = zonedata.domain(tx, found.name)
        rows = [r for r in tx.rows(domain.id) if r.type is not None]
    soa_rows = [r for r in rows if r.type == "SOA"]
    if not soa_rows:
        raise NotFound("the zone has no SOA record", code="dns-zone-missing")
    soa = Soa.parse(soa_rows[0].content, soa_rows[0].ttl)
    return zonefile.render(found.name, soa, [r.record() for r in rows if r.type != "SOA"])


# --- changing records -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewRecord:
    """A record as the user typed it: name relative to the zone, data in master-file syntax."""

    name: str
    type: str
    content: str
    ttl: int | None = None


def _same_ttl(edit: Editing, record: Record, skip: int | None = None) -> None:
    """One TTL per RRset (RFC 2181 5.2): the record's TTL becomes its RRset's."""
    others = [
        r
        for r in edit.rows
        if r.name == record.name and r.type == record.type and r.id != skip and r.ttl != record.ttl
    ]
    if others:
        edit.tx.set_ttl(edit.domain.id, record.name, record.type, record.ttl)


def add_record(actor: Actor, zone: str, new: NewRecord) -> RecordView:
    """Add a record; the zone is checked as it will be with it."""
    require_writable(actor)
    settings = defaults_of(settings_row())
    with _editing(actor, zone) as edit:
        record = records.build(
            edit.zone.name, new.name, new.type, new.content, new.ttl, default_ttl=settings.ttl
        )
        rules.check_zone(edit.zone.name, [*edit.records, record], touched={record.name})
        rules.check_alias_unsigned([record], bool(edit.tx.signed([edit.domain.id])))
        _same_ttl(edit, record)
        # auth and ordername are settled below (or by the daemon's rectify when signed).
        record_id = edit.tx.insert_one(edit.domain.id, record, Order(True, None))
        serial = _finish(edit)
        audit.record(
            actor,
            "dns.record.create",
            edit.zone.name,
            id=record_id,
            **_details(edit, record),
            serial=serial,
        )
    return RecordView(record_id, edit.zone.name, record)


def update_record(
    actor: Actor,
    zone: str,
    record_id: int,
    *,
    name: str | Keep = KEEP,
    type: str | Keep = KEEP,
    content: str | Keep = KEEP,
    ttl: int | Keep | None = KEEP,
) -> RecordView:
    """Change a record's name, type, data or TTL; the zone is checked as it will be."""
    require_writable(actor)
    with _editing(actor, zone) as edit:
        old = _changeable(edit, record_id)
        current = old.record()
        record = records.build(
            edit.zone.name,
            current.name + "." if isinstance(name, Keep) else name,
            current.type if isinstance(type, Keep) else type,
            current.data if isinstance(content, Keep) else content,
            current.ttl if isinstance(ttl, Keep) else ttl,
            default_ttl=defaults_of(settings_row()).ttl,
        )
        others = [r.record() for r in edit.rows if r.type is not None and r.id != record_id]
        rules.check_zone(edit.zone.name, [*others, record], touched={record.name, current.name})
        rules.check_alias_unsigned([record], bool(edit.tx.signed([edit.domain.id])))
        edit.tx.update(edit.domain.id, record_id, record)
        _same_ttl(edit, record, skip=record_id)
        serial = _finish(edit)
        audit.record(
            actor,
            "dns.record.update",
            edit.zone.name,
            id=record_id,
            before=_details(edit, current),
            **_details(edit, record),
            serial=serial,
        )
    return RecordView(record_id, edit.zone.name, record)


def delete_record(actor: Actor, zone: str, record_id: int) -> RecordView:
    """Delete one record by its id."""
    require_writable(actor)
    with _editing(actor, zone) as edit:
        old = _changeable(edit, record_id)
        gone = _delete(edit, [old])
    return gone[0]


def delete_records(
    actor: Actor, zone: str, name: str, kind: str, content: str | None = None
) -> list[RecordView]:
    """Delete the records of a name and type (only the one with ``content`` if given)."""
    require_writable(actor)
    with _editing(actor, zone) as edit:
        owner = records.owner(name, edit.zone.name)
        wanted = records.rdtype(kind)
        data = (
            None
            if content is None
            else Record(owner, wanted, *records.content(wanted, content), 0).data
        )
        matching = [
            r
            for r in edit.rows
            if r.name == owner and r.type == wanted and (data is None or r.record().data == data)
        ]
        if not matching:
            raise NotFound(
                f"no {wanted} record at {records.relative(owner, edit.zone.name)}"
                + (" with that content" if content is not None else ""),
                field="content" if content is not None else "name",
            )
        return _delete(edit, matching)


def _delete(edit: Editing, rows: list[pdns.Row]) -> list[RecordView]:
    ids = {r.id for r in rows}
    remaining = [r.record() for r in edit.rows if r.type is not None and r.id not in ids]
    rules.check_zone(edit.zone.name, remaining, touched={r.name for r in rows})
    edit.tx.delete(edit.domain.id, sorted(ids))
    serial = _finish(edit)
    for r in rows:
        audit.record(
            edit.actor,
            "dns.record.delete",
            edit.zone.name,
            id=r.id,
            **_details(edit, r.record()),
            serial=serial,
        )
    return [_view(edit.zone.name, r) for r in rows]


def _details(edit: Editing, record: Record) -> dict[str, object]:
    return {
        "name": records.relative(record.name, edit.zone.name),
        "type": record.type,
        "content": record.data,
        "ttl": record.ttl,
    }


# --- import ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    zone: str
    records: int
    serial: int


def import_zone(actor: Actor, zone: str, text: str) -> Imported:
    """Replace a zone's records with a master file's.

    Replace, not merge: afterwards the zone holds exactly the file's records, so an export
    imported again changes nothing, and a record removed from the file goes. The file's SOA
    gives the zone's SOA fields (its serial only when higher than the zone's next one); a
    file without SOA or without NS records at the apex keeps the zone's own.
    """
    require_writable(actor)
    settings = defaults_of(settings_row())
    with _editing(actor, zone) as edit:
        name = edit.zone.name
        parsed = zonefile.parse(text, name, settings.ttl)
        found = list(parsed.records)
        if not any(r.type == "NS" and r.name == name for r in found):
            found += [r for r in edit.records if r.type == "NS" and r.name == name]
        soa_row = next((r for r in edit.rows if r.type == "SOA"), None)
        if soa_row is None:
            raise NotFound("the zone has no SOA record", code="dns-zone-missing")
        rules.check_zone(name, found, name_field=zonefile.FIELD, type_field=zonefile.FIELD)
        signed = bool(edit.tx.signed([edit.domain.id]))
        rules.check_alias_unsigned(found, signed, zonefile.FIELD)
        edit.tx.delete_all(edit.domain.id, keep_soa=True)
        rows, ents = zonedata.orders(name, found, signed)
        edit.tx.insert(edit.domain.id, rows)
        edit.tx.insert_ents(edit.domain.id, ents)
        soa = Soa.parse(soa_row.content, soa_row.ttl)
        if parsed.soa is not None:
            soa = replace(parsed.soa, serial=soa.serial)
        serial = max(zonedata.next_serial(soa.serial), parsed.soa.serial if parsed.soa else 0)
        serial = min(serial, zonedata.SERIAL_MAX)
        edit.tx.set_soa(soa_row.id, replace(soa, serial=serial).content, soa.ttl)
        audit.record(actor, "dns.zone.import", name, records=len(found), serial=serial)
    return Imported(name, len(found), serial)


# --- secondaries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Secondaries:
    """A zone's secondary servers: its own, and the server-wide ones every zone has."""

    zone: str
    own: list[str]
    server: list[str]


def get_secondaries(actor: Actor, zone: str) -> Secondaries:
    found = _find(actor, zone)
    row = settings_row()
    return Secondaries(found.name, list(found.secondaries), list(row.secondaries))


def set_secondaries(actor: Actor, zone: str, addresses: list[str]) -> Secondaries:
    """Set a zone's own secondaries: they get NOTIFY and may transfer the zone (AXFR)."""
    require_writable(actor)
    wanted = check_secondaries(addresses)
    row = settings_row()
    with _editing(actor, zone) as edit:
        edit.zone.secondaries = wanted
        edit.zone.save(update_fields=["secondaries"])
        every = check_secondaries([*wanted, *row.secondaries])
        for kind in ("ALSO-NOTIFY", "ALLOW-AXFR-FROM"):
            edit.tx.set_metadata([edit.domain.id], kind, every)
        audit.record(actor, "dns.zone.secondaries", edit.zone.name, secondaries=wanted)
    return Secondaries(edit.zone.name, wanted, list(row.secondaries))
