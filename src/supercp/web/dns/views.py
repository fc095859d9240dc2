"""Pages of DNS: the zones list (search, paging, create), the zone editor, the admins' settings.

Each view is one or two calls into services.py, record_services.py or settings_services.py;
errors become Inertia answers in core/pages.py (a refusal that names a form field is shown at
that field). The export is the one answer that is not a page: the zone file as a download.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import Field

from supercp.protocol import dns as rpc
from supercp.protocol import web
from supercp.protocol.errors import SuperCPError, ValidationFailed
from supercp.web.core import hostnames
from supercp.web.core.pages import (
    Form,
    FormInvalid,
    actor,
    back,
    back_to,
    flash,
    login_required,
    read_form,
    redirect,
    render,
)
from supercp.web.core.views import page_number
from supercp.web.dns import record_services, server, services, settings_services
from supercp.web.dns.models import DnsSettings, ZoneTemplate
from supercp.web.dns.records import CONTENT_MAX, TYPES
from supercp.web.dns.schemas import (
    RecordOut,
    SettingsOut,
    TemplateChoiceOut,
    TemplateOut,
    ZoneOut,
)
from supercp.web.dns.services import RecordView, ZoneView
from supercp.web.dns.zonefile import MAX_BYTES

PER_PAGE = 25
RECORDS_PER_PAGE = 100


class ZoneForm(Form):
    name: str = Field(max_length=web.HOSTNAME_MAX)
    # "": the administrators' own zone (admins) or the customer's own account.
    account: str = Field(default="", max_length=32)
    # "": the default template.
    template: str = Field(default="", max_length=64)
    # Set: the zone starts from this master file instead of a template.
    zone_file: str | None = Field(default=None, max_length=MAX_BYTES)


class RecordForm(Form):
    name: str = Field(max_length=1000)
    type: str = Field(max_length=10)
    content: str = Field(max_length=CONTENT_MAX)
    # None: the server's default TTL.
    ttl: int | None = None


class ImportForm(Form):
    zone_file: str = Field(max_length=MAX_BYTES)


class SecureForm(Form):
    algorithm: rpc.Algorithm = "ecdsap256sha256"


class SecondariesForm(Form):
    secondaries: list[str] = Field(default_factory=list, max_length=server.MAX_SECONDARIES)


class SettingsForm(Form):
    """Only the fields sent change (the page sends the defaults or the secondaries)."""

    nameservers: list[str] | None = Field(default=None, max_length=10)
    soa_contact: str | None = Field(default=None, max_length=254)
    ipv4: str | None = Field(default=None, max_length=15)
    ipv6: str | None = Field(default=None, max_length=39)
    ttl: int | None = None
    soa_refresh: int | None = None
    soa_retry: int | None = None
    soa_expire: int | None = None
    soa_minimum: int | None = None
    secondaries: list[str] | None = Field(default=None, max_length=server.MAX_SECONDARIES)


class TemplateRecordForm(Form):
    name: str = Field(max_length=300)
    type: str = Field(max_length=10)
    content: str = Field(max_length=CONTENT_MAX)
    ttl: int | None = None


class TemplateForm(Form):
    name: str = Field(max_length=64)
    description: str = Field(default="", max_length=200)
    records: list[TemplateRecordForm] = Field(max_length=100)
    is_default: bool = False


# --- shaping ------------------------------------------------------------------------------------


# The API's shapes, so the pages' types are generated from them (frontend/src/api.gen.ts).
def _zone(view: ZoneView) -> dict[str, Any]:
    return ZoneOut.of(view).model_dump(mode="json")


def _record(view: RecordView) -> dict[str, Any]:
    return RecordOut.of(view).model_dump(mode="json")


def _template(template: ZoneTemplate) -> dict[str, Any]:
    return TemplateOut.of(template).model_dump(mode="json")


def _settings(row: DnsSettings) -> dict[str, Any]:
    return SettingsOut.of(row).model_dump(mode="json")


def _dnssec(state: rpc.DnssecState) -> dict[str, Any]:
    return state.model_dump(mode="json")


def _zone_url(name: str) -> str:
    return f"/dns/zones/{name}"


# --- zones --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def index(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    if request.method == "POST":
        form = read_form(request, ZoneForm)
        made = services.create_zone(
            who,
            services.NewZone(
                name=form.name,
                account=form.account or None,
                template=form.template or None,
                zone_file=form.zone_file,
            ),
        )
        flash(request, success=f"Created zone {made.zone.display_name or made.zone.name}.")
        return redirect(_zone_url(made.zone.name))
    search = request.GET.get("search", "")[: services.MAX_SEARCH]
    found = services.list_zones(who, search, page_number(request), PER_PAGE)
    accounts = [a.name for a in services.zone_accounts(who)]
    can_create = who.is_admin or bool(accounts)
    templates = settings_services.template_choices(who) if can_create else []
    return render(
        request,
        "Dns/Index",
        {
            "zones": {
                "items": [_zone(z) for z in found.items],
                "page": found.page,
                "pages": found.pages,
                "total": found.total,
                "search": search,
            },
            "accounts": accounts,
            # Admins may also create zones of no account (their own).
            "can_create": can_create,
            "templates": [
                TemplateChoiceOut(
                    name=t.name, description=t.description, is_default=t.is_default
                ).model_dump(mode="json")
                for t in templates
            ],
        },
    )


@require_http_methods(["GET", "DELETE"])
@login_required
def show(request: HttpRequest, zone: str) -> HttpResponse:
    who = actor(request)
    if request.method == "DELETE":
        back_to(request, _zone_url(zone))
        services.delete_zone(who, zone)
        flash(request, success=f"Deleted zone {hostnames.unicode_name(zone)}.")
        return redirect("/dns")
    view = services.get_zone(who, zone)
    search = request.GET.get("search", "")[: services.MAX_SEARCH]
    found = record_services.list_records(
        who, view.zone.name, search, page=page_number(request), per_page=RECORDS_PER_PAGE
    )
    secondaries = record_services.get_secondaries(who, view.zone.name)
    dnssec: dict[str, Any] | None = None
    dnssec_error: str | None = None
    if view.secured:
        try:
            dnssec = _dnssec(services.dnssec(who, view.zone.name))
        except SuperCPError as err:
            # The daemon is away: the page shows the zone without its keys.
            dnssec_error = err.message
    return render(
        request,
        "Dns/Show",
        {
            "zone": _zone(view),
            "records": {
                "items": [_record(r) for r in found.items],
                "page": found.page,
                "pages": found.pages,
                "total": found.total,
                "search": search,
            },
            "record_types": list(TYPES),
            "default_ttl": server.defaults_of(server.settings_row()).ttl,
            "dnssec": dnssec,
            "dnssec_error": dnssec_error,
            "secondaries": {"own": secondaries.own, "server": secondaries.server},
        },
    )


@require_GET
@login_required
def export(request: HttpRequest, zone: str) -> HttpResponse:
    """The zone's master file, as a download."""
    text = record_services.export_zone(actor(request), zone)
    name = services.get_zone(actor(request), zone).zone.name
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    # The name is a checked host name (letters, digits, '-', '.'): nothing to quote.
    response["Content-Disposition"] = f'attachment; filename="{name}.zone"'
    return response


