"""Web sites: every rule and every daemon call for them lives here.

Who sees what follows the accounts: admins every site, resellers the sites of the accounts
they own, customers the sites of their own account. A site the actor may not see is reported
as not found, exactly as if it did not exist. Customers create, edit and delete their own
sites; suspending and PHP limits are the provider's (admins and resellers).

A site's names (domain and aliases) are SiteHost rows with a unique index, so a name exists
once on the server whoever asks; the check before the insert only gives the better message.

The daemon is told the whole desired state of a site (``web.site.apply``) inside the
transaction of each change, so a refusal rolls the panel's rows back with the audit entry.
A site is served suspended when it is suspended itself or its hosting account is: suspending
an account re-applies its sites (``apply_account_sites``) and lifting it restores each site
to its own state.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import idna
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from supercp.protocol import web as rpc
from supercp.protocol.errors import (
    Conflict,
    Forbidden,
    NotFound,
    SuperCPError,
    ValidationFailed,
)
from supercp.web.accounts.models import HostingAccount
from supercp.web.accounts.models import State as AccountState
from supercp.web.core import audit, daemon
from supercp.web.core.authz import Actor, owned_by_visible_accounts, require_writable
from supercp.web.core.services import Page, check_page
from supercp.web.dns import services as dns
from supercp.web.dns.ownership import claiming, foreign_name
from supercp.web.plans import limits as plan_limits
from supercp.web.sites import config, names
from supercp.web.sites.models import Site, SiteHost, State
from supercp.web.sites.ownership import overlapping_name

log = logging.getLogger(__name__)

MAX_PER_PAGE = 100
MAX_SEARCH = 100


class Keep(enum.Enum):
    """An update's "leave this field as it is" (None is a value: static site, default root)."""

    KEEP = "keep"


KEEP = Keep.KEEP


class Default(enum.Enum):
    """A new site's "the server's default PHP version" (None asks for a static site)."""

    PHP = "default"


DEFAULT_PHP = Default.PHP


# --- what the actor may see ---------------------------------------------------------------------


def _visible(actor: Actor) -> QuerySet[Site]:
    """The sites this actor may see at all; every lookup starts here."""
    return owned_by_visible_accounts(actor, Site.objects.all())


def _visible_accounts(actor: Actor) -> QuerySet[HostingAccount]:
    return owned_by_visible_accounts(actor, HostingAccount.objects.all(), via="")


def with_related(sites: QuerySet[Site]) -> QuerySet[Site]:
    return sites.select_related("account").prefetch_related("hosts")


def _not_found(domain: str) -> NotFound:
    return NotFound(f"no site '{names.shown(domain)}'", field="domain")


def aliases_of(site: Site) -> list[str]:
    """The site's aliases, sorted (from the prefetched hosts when there are some)."""
    return sorted(h.name for h in site.hosts.all() if not h.is_primary)


def is_served_suspended(site: Site) -> bool:
    """Whether the daemon serves the suspension page: the site or its account is suspended."""
    return site.state == State.SUSPENDED or site.account.state == AccountState.SUSPENDED


def list_sites(
    actor: Actor,
    search: str = "",
    page: int = 1,
    per_page: int = 50,
    *,
    account: str | None = None,
) -> Page[Site]:
    """The visible sites one of whose names (or whose account) contains ``search``."""
    check_page(page)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed(f"per_page must be 1 to {MAX_PER_PAGE}", field="per_page")
    if len(search) > MAX_SEARCH:
        raise ValidationFailed(f"search is limited to {MAX_SEARCH} characters", field="search")
    sites = _visible(actor)
    if account is not None:
        # Within what the actor sees: another customer's name simply matches nothing.
        sites = sites.filter(account__name=account)
    if search:
        terms = {search.lower(), *_punycode_of(search)}
        match = Q(account__name__icontains=search) | Q(display_domain__icontains=search)
        for term in terms:
            match |= Q(pk__in=SiteHost.objects.filter(name__icontains=term).values("site_id"))
        sites = sites.filter(match)
    total = sites.count()
    start = (page - 1) * per_page
    items = list(with_related(sites)[start : start + per_page])
    return Page(items, total, page, per_page)


def _punycode_of(search: str) -> list[str]:
    """A Unicode search term in A-label form too, so "bücher" finds xn--bcher-kva.example."""
    if search.isascii():
        return []
    try:
        return [idna.encode(search.strip("."), uts46=True).decode("ascii")]
    except (idna.IDNAError, UnicodeError):
        return []


