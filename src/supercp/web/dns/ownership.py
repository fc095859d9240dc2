"""Who may hold a name: a zone is refused inside or above another owner's zone or site,
and a site's name inside a zone its account may not answer for (the sites' service asks).
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Length

from supercp.protocol.errors import Conflict
from supercp.web.accounts.models import HostingAccount
from supercp.web.core.authz import Actor
from supercp.web.dns.models import Zone
from supercp.web.sites.models import SiteHost


def ancestors(name: str) -> list[str]:
    """The names above ``name``: a.b.example gives b.example and example."""
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(1, len(labels))]


def check_name_free(name: str, account: HostingAccount | None) -> None:
    """Refuse a zone name that is taken, or inside or above another owner's zone or site."""
    if Zone.objects.filter(name=name).exists():
        raise Conflict(f"{name} is already a zone on this server", code="zone-exists", field="name")
    related = [name, *ancestors(name)]
    other_zones = Zone.objects.filter(Q(name__in=related) | Q(name__endswith="." + name))
    other_sites = SiteHost.objects.filter(Q(name__in=related) | Q(name__endswith="." + name))
    if account is None:
        other_zones = other_zones.exclude(account__isnull=True)
        taken = other_zones.exists() or other_sites.exists()
    else:
        taken = (
            other_zones.exclude(account=account).exists()
            or other_sites.exclude(site__account=account).exists()
        )
    if taken:
        raise Conflict(
            f"{name} overlaps a zone or site of another owner on this server",
            code="domain-taken",
            field="name",
        )


def foreign_name(actor: Actor, account: HostingAccount, hosts: list[str]) -> str | None:
    """The first of a site's names that lies in a zone its account may not answer for.

    The closest zone at or above a name decides: another account's zone is never the
    site's; an administrators' zone (no account) takes sites that an admin makes, such as a
    provider's free subdomains, and no one else's.
    """
    for host in hosts:
        closest = (
            Zone.objects.filter(name__in=[host, *ancestors(host)])
            .order_by(Length("name").desc())
            .values_list("account_id", flat=True)[:1]
        )
        for owner in closest:
            if owner == account.pk or (owner is None and actor.is_admin):
                continue
            return host
    return None
