"""The rules of a zone as a whole, checked on the records it would have after a change.

``records.py`` checks each record by itself; these rules need the others: a CNAME stands
alone at its name, an ALIAS is its name's only source of addresses (one ALIAS, and no A or
AAAA beside it), a delegation (NS below the apex) holds only NS records and only glue
(A, AAAA) lies below it, MX, SRV and NS targets inside the zone are no aliases (RFC 2181
10.3), a record exists once, and the apex keeps its SOA and at least one NS.

``field`` is where a refusal points: the record form's field for a single change
(``name``, ``type``), ``zone_file`` for an import (the message then names the record).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from supercp.protocol.errors import Conflict, ValidationFailed
from supercp.web.dns.records import Record, relative

# Below a delegation only its glue addresses have a meaning.
GLUE_TYPES = frozenset({"A", "AAAA"})


def _shown(zone: str, name: str) -> str:
    return relative(name, zone)


def delegations(zone: str, records: Iterable[tuple[str, str]]) -> set[str]:
    """The names below the apex that have NS records: where the zone hands over."""
    return {name for name, kind in records if kind == "NS" and name != zone}


def below(name: str, points: set[str]) -> str | None:
    """The delegation point ``name`` lies strictly under, if any."""
    labels = name.split(".")
    for i in range(1, len(labels)):
        parent = ".".join(labels[i:])
        if parent in points:
            return parent
    return None


def check_zone(
    zone: str,
    records: list[Record],
    *,
    touched: set[str] | None = None,
    name_field: str = "name",
    type_field: str = "type",
) -> None:
    """Refuse a zone that breaks a rule; ``touched``: only names a change made (None: all)."""
    by_name: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        by_name[r.name][r.type].append(r)
    points = delegations(zone, ((r.name, r.type) for r in records))
    names = set(by_name) if touched is None else touched & set(by_name)
    # A new delegation concerns every name below it as well, not only its own.
    if touched is not None and points & touched:
        names |= {n for n in by_name if below(n, points & touched) is not None}
    for name in sorted(names):
        types = by_name[name]
        where = _shown(zone, name)
        if "CNAME" in types and (len(types) > 1 or len(types["CNAME"]) > 1):
            others = sorted(t for t in types if t != "CNAME") or ["another CNAME"]
            raise ValidationFailed(
                f"{where}: a CNAME stands alone at its name (it has {', '.join(others)})",
                code="cname-conflict",
                field=type_field,
            )
        if "ALIAS" in types and (len(types["ALIAS"]) > 1 or types.keys() & {"A", "AAAA"}):
            others = sorted(types.keys() & {"A", "AAAA"}) or ["another ALIAS"]
            raise ValidationFailed(
                f"{where}: an ALIAS gives the name's addresses, so it has no "
                f"{' or '.join(others)} beside it",
                code="alias-conflict",
                field=type_field,
            )
        if "SOA" in types and name != zone:
            raise ValidationFailed(
                f"{where}: only the zone's apex has an SOA record",
                code="invalid-record",
                field=type_field,
            )
        if name in points and set(types) - {"NS"}:
            extra = ", ".join(sorted(set(types) - {"NS"}))
            raise ValidationFailed(
                f"{where} is delegated (NS): it can hold no {extra}",
                code="delegation-conflict",
                field=type_field,
            )
        parent = below(name, points)
        if parent is not None and set(types) - GLUE_TYPES:
            raise ValidationFailed(
                f"{where} lies under the delegation {_shown(zone, parent)}: only glue "
                "addresses (A, AAAA) can be there",
                code="delegation-conflict",
                field=name_field,
            )
        for kind, rows in types.items():
            seen: set[str] = set()
            for r in rows:
                if r.data in seen:
                    raise Conflict(
                        f"{where} already has the {kind} record {r.data}",
                        code="record-exists",
                        field="content",
                    )
                seen.add(r.data)
    _check_targets(zone, by_name, records if touched is None else None, touched)
    apex = by_name.get(zone, {})
    if "NS" not in apex:
        raise ValidationFailed(
            "the zone's apex needs at least one NS record", code="last-ns", field=type_field
        )


def check_alias_unsigned(records: Iterable[Record], signed: bool, field: str = "type") -> None:
    """No ALIAS in a signed zone: PowerDNS 4.7 sends the addresses it looked up unsigned
    (verified: no RRSIG), which validating resolvers take for an attack."""
    if not signed:
        return
    alias = next((r for r in records if r.type == "ALIAS"), None)
    if alias is not None:
        raise ValidationFailed(
            f"{alias.name} has an ALIAS: ALIAS records and DNSSEC do not go together "
            "(PowerDNS answers an ALIAS unsigned); use A and AAAA records instead",
            code="alias-dnssec",
            field=field,
        )


def _target_of(r: Record) -> str | None:
    if r.type in ("MX", "NS"):
        return r.content
    if r.type == "SRV":
        return r.content.rsplit(" ", 1)[-1]
    return None


def _check_targets(
    zone: str,
    by_name: dict[str, dict[str, list[Record]]],
    everything: list[Record] | None,
    touched: set[str] | None,
) -> None:
    """MX, SRV and NS targets in the zone must not be CNAMEs (RFC 2181 10.3)."""
    aliases = {name for name, types in by_name.items() if "CNAME" in types}
    if not aliases:
        return
    if everything is not None:
        candidates: Iterable[Record] = everything
    else:
        wanted = touched or set()
        candidates = (r for name in wanted for rows in by_name.get(name, {}).values() for r in rows)
    for r in candidates:
        host = _target_of(r)
        if host is not None and host in aliases:
            raise ValidationFailed(
                f"{_shown(zone, r.name)}: the {r.type} target {host} is a CNAME; name "
                "the host it points to instead",
                code="target-is-alias",
                field="content",
            )
    # A new CNAME at a name that MX, SRV or NS records point to.
    if touched:
        new_aliases = aliases & touched
        if new_aliases:
            for types in by_name.values():
                for rows in types.values():
                    for r in rows:
                        host = _target_of(r)
                        if host in new_aliases:
                            raise ValidationFailed(
                                f"{_shown(zone, host)} is the {r.type} target of "
                                f"{_shown(zone, r.name)}: it cannot be a CNAME",
                                code="target-is-alias",
                                field="type",
                            )
