"""/api/v1/dns: zones, their records, DNSSEC and secondaries; templates and defaults.

Each endpoint is one call into the service layer (services.py, record_services.py,
settings_services.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from supercp.protocol import dns as rpc
from supercp.protocol import web
from supercp.protocol.names import ACCOUNT_NAME_PATTERN
from supercp.web.core.rest import actor
from supercp.web.core.schemas import ErrorOut
from supercp.web.core.services import MAX_PAGE
from supercp.web.dns import record_services, services, settings_services
from supercp.web.dns.schemas import (
    ExportOut,
    ImportOut,
    RecordIn,
    RecordOut,
    RecordPage,
    RecordPatch,
    SecondariesIn,
    SecondariesOut,
    SecureIn,
    SettingsIn,
    SettingsOut,
    TemplateChoiceOut,
    TemplateIn,
    TemplateOut,
    ZoneFileIn,
    ZoneIn,
    ZoneOut,
    ZonePage,
)

router = Router(tags=["dns"])
ERRORS: dict[int, type[ErrorOut]] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 502, 503, 504)}
# Unicode or A-label; a name that is not a domain name is simply not found.
ZonePath = Annotated[str, Path(min_length=1, max_length=web.HOSTNAME_MAX)]
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1)]
TemplatePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


# --- zones ----------------------------------------------------------------------------------------


@router.get("/zones", response={200: ZonePage, **ERRORS}, summary="List DNS zones")
def list_zones(
    request: HttpRequest,
    search: Annotated[str, Query(max_length=services.MAX_SEARCH)] = "",
    account: Annotated[str | None, Query(pattern=ACCOUNT_NAME_PATTERN)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=services.MAX_PER_PAGE)] = 50,
) -> ZonePage:
    found = services.list_zones(actor(request), search, page, per_page, account=account)
    return ZonePage(
        items=[ZoneOut.of(z) for z in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


@router.post("/zones", response={201: ZoneOut, **ERRORS}, summary="Create a DNS zone")
def create_zone(request: HttpRequest, body: ZoneIn) -> Status[ZoneOut]:
    new = services.NewZone(
        name=body.name, account=body.account, template=body.template, zone_file=body.zone_file
    )
    return Status(201, ZoneOut.of(services.create_zone(actor(request), new)))


@router.get("/zones/{zone}", response={200: ZoneOut, **ERRORS}, summary="Get a DNS zone")
def get_zone(request: HttpRequest, zone: ZonePath) -> ZoneOut:
    return ZoneOut.of(services.get_zone(actor(request), zone))


@router.delete("/zones/{zone}", response={204: None, **ERRORS}, summary="Delete a DNS zone")
def delete_zone(request: HttpRequest, zone: ZonePath) -> Status[None]:
    services.delete_zone(actor(request), zone)
    return Status(204, None)


@router.post(
    "/zones/{zone}/import",
    response={200: ImportOut, **ERRORS},
    summary="Replace a zone's records with a zone file's",
)
def import_zone(request: HttpRequest, zone: ZonePath, body: ZoneFileIn) -> ImportOut:
    done = record_services.import_zone(actor(request), zone, body.zone_file)
    return ImportOut(zone=done.zone, records=done.records, serial=done.serial)


@router.get(
    "/zones/{zone}/export", response={200: ExportOut, **ERRORS}, summary="A zone as a zone file"
)
def export_zone(request: HttpRequest, zone: ZonePath) -> ExportOut:
    text = record_services.export_zone(actor(request), zone)
    return ExportOut(zone=services.get_zone(actor(request), zone).zone.name, zone_file=text)


# --- DNSSEC and secondaries ----------------------------------------------------------------------


@router.get(
    "/zones/{zone}/dnssec",
    response={200: rpc.DnssecState, **ERRORS},
    summary="A zone's DNSSEC keys and DS records",
)
def dnssec(request: HttpRequest, zone: ZonePath) -> rpc.DnssecState:
    return services.dnssec(actor(request), zone)


@router.post(
    "/zones/{zone}/secure",
    response={200: rpc.DnssecState, **ERRORS},
    summary="Sign a zone with DNSSEC",
)
def secure_zone(request: HttpRequest, zone: ZonePath, body: SecureIn) -> rpc.DnssecState:
    return services.secure_zone(actor(request), zone, body.algorithm)


@router.post(
    "/zones/{zone}/unsecure",
    response={200: rpc.DnssecState, **ERRORS},
    summary="Turn DNSSEC off for a zone",
)
def unsecure_zone(request: HttpRequest, zone: ZonePath) -> rpc.DnssecState:
    return services.unsecure_zone(actor(request), zone)


@router.get(
    "/zones/{zone}/secondaries",
    response={200: SecondariesOut, **ERRORS},
    summary="A zone's secondary servers",
)
def get_secondaries(request: HttpRequest, zone: ZonePath) -> SecondariesOut:
    found = record_services.get_secondaries(actor(request), zone)
    return SecondariesOut(zone=found.zone, secondaries=found.own, server=found.server)


@router.put(
    "/zones/{zone}/secondaries",
    response={200: SecondariesOut, **ERRORS},
    summary="Set a zone's secondary servers (NOTIFY and AXFR)",
)
def set_secondaries(request: HttpRequest, zone: ZonePath, body: SecondariesIn) -> SecondariesOut:
    found = record_services.set_secondaries(actor(request), zone, list(body.secondaries))
    return SecondariesOut(zone=found.zone, secondaries=found.own, server=found.server)


# --- records --------------------------------------------------------------------------------------


@router.get(
    "/zones/{zone}/records", response={200: RecordPage, **ERRORS}, summary="A zone's records"
)
def list_records(
    request: HttpRequest,
    zone: ZonePath,
    *,
    search: Annotated[str, Query(max_length=services.MAX_SEARCH)] = "",
    type: Annotated[str | None, Query(pattern=r"^[A-Za-z]{1,10}$")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=services.MAX_PER_PAGE)] = 100,
) -> RecordPage:
    found = record_services.list_records(
        actor(request), zone, search, kind=type, page=page, per_page=per_page
    )
    return RecordPage(
        items=[RecordOut.of(r) for r in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


@router.post("/zones/{zone}/records", response={201: RecordOut, **ERRORS}, summary="Add a record")
def add_record(request: HttpRequest, zone: ZonePath, body: RecordIn) -> Status[RecordOut]:
    new = record_services.NewRecord(body.name, body.type, body.content, body.ttl)
    return Status(201, RecordOut.of(record_services.add_record(actor(request), zone, new)))


@router.get(
    "/zones/{zone}/records/{record_id}",
    response={200: RecordOut, **ERRORS},
    summary="Get a record",
)
def get_record(request: HttpRequest, zone: ZonePath, record_id: RecordId) -> RecordOut:
    return RecordOut.of(record_services.get_record(actor(request), zone, record_id))


@router.patch(
    "/zones/{zone}/records/{record_id}",
    response={200: RecordOut, **ERRORS},
    summary="Change a record",
)
def update_record(
    request: HttpRequest, zone: ZonePath, record_id: RecordId, body: RecordPatch
) -> RecordOut:
    changes: dict[str, Any] = {name: getattr(body, name) for name in body.model_fields_set}
    found = record_services.update_record(actor(request), zone, record_id, **changes)
    return RecordOut.of(found)


@router.delete(
    "/zones/{zone}/records/{record_id}",
    response={204: None, **ERRORS},
    summary="Delete a record",
)
def delete_record(request: HttpRequest, zone: ZonePath, record_id: RecordId) -> Status[None]:
    record_services.delete_record(actor(request), zone, record_id)
    return Status(204, None)


@router.get(
    "/template-choices",
    response={200: list[TemplateChoiceOut], **ERRORS},
    summary="The templates a new zone may start from",
)
def template_choices(request: HttpRequest) -> list[TemplateChoiceOut]:
    return [
        TemplateChoiceOut(name=t.name, description=t.description, is_default=t.is_default)
        for t in settings_services.template_choices(actor(request))
    ]


# --- templates and defaults (administrators) ------------------------------------------------------


@router.get(
    "/templates", response={200: list[TemplateOut], **ERRORS}, summary="List zone templates"
)
def list_templates(request: HttpRequest) -> list[TemplateOut]:
    return [TemplateOut.of(t) for t in settings_services.list_templates(actor(request))]


@router.get(
    "/templates/{name}", response={200: TemplateOut, **ERRORS}, summary="Get a zone template"
)
def get_template(request: HttpRequest, name: TemplatePath) -> TemplateOut:
    return TemplateOut.of(settings_services.get_template(actor(request), name))


@router.put(
    "/templates/{name}",
    response={200: TemplateOut, **ERRORS},
    summary="Create or replace a zone template",
)
def put_template(request: HttpRequest, name: TemplatePath, body: TemplateIn) -> TemplateOut:
    found = settings_services.put_template(
        actor(request),
        name,
        [r.model_dump() for r in body.records],
        description=body.description,
        is_default=body.is_default,
    )
    return TemplateOut.of(found)


@router.delete(
    "/templates/{name}", response={204: None, **ERRORS}, summary="Delete a zone template"
)
def delete_template(request: HttpRequest, name: TemplatePath) -> Status[None]:
    settings_services.delete_template(actor(request), name)
    return Status(204, None)


@router.get("/settings", response={200: SettingsOut, **ERRORS}, summary="The DNS defaults")
def get_settings(request: HttpRequest) -> SettingsOut:
    return SettingsOut.of(settings_services.get_settings(actor(request)))


@router.patch(
    "/settings",
    response={200: SettingsOut, **ERRORS},
    summary="Change the DNS defaults and the server-wide secondaries",
)
def update_settings(request: HttpRequest, body: SettingsIn) -> SettingsOut:
    sent = {name: getattr(body, name) for name in body.model_fields_set}
    change = settings_services.SettingsChange(**sent)
    return SettingsOut.of(settings_services.update_settings(actor(request), change))
