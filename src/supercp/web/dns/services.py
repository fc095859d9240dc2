"""DNS zones and records: every rule and every daemon call for them lives here.

Who sees what follows the accounts, as for sites: admins every zone (their own zones, of no
account, included), resellers the zones of the accounts they own, customers those of their
own account. Anything else is not found, exactly as if it did not exist.

Who may create which zone: a zone is a name that no other zone has, and that is neither
inside nor above a zone or a site name of another owner (so a customer cannot take over
``shop.example.com`` of someone else by creating ``example.com``, nor the other way round).
Customers create zones in their own account, resellers in their customers', admins in any
account or in none.

Every change is one transaction of PowerDNS's database (pdns.py) nested in one of the
panel's (the zone's row and the audit entry): the records, the SOA serial (YYYYMMDDnn,
always higher than before) and, for unsigned zones, ``auth``/``ordername`` and the empty
non-terminals (rectify.py). After the commit ``dns.zone.refresh`` has the daemon purge
PowerDNS's caches for the zone (rectify it when signed, and NOTIFY its secondaries), so the
change answers at once. A failed refresh is logged, not raised: the change is in PowerDNS's
database already, and PowerDNS answers it when its caches expire (20 s).
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from supercp.protocol import dns as rpc
from supercp.protocol.errors import (
    Conflict,
    NotFound,
    SuperCPError,
    ValidationFailed,
)
from supercp.web.accounts.hooks import AccountHooks
from supercp.web.accounts.models import HostingAccount
from supercp.web.core import audit, daemon, hostnames
from supercp.web.core.authz import Actor, owned_by_visible_accounts, require_writable
from supercp.web.core.services import Page, check_page
from supercp.web.dns import pdns, records, rules, templates, zonedata, zonefile
from supercp.web.dns.models import Zone, ZoneTemplate
from supercp.web.dns.ownership import ancestors, check_name_free, claiming
from supercp.web.dns.records import Record
from supercp.web.dns.server import (
    apply_secondaries,
    check_secondaries,
    defaults_of,
    settings_row,
)
from supercp.web.dns.zonefile import Soa
from supercp.web.plans import limits as plan_limits
from supercp.web.plans.usage import Usage

log = logging.getLogger(__name__)

MAX_PER_PAGE = 100
MAX_SEARCH = 100


class Keep(enum.Enum):
    """An update's "leave this field as it is"."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class ZoneView:
    """A zone with what PowerDNS holds of it."""

    zone: Zone
    serial: int
    records: int
    secured: bool


@dataclass(frozen=True)
class RecordView:
    """A record as the panel shows it: its id is PowerDNS's row id."""

    id: int
    zone: str
    record: Record

    @property
    def name(self) -> str:
        return records.relative(self.record.name, self.zone)

    @property
    def managed(self) -> bool:
        """The SOA is the panel's: shown, never edited by hand."""
        return self.record.type == "SOA"


# --- what the actor may see ---------------------------------------------------------------------


def _visible(actor: Actor) -> QuerySet[Zone]:
    """The zones this actor may see at all; every lookup starts here."""
    return owned_by_visible_accounts(actor, Zone.objects.all())


def _visible_accounts(actor: Actor) -> QuerySet[HostingAccount]:
    return owned_by_visible_accounts(actor, HostingAccount.objects.all(), via="")


def _not_found(name: str) -> NotFound:
    return NotFound(f"no zone '{hostnames.shown(name)}'", field="zone")


def _zone_name(raw: str) -> str | None:
    try:
        return hostnames.hostname(raw, "zone")
    except ValidationFailed:
        return None


def _find(actor: Actor, raw: str, *, lock: bool = False) -> Zone:
    name = _zone_name(raw)
    zones = _visible(actor).select_related("account")
    found = (
        (zones.select_for_update() if lock else zones).filter(name=name).first() if name else None
    )
    if found is None:
        raise _not_found(raw)
    return found


