"""What the DNS API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from supercp.protocol import web
from supercp.protocol.dns import Algorithm
from supercp.protocol.names import ACCOUNT_NAME_PATTERN
from supercp.web.core.schemas import StrictIn
from supercp.web.dns import records, server
from supercp.web.dns.models import DnsSettings, ZoneTemplate
from supercp.web.dns.services import RecordView, ZoneView
from supercp.web.dns.zonefile import MAX_BYTES

# Unicode is welcome (stored in A-label form): the schema states only the length, and
# services.py refuses anything that is not a host name.
ZoneName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=web.HOSTNAME_MAX,
        description="A domain name, Unicode (IDN) or ASCII; stored in A-label form.",
    ),
]
TemplateName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
ZoneFile = Annotated[
    str,
    Field(max_length=MAX_BYTES, description="An RFC 1035 master file ($ORIGIN, $TTL allowed)."),
]
Ttl = Annotated[int, Field(ge=records.TTL_MIN, le=records.TTL_MAX)]
Address = Annotated[str, Field(min_length=1, max_length=45)]
Secondaries = Annotated[list[Address], Field(max_length=server.MAX_SECONDARIES)]
RecordName = Annotated[
    str,
    Field(
        max_length=1000,
        description="Relative to the zone: '@' for the apex, 'www', '*.dev'; a name ending "
        "with a dot (or with the zone's name) is absolute and must be inside the zone.",
    ),
]
RecordType = Annotated[
    str, Field(min_length=1, max_length=10, description=", ".join(records.TYPES))
]
RecordContent = Annotated[
    str,
    Field(
        max_length=records.CONTENT_MAX,
        description="Master-file syntax with absolute names ('10 mail.example.com'); TXT "
        "also as plain text, split into 255-byte strings.",
    ),
]


class ZoneIn(StrictIn):
    name: ZoneName
    # Required for resellers; admins may leave it out (their own zone), customers too.
    account: Annotated[str, Field(pattern=ACCOUNT_NAME_PATTERN)] | None = None
    # A template's name (default: the default template); not with zone_file.
    template: TemplateName | None = None
    # Fill the zone from a master file instead of a template.
    zone_file: ZoneFile | None = None


class ZoneOut(Schema):
    name: str
    # For people: Unicode where the name has punycode labels.
    display_name: str
    # None: an administrators' zone.
    account: str | None
    serial: int
    # Records in PowerDNS (the SOA included).
    records: int
    # Signed with DNSSEC.
    secured: bool
    # The zone's own secondary servers (the server-wide ones are in /dns/settings).
    secondaries: list[str]
    created_at: datetime

    @staticmethod
    def of(view: ZoneView) -> ZoneOut:
        zone = view.zone
        return ZoneOut(
            name=zone.name,
            display_name=zone.display_name or zone.name,
            account=zone.account.name if zone.account else None,
            serial=view.serial,
            records=view.records,
            secured=view.secured,
            secondaries=list(zone.secondaries),
            created_at=zone.created_at,
        )


class ZonePage(Schema):
    items: list[ZoneOut]
    total: int
    page: int
    per_page: int


class ZoneFileIn(StrictIn):
    zone_file: ZoneFile


class ImportOut(Schema):
    zone: str
    # Records the zone has now (the SOA not counted).
    records: int
    serial: int


class ExportOut(Schema):
    zone: str
    zone_file: str


class SecureIn(StrictIn):
    algorithm: Algorithm = "ecdsap256sha256"


class SecondariesIn(StrictIn):
    # IP addresses that get NOTIFY and may transfer the zone (AXFR).
    secondaries: Secondaries


class SecondariesOut(Schema):
    zone: str
    # This zone's own.
    secondaries: list[str]
    # Every zone's (set by administrators).
    server: list[str]


class RecordIn(StrictIn):
    name: RecordName
    type: RecordType
    content: RecordContent
    # Seconds; default: the server's default TTL. The whole RRset gets this TTL.
    ttl: Ttl | None = None


class RecordPatch(StrictIn):
    """Only the fields sent change."""

    name: RecordName = "@"
    type: RecordType = "A"
    content: RecordContent = ""
    ttl: Ttl | None = None


class RecordOut(Schema):
    # PowerDNS's row id, unique within the server; address it within its zone.
    id: int
    # Relative to the zone ('@' the apex).
    name: str
    fqdn: str
    type: str
    # Names without trailing dots; MX and SRV with their priority in front; TXT quoted.
    content: str
    ttl: int
    # The SOA: shown, kept by the panel (serial counted on every change).
    managed: bool

    @staticmethod
    def of(view: RecordView) -> RecordOut:
        return RecordOut(
            id=view.id,
            name=view.name,
            fqdn=view.record.name,
            type=view.record.type,
            content=view.record.data,
            ttl=view.record.ttl,
            managed=view.managed,
        )


class RecordPage(Schema):
    items: list[RecordOut]
    total: int
    page: int
    per_page: int


class TemplateRecord(StrictIn):
    name: Annotated[str, Field(max_length=300)]
    type: RecordType
    content: Annotated[str, Field(max_length=records.CONTENT_MAX)]
    ttl: Ttl | None = None


class TemplateIn(StrictIn):
    description: Annotated[str, Field(max_length=200)] = ""
    records: Annotated[list[TemplateRecord], Field(max_length=100)]
    # Make this the template of zones created without naming one.
    is_default: bool = False


class TemplateOut(Schema):
    name: str
    description: str
    records: list[TemplateRecord]
    is_default: bool
    updated_at: datetime

    @staticmethod
    def of(template: ZoneTemplate) -> TemplateOut:
        return TemplateOut(
            name=template.name,
            description=template.description,
            records=[TemplateRecord(**r) for r in template.records],
            is_default=template.is_default,
            updated_at=template.updated_at,
        )


class TemplateChoiceOut(Schema):
    """A template a new zone may start from, as everyone who may create zones sees it."""

    name: str
    description: str
    is_default: bool


class SettingsIn(StrictIn):
    """Only the fields sent change."""

    nameservers: Annotated[list[Annotated[str, Field(max_length=253)]], Field(max_length=10)] = (
        Field(default_factory=list)
    )
    soa_contact: Annotated[str, Field(max_length=254)] = ""
    ipv4: Annotated[str, Field(max_length=15)] = ""
    ipv6: Annotated[str, Field(max_length=39)] = ""
    ttl: Ttl = records.DEFAULT_TTL
    soa_refresh: int = 10800
    soa_retry: int = 3600
    soa_expire: int = 604800
    soa_minimum: int = 3600
    secondaries: Secondaries = Field(default_factory=list)


class SettingsOut(Schema):
    # Empty: this machine's name is the zones' name server.
    nameservers: list[str]
    soa_contact: str
    ipv4: str
    ipv6: str
    ttl: int
    soa_refresh: int
    soa_retry: int
    soa_expire: int
    soa_minimum: int
    secondaries: list[str]
    updated_at: datetime

    @staticmethod
    def of(row: DnsSettings) -> SettingsOut:
        return SettingsOut(
            nameservers=list(row.nameservers),
            soa_contact=row.soa_contact,
            ipv4=row.ipv4,
            ipv6=row.ipv6,
            ttl=row.ttl,
            soa_refresh=row.soa_refresh,
            soa_retry=row.soa_retry,
            soa_expire=row.soa_expire,
            soa_minimum=row.soa_minimum,
            secondaries=list(row.secondaries),
            updated_at=row.updated_at,
        )
