"""Zone files (RFC 1035 master files) in and out: parsed and written by dnspython.

Import reads ``$ORIGIN``, ``$TTL``, relative names and parentheses as any master file has
them (``$INCLUDE`` and ``$GENERATE`` are refused: a file names nothing on this server), then
checks every record with the same functions as a record typed into the panel. The file's
SOA, if it has one, gives the zone's SOA fields (its serial only counts when higher than the
zone's own). Export writes the zone sorted, names relative to ``$ORIGIN``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rdtypes.ANY.SOA
import dns.rrset
import dns.tokenizer
import dns.zone
import dns.zonefile

from supercp.protocol.errors import ValidationFailed
from supercp.web.dns import records
from supercp.web.dns.records import Record

FIELD = "zone_file"
# A zone file of 10,000 records is about 600 kB; this leaves room and refuses junk early.
MAX_BYTES = 8 * 1024 * 1024
MAX_RECORDS = 50_000
# The SOA's timers: (field, lowest, highest) in seconds; for the settings and zone files.
TIMERS = (
    ("soa_refresh", 60, 86400 * 7),
    ("soa_retry", 60, 86400 * 7),
    ("soa_expire", 3600, 86400 * 60),
    ("soa_minimum", 60, 86400),
)


@dataclass(frozen=True)
class Soa:
    """The SOA fields the panel keeps per zone (the serial is counted, not typed)."""

    mname: str
    rname: str
    serial: int
    refresh: int
    retry: int
    expire: int
    minimum: int
    ttl: int

    @property
    def content(self) -> str:
        return (
            f"{self.mname} {self.rname} {self.serial} {self.refresh} {self.retry} "
            f"{self.expire} {self.minimum}"
        )

    @staticmethod
    def parse(text: str, ttl: int) -> Soa:
        """From PowerDNS's content (names with or without their trailing dots)."""
        data = dns.rdata.from_text(
            dns.rdataclass.IN, dns.rdatatype.SOA, text, origin=dns.name.root, relativize=False
        )
        assert isinstance(data, dns.rdtypes.ANY.SOA.SOA)
        return Soa.of(data, ttl)

    @staticmethod
    def of(data: dns.rdtypes.ANY.SOA.SOA, ttl: int) -> Soa:
        return Soa(
            mname=data.mname.to_text().rstrip(".") or ".",
            rname=data.rname.to_text().rstrip(".") or ".",
            serial=data.serial,
            refresh=data.refresh,
            retry=data.retry,
            expire=data.expire,
            minimum=data.minimum,
            ttl=ttl,
        )


@dataclass(frozen=True)
class Parsed:
    soa: Soa | None
    records: list[Record]


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid-zone-file", field=FIELD)