def get_site(actor: Actor, domain: str) -> Site:
    """One visible site by its domain (Unicode or A-label form)."""
    try:
        name = names.hostname(domain)
    except ValidationFailed:
        raise _not_found(domain) from None
    site = with_related(_visible(actor)).filter(domain=name).first()
    if site is None:
        raise _not_found(domain)
    return site


def all_sites(actor: Actor, account: str | None = None) -> list[Site]:
    """Every site the actor may see, by domain (super-cli lists them all at once)."""
    sites = _visible(actor)
    if account is not None:
        sites = sites.filter(account__name=account)
    return list(with_related(sites))


def site_accounts(actor: Actor) -> list[HostingAccount]:
    """The accounts the actor may create sites in."""
    return list(_visible_accounts(actor))


def counts(actor: Actor) -> int:
    return _visible(actor).count()


# --- the daemon's side --------------------------------------------------------------------------


def spec_of(site: Site, aliases: list[str] | None = None) -> rpc.SiteSpec:
    """The desired state the daemon converges the site to."""
    return rpc.SiteSpec(
        domain=site.domain,
        account=site.account.name,
        aliases=aliases_of(site) if aliases is None else aliases,
        redirect_aliases=site.redirect_aliases,
        php=site.php,
        docroot=site.docroot,
        suspended=is_served_suspended(site),
        limits=site.limits,
    )


def _apply(site: Site, aliases: list[str] | None = None) -> None:
    with daemon.client() as c:
        result = c.invoke(rpc.SITE_APPLY, spec_of(site, aliases))
    if site.document_root != result.site.docroot:
        site.document_root = result.site.docroot
        site.save(update_fields=["document_root"])


def php_versions(actor: Actor) -> rpc.PhpVersions:
    """The PHP-FPM versions installed on this server (for the form's select), and the one a
    new site gets: panel.toml's default_php if it is installed, else the newest."""
    with daemon.client() as c:
        found = c.invoke(rpc.PHP_VERSIONS)
    wanted = config.default_php()
    if wanted is not None and wanted in found.versions:
        return found.model_copy(update={"default": wanted})
    if wanted is not None:
        log.warning("default_php %s is not installed; new sites get PHP %s", wanted, found.default)
    return found


def _php_of(actor: Actor, raw: str | Default | None, account: HostingAccount) -> str | None:
    """A new site's PHP version: as asked (None: static), or the server's default (the
    newest installed one the account's plan offers, where it offers others)."""
    if not isinstance(raw, Default):
        return names.php_version(raw)
    found = php_versions(actor)
    offered = account.plan.php_versions
    if not offered or found.default in offered:
        return found.default
    usable = [v for v in found.versions if v in offered]
    return usable[0] if usable else found.default


def _check_php(actor: Actor, version: str | None) -> None:
    if version is None:
        return
    installed = php_versions(actor).versions
    if version not in installed:
        have = ", ".join(installed) or "none"
        raise ValidationFailed(
            f"PHP {version} is not installed here (installed: {have})",
            code="php-not-installed",
            field="php",
        )


def site_logs(
    actor: Actor, domain: str, kind: rpc.LogKind = "access", lines: int = 100
) -> rpc.LogTail:
    """The last lines of a visible site's access or error log."""
    site = get_site(actor, domain)
    with daemon.client() as c:
        return c.invoke(rpc.SITE_LOGS, rpc.LogParams(domain=site.domain, kind=kind, lines=lines))


# --- changes ------------------------------------------------------------------------------------


def _account_for(actor: Actor, account: str | None) -> HostingAccount:
    """The account a new site goes into: named, or a customer's own one."""
    accounts = _visible_accounts(actor).select_related("plan")
    if account is None or account == "":
        if not actor.is_customer:
            raise ValidationFailed("name the hosting account of the site", field="account")
        found = accounts.first()
    else:
        found = accounts.filter(name=account).first()
    if found is None:
        raise NotFound(f"no account '{names.shown(account or '')}'", field="account")
    return found


def _for_change(actor: Actor, domain: str) -> Site:
    """Lock a site the actor may change (call inside a transaction)."""
    require_writable(actor)
    try:
        name = names.hostname(domain)
    except ValidationFailed:
        raise _not_found(domain) from None
    site = _visible(actor).select_for_update().filter(domain=name).first()
    if site is None:
        raise _not_found(domain)
    return site


def _require_provider(actor: Actor, what: str, field: str | None = None) -> None:
    if actor.is_customer:
        raise Forbidden(f"{what} is up to your provider", code="forbidden", field=field)