def _views(zones: list[Zone]) -> list[ZoneView]:
    with pdns.transaction() as tx:
        domains = tx.domains([z.name for z in zones])
        ids = [d.id for d in domains.values()]
        soas = tx.soas(ids)
        counts = tx.counts(ids)
        signed = tx.signed(ids)
    out = []
    for z in zones:
        d = domains.get(z.name)
        serial = 0
        if d is not None and d.id in soas:
            with contextlib.suppress(Exception):
                serial = Soa.parse(*soas[d.id]).serial
        out.append(
            ZoneView(
                z,
                serial,
                counts.get(d.id, 0) if d else 0,
                d is not None and d.id in signed,
            )
        )
    return out


def check_list(search: str, page: int, per_page: int) -> None:
    """A list's paging and search, as the zones' and the records' lists take them."""
    check_page(page)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed(f"per_page must be 1 to {MAX_PER_PAGE}", field="per_page")
    if len(search) > MAX_SEARCH:
        raise ValidationFailed(f"search is limited to {MAX_SEARCH} characters", field="search")


def list_zones(
    actor: Actor,
    search: str = "",
    page: int = 1,
    per_page: int = 50,
    *,
    account: str | None = None,
) -> Page[ZoneView]:
    """The visible zones whose name (or account) contains ``search``."""
    check_list(search, page, per_page)
    zones = _visible(actor)
    if account is not None:
        zones = zones.filter(account__name=account)
    if search:
        match = (
            Q(name__icontains=search)
            | Q(display_name__icontains=search)
            | Q(account__name__icontains=search)
        )
        ascii_term = _zone_name(search.strip(".")) if not search.isascii() else None
        if ascii_term:
            match |= Q(name__icontains=ascii_term)
        zones = zones.filter(match)
    total = zones.count()
    start = (page - 1) * per_page
    items = list(zones.select_related("account")[start : start + per_page])
    return Page(_views(items), total, page, per_page)


def all_zones(actor: Actor, account: str | None = None) -> list[ZoneView]:
    """Every zone the actor may see (super-cli lists them all at once)."""
    zones = _visible(actor).select_related("account")
    if account is not None:
        zones = zones.filter(account__name=account)
    return _views(list(zones))


def get_zone(actor: Actor, name: str) -> ZoneView:
    """One visible zone by its name (Unicode or A-label form)."""
    return _views([_find(actor, name)])[0]


def zone_accounts(actor: Actor) -> list[HostingAccount]:
    """The accounts the actor may create zones in."""
    return list(_visible_accounts(actor))


def counts(actor: Actor) -> int:
    return _visible(actor).count()


# --- the daemon's side --------------------------------------------------------------------------


def _refresh(zone: str, *, gone: bool = False) -> None:
    """Purge PowerDNS's caches for the zone (and rectify and NOTIFY): after every commit.

    ``gone``: the zone was just deleted; the daemon purges its answers and then reports it
    not found, as expected.
    """
    try:
        with daemon.client() as c:
            c.invoke(rpc.ZONE_REFRESH, rpc.ZoneParams(zone=zone))
    except SuperCPError as err:
        if gone and err.code == "zone-not-found":
            return
        log.warning("dns.zone.refresh %s failed (%s): %s", zone, err.code, err.message)


def dnssec(actor: Actor, name: str) -> rpc.DnssecState:
    """Whether a visible zone is signed, its keys and the DS records for the registrar."""
    zone = _find(actor, name)
    with daemon.client() as c:
        return c.invoke(rpc.ZONE_DNSSEC, rpc.ZoneParams(zone=zone.name))


def secure_zone(
    actor: Actor, name: str, algorithm: rpc.Algorithm = "ecdsap256sha256"
) -> rpc.DnssecState:
    """Sign a zone with DNSSEC (the daemon makes the key and rectifies)."""
    require_writable(actor)
    with transaction.atomic():
        zone = _find(actor, name, lock=True)
        with pdns.transaction() as tx:
            rows = tx.rows(zonedata.domain(tx, zone.name).id)
        rules.check_alias_unsigned(
            (r.record() for r in rows if r.type is not None), signed=True, field="zone"
        )
        audit.record(actor, "dns.zone.secure", zone.name, algorithm=algorithm)
        with daemon.client() as c:
            state = c.invoke(rpc.ZONE_SECURE, rpc.SecureParams(zone=zone.name, algorithm=algorithm))
        with pdns.transaction() as tx:
            domain = zonedata.domain(tx, zone.name)
            zonedata.bump_serial(tx, domain.id)
    _refresh(zone.name)
    return state


