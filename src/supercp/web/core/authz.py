"""Who is acting: the user, whether their credential is read-only, and from where.

Every service function takes an Actor first and decides from it alone; views only build
one (from the session or the API token) and pass it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, QuerySet

from supercp.protocol.errors import Forbidden
from supercp.web.core.models import Role, User

M = TypeVar("M", bound=Model)

# Who acts when root runs super-cli: an admin without a panel login.
CLI_ACTOR = "root (super-cli)"


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a service function."""

    user: User
    # True for read-only API tokens: the actor may look but not change anything.
    read_only: bool = False
    ip: str | None = None
    # The API token used, if any (its public id), for the audit log.
    token: str | None = None
    # root at the shell (super-cli); ``user`` is then an unsaved stand-in admin.
    cli: bool = False

    @staticmethod
    def root() -> Actor:
        """super-cli, run by root: acts as an admin and is audited as CLI_ACTOR."""
        return Actor(user=User(username=CLI_ACTOR, role=Role.ADMIN, is_active=True), cli=True)

    @property
    def is_admin(self) -> bool:
        return self.user.role == Role.ADMIN

    @property
    def is_reseller(self) -> bool:
        return self.user.role == Role.RESELLER

    @property
    def is_customer(self) -> bool:
        return self.user.role == Role.CUSTOMER


def require_writable(actor: Actor) -> None:
    """Refuse any change by a read-only credential (or a deactivated user)."""
    if actor.read_only:
        raise Forbidden("this API token is read-only", code="read-only")
    if not actor.user.is_active:
        raise Forbidden("this user is deactivated", code="forbidden")


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.user.role not in roles:
        raise Forbidden("your role may not do this", code="forbidden")


def owned_by_visible_accounts(
    actor: Actor, objects: QuerySet[M], via: str = "account"
) -> QuerySet[M]:
    """What of ``objects`` the actor may see: everything for an admin, their customers'
    for a reseller, their own for a customer.

    ``via`` is the path from an object to its hosting account ("" for the accounts
    themselves). Every domain's lookups start here.
    """
    if actor.is_admin:
        return objects
    prefix = f"{via}__" if via else ""
    if actor.is_reseller:
        return objects.filter(**{f"{prefix}reseller": actor.user})
    return objects.filter(**{f"{prefix}user": actor.user})