@require_POST
@login_required
def import_zone(request: HttpRequest, zone: str) -> HttpResponse:
    form = read_form(request, ImportForm, back=_zone_url(zone))
    done = record_services.import_zone(actor(request), zone, form.zone_file)
    flash(
        request,
        success=f"Imported {done.records} records into {hostnames.unicode_name(done.zone)} "
        f"(serial {done.serial}).",
    )
    return back(request)


@require_POST
@login_required
def secure(request: HttpRequest, zone: str) -> HttpResponse:
    form = read_form(request, SecureForm, back=_zone_url(zone))
    services.secure_zone(actor(request), zone, form.algorithm)
    flash(request, success=f"DNSSEC is on for {hostnames.unicode_name(zone)}.")
    return back(request)


@require_POST
@login_required
def unsecure(request: HttpRequest, zone: str) -> HttpResponse:
    back_to(request, _zone_url(zone))
    services.unsecure_zone(actor(request), zone)
    flash(request, success=f"DNSSEC is off for {hostnames.unicode_name(zone)}.")
    return back(request)


@require_POST
@login_required
def secondaries(request: HttpRequest, zone: str) -> HttpResponse:
    form = read_form(request, SecondariesForm, back=_zone_url(zone))
    record_services.set_secondaries(actor(request), zone, form.secondaries)
    flash(request, success=f"Saved the secondary servers of {hostnames.unicode_name(zone)}.")
    return back(request)


# --- records ------------------------------------------------------------------------------------


@require_POST
@login_required
def records(request: HttpRequest, zone: str) -> HttpResponse:
    form = read_form(request, RecordForm, back=_zone_url(zone))
    added = record_services.add_record(
        actor(request),
        zone,
        record_services.NewRecord(form.name, form.type, form.content, form.ttl),
    )
    flash(request, success=f"Added {added.record.type} record {added.name}.")
    return back(request)


@require_http_methods(["POST", "DELETE"])
@login_required
def record(request: HttpRequest, zone: str, record_id: int) -> HttpResponse:
    who = actor(request)
    if request.method == "DELETE":
        back_to(request, _zone_url(zone))
        gone = record_services.delete_record(who, zone, record_id)
        flash(request, success=f"Deleted {gone.record.type} record {gone.name}.")
        return back(request)
    form = read_form(request, RecordForm, back=_zone_url(zone))
    changed = record_services.update_record(
        who, zone, record_id, name=form.name, type=form.type, content=form.content, ttl=form.ttl
    )
    flash(request, success=f"Saved {changed.record.type} record {changed.name}.")
    return back(request)


# --- the administrators' settings and templates -------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def settings(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    if request.method == "POST":
        form = read_form(request, SettingsForm)
        settings_services.update_settings(
            who, settings_services.SettingsChange(**form.model_dump())
        )
        flash(request, success="Saved the DNS settings.")
        return redirect("/dns/settings")
    row = settings_services.get_settings(who)
    return render(
        request,
        "Dns/Settings",
        {
            "settings": _settings(row),
            "templates": [_template(t) for t in settings_services.list_templates(who)],
            "record_types": list(TYPES),
        },
    )


@require_POST
@login_required
def templates(request: HttpRequest) -> HttpResponse:
    """Create or replace a template (its name is in the form)."""
    form = read_form(request, TemplateForm, back="/dns/settings")
    try:
        saved = settings_services.put_template(
            actor(request),
            form.name,
            [r.model_dump() for r in form.records],
            description=form.description,
            is_default=form.is_default,
        )
    except ValidationFailed as err:
        # A refusal of one entry names it ("records.2.content"): shown at that entry.
        if err.field is not None and err.field.startswith("records."):
            raise FormInvalid({err.field: err.message}) from None
        raise
    flash(request, success=f"Saved template {saved.name}.")
    return redirect("/dns/settings")


@require_http_methods(["DELETE"])
@login_required
def template(request: HttpRequest, name: str) -> HttpResponse:
    back_to(request, "/dns/settings")
    settings_services.delete_template(actor(request), name)
    flash(request, success=f"Deleted template {name}.")
    return redirect("/dns/settings")