def unsecure_zone(actor: Actor, name: str) -> rpc.DnssecState:
    """Drop a zone's DNSSEC keys; the panel rectifies it again as an unsigned zone."""
    require_writable(actor)
    with transaction.atomic():
        zone = _find(actor, name, lock=True)
        audit.record(actor, "dns.zone.unsecure", zone.name)
        with daemon.client() as c:
            state = c.invoke(rpc.ZONE_UNSECURE, rpc.ZoneParams(zone=zone.name))
        with pdns.transaction() as tx:
            domain = zonedata.domain(tx, zone.name)
            zonedata.settle(tx, domain.id, zone.name, tx.rows(domain.id))
            zonedata.bump_serial(tx, domain.id)
    _refresh(zone.name)
    return state


# --- creating and deleting zones ----------------------------------------------------------------


@dataclass(frozen=True)
class NewZone:
    """What create_zone takes; the fields as the user typed them."""

    name: str
    account: str | None = None
    # A template's name; None: the default template (unless zone_file is given).
    template: str | None = None
    # A master file to fill the zone with instead of a template.
    zone_file: str | None = None


@dataclass(frozen=True)
class ZonePlan:
    """A zone checked and rendered, ready to be written."""

    name: str
    account: HostingAccount | None
    records: list[Record]
    soa: Soa
    secondaries: list[str] = field(default_factory=list)
    source: str = ""


def _owner_for(actor: Actor, account: str | None) -> HostingAccount | None:
    """The account a new zone goes into (None: the administrators' own)."""
    accounts = _visible_accounts(actor)
    if account is None or account == "":
        if actor.is_admin:
            return None
        if actor.is_reseller:
            raise ValidationFailed("name the hosting account of the zone", field="account")
        found = accounts.first()
    else:
        found = accounts.filter(name=account).first()
    if found is None:
        raise NotFound(f"no account '{hostnames.shown(account or '')}'", field="account")
    return found


def plan_zone(actor: Actor, new: NewZone) -> ZonePlan:
    """Check a new zone and render its records; nothing is written."""
    require_writable(actor)
    name = hostnames.claimable(hostnames.hostname(new.name, "name"), "name", admin=actor.is_admin)
    account = _owner_for(actor, new.account)
    row = settings_row()
    defaults = defaults_of(row)
    soa = templates.soa(name, defaults, zonedata.next_serial(0))
    if new.zone_file is not None:
        if new.template is not None:
            raise ValidationFailed("give a template or a zone file, not both", field="template")
        parsed = zonefile.parse(new.zone_file, name, defaults.ttl)
        found = parsed.records
        if parsed.soa is not None:
            soa = replace(parsed.soa, serial=max(soa.serial, parsed.soa.serial))
        if not any(r.type == "NS" and r.name == name for r in found):
            found += [
                Record(name, "NS", ns, defaults.ttl) for ns in templates.nameservers(defaults)
            ]
        rules.check_zone(name, found, name_field=zonefile.FIELD, type_field=zonefile.FIELD)
        source = "zone file"
    else:
        template = _template(new.template)
        found = templates.render(template.records, name, defaults)
        rules.check_zone(name, found, name_field="template", type_field="template")
        source = template.name
    check_name_free(name, account)
    return ZonePlan(name, account, found, soa, check_secondaries(list(row.secondaries)), source)


def _template(name: str | None) -> ZoneTemplate:
    templates_ = ZoneTemplate.objects.all()
    found = (
        templates_.filter(is_default=True).first()
        if name is None
        else templates_.filter(name=name).first()
    )
    if found is None:
        if name is None:
            return ZoneTemplate(name="default", records=templates.DEFAULT_RECORDS)
        raise NotFound(f"no template '{hostnames.shown(name)}'", field="template")
    return found


