"""Who may hold a name: a zone is refused inside or above another owner's zone or name
(the modules that hold names, such as sites, register a NameHolder under "names" in
modules.py, which is asked), and a site's name inside a zone its account may not answer
for, or above a zone of another owner (sites/ownership.py asks): a site of example.com
could set cookies for, and be sent the cookies of, a shop.example.com that is someone
else's.

These checks read rows that a concurrent request may be about to write: two owners creating
a.example.com and example.com at the same instant would both pass. So a request that takes
names runs its checks and writes in ``claiming``'s transaction, which first locks a row per
name (NameClaim): its own names for update, the names above them for share. Claims of
names inside or above each other wait for one another until the first commits; claims of
siblings (two customers' free subdomains of one provider's domain) share the rows above and
run at once.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Length

from supercp.protocol.errors import Conflict, Unavailable
from supercp.web.accounts.models import HostingAccount
from supercp.web.core.authz import Actor
from supercp.web.dns.models import NameClaim, Zone
from supercp.web.modules import hooks

# MariaDB's errors for a lock that was not granted.
LOCK_WAIT_TIMEOUT = 1205
DEADLOCK = 1213
_CLAIM = f"SELECT name FROM {NameClaim._meta.db_table} WHERE name = %s"  # noqa: S608
_SHARE = f"{_CLAIM} LOCK IN SHARE MODE"
_UPDATE = f"{_CLAIM} FOR UPDATE"


def ancestors(name: str) -> list[str]:
    """The names above ``name``: a.b.example gives b.example and example."""
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(1, len(labels))]


@contextlib.contextmanager
def claiming(names: Iterable[str]) -> Iterator[None]:
    """A transaction in which ``names`` are claimed (see the module's doc): run the checks
    of the names and write them inside it; the locks go with its commit or rollback.

    Nested in a claim of the same names (a site that creates its zone), it waits for
    nothing. A lock not granted within innodb_lock_wait_timeout, or a deadlock between two
    claims, is Unavailable ("busy"): nothing was written, and a retry will do.
    """
    wanted = set(names)
    above = {a for name in wanted for a in ancestors(name)} - wanted
    # Rows must exist to be locked. Made first, outside the transaction when there is none
    # around it yet, so that two siblings do not wait for each other's new rows above.
    NameClaim.objects.bulk_create(
        [NameClaim(name=n) for n in sorted(wanted | above)], ignore_conflicts=True
    )
    with transaction.atomic():
        try:
            with connection.cursor() as cursor:
                # One row a statement: a lookup of several (IN) reads the rows between
                # them too, and waited for a sibling's lock.
                for name in sorted(above):
                    cursor.execute(_SHARE, [name])
                for name in sorted(wanted):
                    cursor.execute(_UPDATE, [name])
        except OperationalError as err:
            if err.args and err.args[0] in (LOCK_WAIT_TIMEOUT, DEADLOCK):
                raise Unavailable(
                    "these names are being changed by another request; try again",
                    code="busy",
                ) from None
            raise
        yield


@dataclass(frozen=True)
class NameHolder:
    """A module whose rows hold host names (a site's domain and aliases), asked before a
    zone takes a name (in ``claiming``'s transaction)."""

    # One of the names equal to, above or below ``name`` that an owner other than
    # ``account`` holds (None: the administrators' zone, which any owner's name blocks), or
    # None.
    held: Callable[[str, HostingAccount | None], str | None]


@functools.cache
def _holders() -> tuple[NameHolder, ...]:
    return tuple(hooks("names", NameHolder))


def check_name_free(name: str, account: HostingAccount | None) -> None:
    """Refuse a zone name that is taken, or inside or above another owner's zone or name."""
    if Zone.objects.filter(name=name).exists():
        raise Conflict(f"{name} is already a zone on this server", code="zone-exists", field="name")
    related = [name, *ancestors(name)]
    other_zones = Zone.objects.filter(Q(name__in=related) | Q(name__endswith="." + name))
    if account is None:
        other_zones = other_zones.exclude(account__isnull=True)
    else:
        other_zones = other_zones.exclude(account=account)
    taken = other_zones.exists() or any(h.held(name, account) for h in _holders())
    if taken:
        raise Conflict(
            f"{name} overlaps a zone or site of another owner on this server",
            code="domain-taken",
            field="name",
        )


def foreign_zones_below(actor: Actor, account: HostingAccount, hosts: list[str]) -> set[str]:
    """The zones below any of a site's ``hosts`` that its account may not answer for: other
    accounts' zones, and the administrators' (no account) unless an admin makes the site,
    as foreign_name lets admins place sites inside such zones."""
    below = Q()
    for host in hosts:
        below |= Q(name__endswith="." + host)
    zones = Zone.objects.filter(below).exclude(account=account)
    if actor.is_admin:
        zones = zones.exclude(account__isnull=True)
    return set(zones.values_list("name", flat=True))


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
