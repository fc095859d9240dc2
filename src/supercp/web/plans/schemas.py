"""What the hosting plans API takes and returns."""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from supercp.protocol import web as rpc
from supercp.web.core.schemas import StrictIn
from supercp.web.plans.models import Plan
from supercp.web.plans.services import MAX_LIMIT, PlanValues

# services._NAME as a JSON Schema pattern (pydantic reads its $ as the end of the text).
PLAN_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"
PlanName = Annotated[str, Field(pattern=PLAN_NAME_PATTERN, max_length=64)]
# null: unlimited.
Limit = Annotated[int, Field(ge=0, le=MAX_LIMIT)] | None
PhpVersions = Annotated[
    list[Annotated[str, Field(pattern=rpc.PHP_VERSION_PATTERN)]],
    Field(max_length=32, description="The PHP versions its sites may use; empty: every one."),
]


def _php_limit(key: str) -> Any:
    """The plan's most of PhpLimits' ``key``: its default, within the bounds the daemon takes."""
    found = rpc.PhpLimits.model_fields[key]
    bounds = {
        bound: getattr(rule, bound)
        for rule in found.metadata
        for bound in ("ge", "le")
        if getattr(rule, bound, None) is not None
    }
    return Field(default=found.default, **bounds)


class PlanIn(StrictIn):
    """Every value of a plan; one left out is its default (unlimited for the limits)."""

    name: PlanName
    disk_mb: Limit = None
    bandwidth_gb: Limit = None
    sites: Limit = None
    aliases: Limit = None
    dns_zones: Limit = None
    databases: Limit = None
    database_users: Limit = None
    mail_domains: Limit = None
    mailboxes: Limit = None
    # At most mailbox_quota_max_mb.
    mailbox_quota_default_mb: Limit = None
    mailbox_quota_max_mb: Limit = None
    mail_aliases: Limit = None
    ftp_users: Limit = None
    php_versions: PhpVersions = Field(default_factory=list)
    # The most PHP-FPM limits its sites may have (PhpLimits' bounds).
    php_max_children: int = _php_limit("max_children")
    php_memory_limit_mb: int = _php_limit("memory_limit_mb")
    php_max_execution_time: int = _php_limit("max_execution_time")
    php_upload_max_mb: int = _php_limit("upload_max_mb")
    # A login shell (and with it SFTP) for its accounts' Linux users.
    shell_access: bool = False

    def values(self) -> PlanValues:
        sent = self.model_dump(include={f.name for f in fields(PlanValues)})
        sent["php_versions"] = tuple(self.php_versions)
        return PlanValues(**sent)


class NewPlanIn(PlanIn):
    """A plan's values, and whether it becomes the server's default."""

    # Admins only, for a server plan: new accounts that name no plan get this one. False
    # leaves the default where it is (another plan's becoming it unsets this one).
    is_default: bool = False


class PlanOut(Schema):
    name: str
    disk_mb: int | None
    bandwidth_gb: int | None
    sites: int | None
    aliases: int | None
    dns_zones: int | None
    databases: int | None
    database_users: int | None
    mail_domains: int | None
    mailboxes: int | None
    mailbox_quota_default_mb: int | None
    mailbox_quota_max_mb: int | None
    mail_aliases: int | None
    ftp_users: int | None
    php_versions: list[str]
    php_max_children: int
    php_memory_limit_mb: int
    php_max_execution_time: int
    php_upload_max_mb: int
    shell_access: bool
    # The reseller who made it; null: one of the server's plans.
    owner: str | None
    is_default: bool
    # The accounts on it that the caller sees.
    accounts: int

    @staticmethod
    def of(plan: Plan, accounts: int) -> PlanOut:
        values = {f.name: getattr(plan, f.name) for f in fields(PlanValues)}
        return PlanOut(
            **values,
            owner=plan.owner.username if plan.owner else None,
            is_default=plan.is_default,
            accounts=accounts,
        )


class TotalsIn(StrictIn):
    # One of the server's plans, whose limits the reseller's accounts share and none of its
    # own plans may exceed; null: no limit.
    plan: PlanName | None


class TotalsOut(Schema):
    reseller: str
    plan: str | None