def _check_owners(actor: Actor, account: HostingAccount, hosts: list[str], field: str) -> None:
    """Refuse names inside a DNS zone that is not the account's, or above or below another
    owner's site, alias or zone (dns/ownership.foreign_name, sites/ownership.py)."""
    found = foreign_name(actor, account, hosts)
    if found is not None:
        raise Conflict(
            f"{found} is in a DNS zone of another owner on this server",
            code="domain-taken",
            field=field,
        )
    found = overlapping_name(actor, account, hosts)
    if found is not None:
        raise Conflict(
            f"{names.shown(names.unicode_name(found))} overlaps a site, alias or zone of "
            "another owner on this server",
            code="domain-taken",
            field=field,
        )


def _check_free(domain: str, aliases: Iterable[str], site: Site | None = None) -> None:
    """Refuse names another site has; a nicer message than the unique index's."""
    wanted = [domain, *aliases]
    taken = SiteHost.objects.filter(name__in=wanted)
    if site is not None:
        taken = taken.exclude(site=site)
    found = set(taken.values_list("name", flat=True))
    if domain in found:
        raise Conflict(
            f"{domain} is already a site or alias on this server",
            code="domain-taken",
            field="domain",
        )
    if found:
        raise Conflict(
            f"{', '.join(sorted(found))}: already a site or alias on this server",
            code="domain-taken",
            field="aliases",
        )


@dataclass(frozen=True)
class NewSite:
    """What create_site takes; the fields as the user typed them."""

    domain: str
    account: str | None = None
    aliases: list[str] = field(default_factory=list)
    # Also answer to www.DOMAIN (added to the aliases).
    www: bool = False
    redirect_aliases: bool = False
    # The server's default unless asked for; None: a static site.
    php: str | Default | None = DEFAULT_PHP
    docroot: str | None = None
    limits: rpc.PhpLimits | None = None
    # Also create the DNS zone of the domain (default template, same account) unless a zone
    # covers the domain already.
    create_zone: bool = False


def _zone_plan(actor: Actor, domain: str, account: HostingAccount) -> dns.ZonePlan | None:
    """The zone create_site offers to make; a refusal names the create_zone field."""
    try:
        return dns.site_zone_plan(actor, domain, account)
    except SuperCPError as err:
        raise type(err)(
            f"the zone {domain} cannot be created: {err.message}",
            code=err.code,
            field="create_zone",
        ) from None


def _claimable_aliases(actor: Actor, aliases: list[str]) -> list[str]:
    return [names.claimable(a, "aliases", admin=actor.is_admin) for a in aliases]


def create_site(actor: Actor, new: NewSite) -> Site:
    """Record the site and have the daemon make its directories, pool and server block.

    With ``create_zone`` the site's zone is written in the same transactions, committed only
    after the daemon made the site: if either fails, neither exists.
    """
    require_writable(actor)
    domain = names.claimable(names.hostname(new.domain, "domain"), "domain", admin=actor.is_admin)
    wanted = [*new.aliases, *([f"www.{domain}"] if new.www else [])]
    aliases = _claimable_aliases(actor, names.aliases(wanted, domain))
    docroot = names.docroot(new.docroot)
    if new.limits is not None:
        _require_provider(actor, "setting PHP limits", "limits")
    account = _account_for(actor, new.account)
    php = _php_of(actor, new.php, account)
    if not isinstance(new.php, Default):
        _check_php(actor, php)
    plan_limits.allows_php(account.plan, php)
    limits = plan_limits.within_php_limits(account.plan, new.limits)
    try:
        # The checks and the writes in one transaction that claims the names (ownership.py).
        with claiming([domain, *aliases]):
            _check_free(domain, aliases)
            _check_owners(actor, account, [domain], "domain")
            _check_owners(actor, account, aliases, "aliases")
            plan_limits.claim(account, "sites")
            plan_limits.claim(account, "aliases", len(aliases))
            zone = _zone_plan(actor, domain, account) if new.create_zone else None
            site = Site(
                account=account,
                domain=domain,
                display_domain=names.unicode_name(domain),
                redirect_aliases=new.redirect_aliases,
                php=php,
                docroot=docroot,
            )
            site.set_limits(limits)
            site.save()
            SiteHost.objects.bulk_create(
                [SiteHost(name=domain, site=site, is_primary=True)]
                + [SiteHost(name=a, site=site) for a in aliases]
            )
            audit.record(
                actor,
                "site.create",
                domain,
                account=account.name,
                aliases=aliases,
                php=php,
                docroot=docroot,
            )
            if zone is None:
                _apply(site, aliases)
            else:
                with dns.creating_zone(actor, zone):
                    _apply(site, aliases)
    except IntegrityError:
        # Another request took one of the names between our check and our insert.
        _check_free(domain, aliases)
        raise Conflict(
            f"{domain} is already a site on this server", code="domain-taken", field="domain"
        ) from None
    return get_site(actor, domain)


