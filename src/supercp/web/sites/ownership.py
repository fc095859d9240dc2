"""The names a site holds, as the other modules see them: a site's domain or alias is refused
equal to, above or below another account's site or alias, or above a zone its account may
not answer for (zones at or above: dns/ownership.py's foreign_name); and a zone, a mail
domain or any other module's name is refused around another owner's site (NAMES, the
"names" hook of modules.py, which dns/ownership.py asks). Both run in
dns/ownership.claiming's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from supercp.web.accounts.models import HostingAccount
from supercp.web.core.authz import Actor
from supercp.web.dns.ownership import NameHolder, ancestors, foreign_zones_below
from supercp.web.sites.models import SiteHost


def _around(hosts: Iterable[str]) -> Q:
    """Names equal to, above or below any of ``hosts``."""
    match = Q(name__in={a for host in hosts for a in (host, *ancestors(host))})
    for host in hosts:
        match |= Q(name__endswith="." + host)
    return match


def overlapping_name(actor: Actor, account: HostingAccount, hosts: list[str]) -> str | None:
    """The first of a site's names equal to, above or below another account's site or
    alias, or above a zone its account may not answer for."""
    if not hosts:
        return None
    taken = set(
        SiteHost.objects.filter(_around(hosts))
        .exclude(site__account=account)
        .values_list("name", flat=True)
    )
    taken.update(foreign_zones_below(actor, account, hosts))
    for host in hosts:
        if any(t == host or t.endswith("." + host) or host.endswith("." + t) for t in taken):
            return host
    return None


def held_name(name: str, account: HostingAccount | None) -> str | None:
    """A site's domain or alias equal to, above or below ``name`` of another account than
    ``account`` (None: of any account)."""
    hosts = SiteHost.objects.filter(_around([name]))
    if account is not None:
        hosts = hosts.exclude(site__account=account)
    # [:1], not first(): first() would sort them by id to find one.
    return next(iter(hosts.values_list("name", flat=True)[:1]), None)


NAMES = NameHolder(held=held_name)
