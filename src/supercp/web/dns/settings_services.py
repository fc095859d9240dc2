"""The administrators' side of DNS: zone templates and the server-wide defaults.

Only admins read or change these. Changing the server-wide secondaries re-applies them to
every zone's ALSO-NOTIFY and ALLOW-AXFR-FROM metadata at once (one transaction), so each zone
lists the server's secondaries plus its own.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from supercp.protocol.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supercp.web.core import audit, hostnames
from supercp.web.core.authz import Actor, require_writable
from supercp.web.dns import pdns, records, templates
from supercp.web.dns.models import DnsSettings, Zone, ZoneTemplate
from supercp.web.dns.server import check_secondaries, defaults_of, settings_row
from supercp.web.dns.services import _refresh
from supercp.web.dns.zonefile import TIMERS

TEMPLATE_NAME_MAX = 64


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only administrators manage DNS templates and defaults", code="forbidden")


# --- defaults -----------------------------------------------------------------------------------


def get_settings(actor: Actor) -> DnsSettings:
    _require_admin(actor)
    return settings_row()


@dataclass(frozen=True)
class SettingsChange:
    """The fields to change (None: keep)."""

    nameservers: list[str] | None = None
    soa_contact: str | None = None
    ipv4: str | None = None
    ipv6: str | None = None
    ttl: int | None = None
    soa_refresh: int | None = None
    soa_retry: int | None = None
    soa_expire: int | None = None
    soa_minimum: int | None = None
    secondaries: list[str] | None = None


def _checked(change: SettingsChange) -> dict[str, Any]:
    """The fields to change, each checked (errors name the field)."""
    changed: dict[str, Any] = {}
    if change.nameservers is not None:
        if not 1 <= len(change.nameservers) <= 10:
            raise ValidationFailed("name 1 to 10 name servers", field="nameservers")
        found = [records.target(n, "nameservers") for n in change.nameservers]
        changed["nameservers"] = list(dict.fromkeys(found))
    if change.soa_contact is not None:
        templates.rname(change.soa_contact, "example.com")
        changed["soa_contact"] = change.soa_contact
    for key, kind in (("ipv4", "A"), ("ipv6", "AAAA")):
        value = getattr(change, key)
        if value is not None:
            changed[key] = _address(value, kind, key)
    if change.ttl is not None:
        changed["ttl"] = records.ttl(change.ttl)
    for key, low, high in TIMERS:
        value = getattr(change, key)
        if value is not None:
            if not low <= value <= high:
                raise ValidationFailed(f"{key} is {low} to {high} seconds", field=key)
            changed[key] = value
    if change.secondaries is not None:
        changed["secondaries"] = check_secondaries(change.secondaries)
    return changed


def _address(value: str, kind: str, field: str) -> str:
    if value == "":
        return value
    try:
        return records.content(kind, value, field)[0]
    except ValidationFailed:
        raise ValidationFailed(
            f"'{hostnames.shown(value)}' is not an {field.upper()} address",
            code="invalid-address",
            field=field,
        ) from None


def update_settings(actor: Actor, change: SettingsChange) -> DnsSettings:
    """Change the defaults of new zones (and the server-wide secondaries of every zone)."""
    require_writable(actor)
    _require_admin(actor)
    changed = _checked(change)
    with transaction.atomic():
        row = DnsSettings.objects.select_for_update().get(pk=settings_row().pk)
        for key, value in changed.items():
            setattr(row, key, value)
        row.save()
        audit.record(actor, "dns.settings.update", "", **changed)
        reapplied = "secondaries" in changed and _reapply_secondaries(row)
    if reapplied:
        refresh_many(list(Zone.objects.values_list("name", flat=True)))
    return row


# Daemon calls in flight at once when many zones changed together: the daemon groups the
# cache purges of calls that meet, so eight finish several times sooner than one by one.
REFRESH_CALLS = 8


def refresh_many(zones: list[str]) -> None:
    """``dns.zone.refresh`` of many zones (every zone, when the server's secondaries change)."""
    with ThreadPoolExecutor(REFRESH_CALLS, thread_name_prefix="dns-refresh") as pool:
        for _ in pool.map(_refresh, zones):
            pass


def _reapply_secondaries(row: DnsSettings) -> bool:
    """Every zone's secondaries metadata: the server's plus the zone's own."""
    server = list(row.secondaries)
    zones = list(Zone.objects.values_list("name", "secondaries"))
    if not zones:
        return False
    with pdns.transaction() as tx:
        ids = {d.name: d.id for d in tx.domains([n for n, _ in zones]).values()}
        plain = [ids[n] for n, own in zones if not own and n in ids]
        for kind in ("ALSO-NOTIFY", "ALLOW-AXFR-FROM"):
            tx.set_metadata(plain, kind, server)
        for zone_name, own in zones:
            if own and zone_name in ids:
                every = check_secondaries([*own, *server])
                for kind in ("ALSO-NOTIFY", "ALLOW-AXFR-FROM"):
                    tx.set_metadata([ids[zone_name]], kind, every)
    return True


# --- templates ----------------------------------------------------------------------------------


def list_templates(actor: Actor) -> list[ZoneTemplate]:
    _require_admin(actor)
    return list(ZoneTemplate.objects.all())


def template_choices(actor: Actor) -> list[ZoneTemplate]:
    """The templates a new zone may start from, for anyone who may create one.

    Their names and descriptions are what a create form offers; the records inside stay
    the administrators' to read (``list_templates``).
    """
    del actor  # every signed-in role may create zones (within its own accounts)
    return list(ZoneTemplate.objects.only("name", "description", "is_default").order_by("name"))


def get_template(actor: Actor, name: str) -> ZoneTemplate:
    _require_admin(actor)
    found = ZoneTemplate.objects.filter(name=name).first()
    if found is None:
        raise NotFound(f"no template '{hostnames.shown(name)}'", field="name")
    return found


def _template_name(raw: str) -> str:
    if not re.fullmatch(rf"[A-Za-z0-9_-]{{1,{TEMPLATE_NAME_MAX}}}", raw):
        raise ValidationFailed(
            "a template's name has 1 to 64 letters, digits, '-' and '_'",
            code="invalid-name",
            field="name",
        )
    return raw


def put_template(
    actor: Actor,
    name: str,
    entries: list[dict[str, Any]],
    *,
    description: str = "",
    is_default: bool = False,
) -> ZoneTemplate:
    """Create or replace a template; it is checked by rendering it for example.com."""
    require_writable(actor)
    _require_admin(actor)
    name = _template_name(name)
    if len(description) > 200:
        raise ValidationFailed("a description has at most 200 characters", field="description")
    checked = templates.check_entries(entries)
    templates.check_template(checked, defaults_of(settings_row()))
    with transaction.atomic():
        template, created = ZoneTemplate.objects.update_or_create(
            name=name, defaults={"records": checked, "description": description}
        )
        # The default changes only by making another template the default, so there is
        # always exactly one.
        if is_default or not ZoneTemplate.objects.filter(is_default=True).exists():
            ZoneTemplate.objects.exclude(pk=template.pk).update(is_default=False)
            template.is_default = True
            template.save(update_fields=["is_default"])
        audit.record(
            actor,
            "dns.template.create" if created else "dns.template.update",
            name,
            records=len(checked),
            is_default=template.is_default,
        )
    return template


def delete_template(actor: Actor, name: str) -> None:
    require_writable(actor)
    _require_admin(actor)
    with transaction.atomic():
        template = ZoneTemplate.objects.select_for_update().filter(name=name).first()
        if template is None:
            raise NotFound(f"no template '{hostnames.shown(name)}'", field="name")
        if template.is_default:
            raise Conflict(
                "the default template cannot be deleted; make another one the default first",
                code="template-default",
                field="name",
            )
        audit.record(actor, "dns.template.delete", name)
        template.delete()