@contextlib.contextmanager
def creating_zone(actor: Actor, plan: ZonePlan) -> Iterator[Zone]:
    """Write a planned zone; commit when the block ends (call inside ownership.claiming).

    The block may do more (create_site applies the site here): if it raises, the zone is
    not written at all.
    """
    if plan.account is not None:
        plan_limits.claim(plan.account, "dns_zones")
    try:
        zone = Zone.objects.create(
            name=plan.name,
            display_name=hostnames.unicode_name(plan.name),
            account=plan.account,
        )
    except IntegrityError:
        raise Conflict(
            f"{plan.name} is already a zone on this server", code="zone-exists", field="name"
        ) from None
    audit.record(
        actor,
        "dns.zone.create",
        plan.name,
        account=plan.account.name if plan.account else None,
        source=plan.source,
        records=len(plan.records),
    )
    with pdns.transaction() as tx:
        if tx.domain(plan.name) is not None:
            raise Conflict(
                f"{plan.name} is already a zone in PowerDNS", code="zone-exists", field="name"
            )
        domain_id = tx.create_domain(plan.name, plan.account.name if plan.account else None)
        soa = Record(plan.name, "SOA", plan.soa.content, plan.soa.ttl)
        rows, ents = zonedata.orders(plan.name, [soa, *plan.records], signed=False)
        tx.insert(domain_id, rows)
        tx.insert_ents(domain_id, ents)
        if plan.secondaries:
            apply_secondaries(tx, [domain_id], plan.secondaries)
        yield zone
    _refresh(plan.name)


def create_zone(actor: Actor, new: NewZone) -> ZoneView:
    """Create a zone from a template (or a zone file) in PowerDNS."""
    # A read-only token is refused before its input is looked at (a 403, never a 400).
    require_writable(actor)
    # plan_zone's checks and the zone's rows in one transaction that claims the name.
    with claiming([hostnames.hostname(new.name, "name")]):
        plan = plan_zone(actor, new)
        with creating_zone(actor, plan):
            pass
    return get_zone(actor, plan.name)


def site_zone_plan(actor: Actor, domain: str, account: HostingAccount) -> ZonePlan | None:
    """The zone a new site offers to create: None when a zone of the same owner covers the
    domain already (another owner's is refused: the site's records would be theirs)."""
    covering = Zone.objects.filter(name__in=[domain, *ancestors(domain)])
    if covering.exclude(account=account).exists():
        raise Conflict(
            f"{domain} lies in a zone of another owner on this server",
            code="domain-taken",
            field="name",
        )
    if covering.exists():
        return None
    return plan_zone(actor, NewZone(domain, account=account.name))


def delete_zone(actor: Actor, name: str) -> None:
    """Remove a zone from PowerDNS (records, keys, metadata) and from the panel."""
    require_writable(actor)
    with transaction.atomic():
        zone = _find(actor, name, lock=True)
        audit.record(actor, "dns.zone.delete", zone.name)
        with pdns.transaction() as tx:
            _drop(tx, zone)
    _refresh(zone.name, gone=True)


def _drop(tx: pdns.Tx, zone: Zone) -> None:
    domain = tx.domain(zone.name, lock=True)
    if domain is not None:
        tx.delete_domain(domain.id)
    zone.delete()


@contextlib.contextmanager
def removing_account_zones(actor: Actor, account: HostingAccount) -> Iterator[None]:
    """Remove an account's zones with the account (call in its transaction, around the
    account's own removal): PowerDNS's rows go only when the block ends without an error,
    or an account whose removal failed would keep zones that PowerDNS no longer has."""
    gone = list(Zone.objects.filter(account=account))
    if not gone:
        yield
        return
    with pdns.transaction() as tx:
        for zone in gone:
            audit.record(actor, "dns.zone.delete", zone.name, account_deleted=account.name)
            _drop(tx, zone)
        yield
    for zone in gone:
        _refresh(zone.name, gone=True)


ACCOUNT_HOOKS = AccountHooks(removing=removing_account_zones)


def _zones_of(accounts: QuerySet[HostingAccount]) -> int:
    return Zone.objects.filter(account__in=accounts).count()


# The plans' hooks (plans/usage.py).
PLAN_USAGE = Usage(counters={"dns_zones": _zones_of})
