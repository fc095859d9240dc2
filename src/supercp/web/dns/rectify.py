"""``auth`` and ``ordername`` of a zone's rows, and its empty non-terminals, as PowerDNS wants.

What ``pdnsutil rectify-zone`` computes for a zone in NSEC mode, done by the panel for the
zones it writes, so that an unsigned zone is right without a daemon call: every record is
authoritative (``auth`` 1) except the NS records of a delegation and whatever lies below one
(glue, ``auth`` 0); ``ordername`` is the name relative to the zone with its labels reversed
and joined by spaces (``www.uk`` in the zone is ``uk www``; the apex is empty), NULL for glue;
and every name between a record and the apex that has no record of its own gets a row of
type NULL (an empty non-terminal), so PowerDNS answers NOERROR for it, not NXDOMAIN.

Signed zones are rectified by the daemon (``dns.zone.refresh``), which knows NSEC3.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supercp.web.dns.rules import below, delegations


@dataclass(frozen=True)
class Order:
    """What one row's auth and ordername should be."""

    auth: bool
    ordername: str | None


def ordername(name: str, zone: str) -> str:
    if name == zone:
        return ""
    rel = name[: -(len(zone) + 1)]
    return " ".join(reversed(rel.split(".")))


def order_of(name: str, kind: str | None, zone: str, points: set[str]) -> Order:
    """The auth and ordername of a row (``kind`` None: an empty non-terminal)."""
    if below(name, points) is not None:
        return Order(False, None)
    if name in points and kind == "NS":
        # A delegation's NS: not authoritative, but in the NSEC chain.
        return Order(False, ordername(name, zone))
    return Order(True, ordername(name, zone))


def plan(zone: str, rows: Iterable[tuple[str, str]]) -> tuple[set[str], set[str]]:
    """The delegation points, and the empty non-terminals the zone's names need."""
    pairs = list(rows)
    points = delegations(zone, pairs)
    names = {name for name, _ in pairs}
    ents: set[str] = set()
    suffix = "." + zone
    for name in names:
        if below(name, points) is not None or not name.endswith(suffix):
            continue
        labels = name[: -len(suffix)].split(".")
        for i in range(1, len(labels)):
            parent = ".".join(labels[i:]) + suffix
            if parent not in names:
                ents.add(parent)
    return points, ents
