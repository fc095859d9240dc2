"""What every write of a zone ends with: the SOA serial, and auth/ordername for PowerDNS.

Helpers of the service modules (services.py, record_services.py), inside their PowerDNS
transaction; no rights are checked here.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from supercp.protocol.errors import SystemFailure
from supercp.web.dns import pdns, rectify
from supercp.web.dns.records import Record
from supercp.web.dns.rectify import Order
from supercp.web.dns.rules import below
from supercp.web.dns.zonefile import Soa

SERIAL_MAX = 2**32 - 1


def next_serial(current: int, today: datetime.date | None = None) -> int:
    """YYYYMMDDnn of today, or one more than ``current`` when that is higher already."""
    day = today or datetime.datetime.now(datetime.UTC).date()
    base = int(day.strftime("%Y%m%d")) * 100
    serial = max(current + 1, base)
    # RFC 1982 arithmetic would wrap; a serial this high was never ours.
    return serial if serial <= SERIAL_MAX else 1


def domain(tx: pdns.Tx, name: str) -> pdns.Domain:
    domain = tx.domain(name, lock=True)
    if domain is None:
        raise SystemFailure(
            f"the zone {name} is missing from PowerDNS's database", code="dns-zone-missing"
        )
    return domain


def bump_serial(tx: pdns.Tx, domain_id: int, at_least: int = 0) -> int:
    found = tx.soa(domain_id)
    if found is None:
        raise SystemFailure("the zone has no SOA record in PowerDNS", code="dns-zone-missing")
    row_id, content, ttl = found
    soa = Soa.parse(content, ttl)
    serial = max(next_serial(soa.serial), min(at_least, SERIAL_MAX))
    tx.set_soa(row_id, replace(soa, serial=serial).content, soa.ttl)
    return serial


def settle(tx: pdns.Tx, domain_id: int, zone: str, rows: list[pdns.Row]) -> None:
    """Bring auth, ordername and the empty non-terminals of an unsigned zone in line."""
    if tx.signed([domain_id]):
        return  # the daemon's dns.zone.refresh rectifies signed zones (NSEC3 too)
    real = [r for r in rows if r.type is not None]
    points, ents = rectify.plan(zone, [(r.name, r.type or "") for r in real])
    changes: list[tuple[int, Order]] = []
    for r in real:
        want = rectify.order_of(r.name, r.type, zone, points)
        if (r.auth, r.ordername) != (want.auth, want.ordername):
            changes.append((r.id, want))
    stale: list[int] = []
    have: set[str] = set()
    for r in rows:
        if r.type is not None:
            continue
        if r.name not in ents or r.name in have:
            stale.append(r.id)
            continue
        have.add(r.name)
        want = rectify.order_of(r.name, None, zone, points)
        if (r.auth, r.ordername) != (want.auth, want.ordername):
            changes.append((r.id, want))
    tx.set_orders(changes)
    tx.delete(domain_id, stale)
    tx.insert_ents(
        domain_id,
        [(n, rectify.order_of(n, None, zone, points)) for n in sorted(ents - have)],
    )


def orders(
    zone: str, rows: list[Record], signed: bool
) -> tuple[list[tuple[Record, Order]], list[tuple[str, Order]]]:
    """New rows with their auth and ordername, and the empty non-terminals (unsigned only)."""
    points, ents = rectify.plan(zone, [(r.name, r.type) for r in rows])
    if signed:
        glue = [(r, Order(below(r.name, points) is None, None)) for r in rows]
        return glue, []
    return (
        [(r, rectify.order_of(r.name, r.type, zone, points)) for r in rows],
        [(n, rectify.order_of(n, None, zone, points)) for n in sorted(ents)],
    )