def _wanted_aliases(domain: str, aliases: list[str] | Keep) -> list[str]:
    """The aliases an update asks for, to claim before its checks (ownership.claiming)."""
    if isinstance(aliases, Keep):
        return []
    try:
        primary = names.hostname(domain)
    except ValidationFailed:
        return []  # no such site: _for_change says so
    return names.aliases(aliases, primary)


def update_site(
    actor: Actor,
    domain: str,
    *,
    aliases: list[str] | Keep = KEEP,
    redirect_aliases: bool | Keep = KEEP,
    php: str | Keep | None = KEEP,
    docroot: str | Keep | None = KEEP,
    limits: rpc.PhpLimits | Keep = KEEP,
) -> Site:
    """Change a site's aliases, redirect, PHP version, document root or limits."""
    require_writable(actor)
    if not isinstance(limits, Keep):
        _require_provider(actor, "setting PHP limits", "limits")
    new_php = php if isinstance(php, Keep) else names.php_version(php)
    new_docroot = docroot if isinstance(docroot, Keep) else names.docroot(docroot)
    try:
        with claiming(_wanted_aliases(domain, aliases)):
            site = _for_change(actor, domain)
            new_aliases = (
                None
                if isinstance(aliases, Keep)
                else _claimable_aliases(actor, names.aliases(aliases, site.domain))
            )
            if not isinstance(new_php, Keep) and new_php != site.php:
                _check_php(actor, new_php)
                plan_limits.allows_php(site.account.plan, new_php)
            if not isinstance(limits, Keep):
                plan_limits.within_php_limits(site.account.plan, limits)
            changed: dict[str, object] = {}
            if new_aliases is not None:
                current = set(aliases_of(site))
                if set(new_aliases) != current:
                    _check_free(site.domain, new_aliases, site)
                    added = [a for a in new_aliases if a not in current]
                    _check_owners(actor, site.account, added, "aliases")
                    plan_limits.claim(site.account, "aliases", len(new_aliases) - len(current))
                    SiteHost.objects.filter(site=site, is_primary=False).exclude(
                        name__in=new_aliases
                    ).delete()
                    SiteHost.objects.bulk_create(
                        [SiteHost(name=a, site=site) for a in new_aliases if a not in current]
                    )
                    changed["aliases"] = new_aliases
            if not isinstance(redirect_aliases, Keep):
                site.redirect_aliases = redirect_aliases
                changed["redirect_aliases"] = redirect_aliases
            if not isinstance(new_php, Keep):
                site.php = new_php
                changed["php"] = new_php
            if not isinstance(new_docroot, Keep):
                site.docroot = new_docroot
                changed["docroot"] = new_docroot
            if not isinstance(limits, Keep):
                site.set_limits(limits)
                changed["limits"] = limits.model_dump()
            site.save()
            audit.record(actor, "site.update", site.domain, **changed)
            # Sent even when nothing changed: apply converges a system that drifted.
            site = with_related(Site.objects.filter(pk=site.pk)).get()
            _apply(site)
    except IntegrityError:
        raise Conflict(
            "one of these aliases is already a site or alias on this server",
            code="domain-taken",
            field="aliases",
        ) from None
    return get_site(actor, site.domain)


def _set_state(actor: Actor, domain: str, state: State, action: str) -> Site:
    require_writable(actor)
    _require_provider(actor, "suspending a site")
    with transaction.atomic():
        site = _for_change(actor, domain)
        before = site.state
        site.state = state
        site.save(update_fields=["state"])
        audit.record(actor, action, site.domain, previous=before)
        site = with_related(Site.objects.filter(pk=site.pk)).get()
        _apply(site)
    return get_site(actor, site.domain)


def suspend_site(actor: Actor, domain: str) -> Site:
    """Serve the suspension page instead of the site; its PHP stops."""
    return _set_state(actor, domain, State.SUSPENDED, "site.suspend")


def unsuspend_site(actor: Actor, domain: str) -> Site:
    """Serve the site again (still suspended while its account is)."""
    return _set_state(actor, domain, State.ACTIVE, "site.unsuspend")


def delete_site(actor: Actor, domain: str, *, remove_files: bool = False) -> rpc.RemoveResult:
    """Remove the site's pool and server block (and its files if asked), then the site."""
    with transaction.atomic():
        site = _for_change(actor, domain)
        audit.record(actor, "site.delete", site.domain, remove_files=remove_files)
        with daemon.client() as c:
            result = c.invoke(
                rpc.SITE_REMOVE, rpc.RemoveParams(domain=site.domain, remove_files=remove_files)
            )
        site.delete()
    return result