def parse(text: str, zone: str, default_ttl: int = records.DEFAULT_TTL) -> Parsed:
    """The zone's records from a master file whose origin is ``zone`` (or has no $ORIGIN)."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise _refuse(f"a zone file is limited to {MAX_BYTES // (1024 * 1024)} MB")
    if "\x00" in text:
        raise _refuse("the zone file holds a NUL character")
    origin = dns.name.from_text(zone + ".")
    try:
        rrsets = _read(text, origin, default_ttl)
    except (dns.exception.DNSException, ValueError, UnicodeError) as err:
        raise _refuse(f"the zone file is not valid: {err}") from None
    soa: Soa | None = None
    found: list[Record] = []
    for rdataset in rrsets:
        name = rdataset.name
        if not name.is_subdomain(origin):
            raise _refuse(f"{name.to_text()} is outside the zone {zone}")
        owner_text = name.to_text()
        kind = dns.rdatatype.to_text(rdataset.rdtype)
        if rdataset.rdclass != dns.rdataclass.IN:
            raise _refuse(f"{owner_text}: only class IN records can be imported")
        if kind == "SOA":
            if name != origin:
                raise _refuse(f"{owner_text}: only the zone's apex has an SOA record")
            first = rdataset[0]
            assert isinstance(first, dns.rdtypes.ANY.SOA.SOA)
            soa = _soa(first, rdataset.ttl)
            continue
        found.extend(_records(zone, owner_text, kind, rdataset))
        if len(found) > MAX_RECORDS:
            raise _refuse(f"a zone has at most {MAX_RECORDS} records")
    return Parsed(soa, found)


def _soa(data: dns.rdtypes.ANY.SOA.SOA, ttl: int) -> Soa:
    """The file's SOA, its names and timers held to what the panel's settings allow."""
    soa = Soa.of(data, records.ttl(ttl, field=FIELD))
    local, *domain = data.rname.labels
    try:
        records.target(soa.mname, FIELD)
        records.target(dns.name.Name(domain).to_text() if domain else ".", FIELD)
    except ValidationFailed as err:
        raise _refuse(f"the SOA: {err.message}") from None
    if not records.MAILBOX.fullmatch(local.decode("ascii", "replace")):
        raise _refuse(f"the SOA's contact {records.shown(soa.rname)} is no e-mail address")
    for key, low, high in TIMERS:
        value = getattr(soa, key.removeprefix("soa_"))
        if not low <= value <= high:
            raise _refuse(f"the SOA's {key.removeprefix('soa_')} is {low} to {high} seconds")
    return soa


class _Reader(dns.zonefile.Reader):
    """dnspython's reader, except that a record outside the zone is an error: the stock one
    skips it without a word."""

    def _eat_line(self) -> None:
        raise _refuse("a record's name in the zone file is outside the zone")


def _read(text: str, origin: dns.name.Name, default_ttl: int) -> list[dns.rrset.RRset]:
    """Every RRset of a master file, relative names under ``origin``."""
    zone = dns.zone.Zone(origin, relativize=False)
    with zone.writer(True) as txn:
        _Reader(
            dns.tokenizer.Tokenizer(text, "<zone file>"),
            dns.rdataclass.IN,
            txn,
            allow_directives={"$ORIGIN", "$TTL"},
            default_ttl=default_ttl,
        ).read()
    return [
        dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))
        for name, rdataset in zone.iterate_rdatasets()
    ]


def _records(
    zone: str, owner_text: str, kind: str, rdataset: dns.rdataset.Rdataset
) -> list[Record]:
    """One RRset as the panel's records, each checked as if typed (errors name the record)."""
    try:
        name = records.owner(owner_text, zone, FIELD)
        records.rdtype(kind, FIELD)
        ttl = records.ttl(rdataset.ttl, field=FIELD)
    except ValidationFailed as err:
        raise _refuse(f"{owner_text} {kind}: {err.message}") from None
    out: list[Record] = []
    for data in rdataset:
        text = records.data_text(data)
        try:
            content, prio = records.content(kind, text, FIELD)
            record = Record(name, kind, content, ttl, prio)
            records.check_record(zone, record)
        except ValidationFailed as err:
            raise _refuse(f"{owner_text} {kind} {records.shown(text)}: {err.message}") from None
        out.append(record)
    return out


def render(zone: str, soa: Soa, rows: list[Record]) -> str:
    """The zone as a master file: $ORIGIN, $TTL, SOA first, then every name sorted."""
    origin = dns.name.from_text(zone + ".")
    out = dns.zone.Zone(origin, relativize=True)
    soa_data = dns.rdata.from_text(
        dns.rdataclass.IN, dns.rdatatype.SOA, soa.content, origin=dns.name.root, relativize=False
    )
    out.find_rdataset(origin, dns.rdatatype.SOA, create=True).add(soa_data, soa.ttl)
    for r in rows:
        name = dns.name.from_text(r.name + ".").relativize(origin)
        rdataset = out.find_rdataset(name, dns.rdatatype.from_text(r.type), create=True)
        # One TTL per RRset (RFC 2181 5.2): the panel keeps them equal; the lowest wins here.
        rdataset.add(records.rdata(r), r.ttl)
    buffer = io.StringIO()
    buffer.write(f"$ORIGIN {zone}.\n$TTL {soa.minimum if not rows else _common_ttl(rows)}\n")
    out.to_file(buffer, sorted=True, relativize=True, want_origin=False)
    return buffer.getvalue()


def _common_ttl(rows: list[Record]) -> int:
    counts: dict[int, int] = {}
    for r in rows:
        counts[r.ttl] = counts.get(r.ttl, 0) + 1
    return max(counts, key=lambda t: (counts[t], -t))
