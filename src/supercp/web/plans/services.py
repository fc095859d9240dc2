"""Hosting plans: who may make, see and assign which plan, and the limits every module
claims against.

Admins make the server's plans and give resellers their totals (a server plan, ResellerPlan);
resellers make their own plans, none of whose limits may exceed those totals. Every account
has a plan; what the modules claim against it is limits.py's.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, fields
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from pydantic import ValidationError as PydanticError

from supercp.protocol import accounts as accounts_rpc
from supercp.protocol import web as web_rpc
from supercp.protocol.errors import Conflict, Forbidden, NotFound, SuperCPError, ValidationFailed
from supercp.web.accounts.models import HostingAccount
from supercp.web.core import audit, daemon
from supercp.web.core.authz import Actor, owned_by_visible_accounts, require_role, require_writable
from supercp.web.core.models import Role, User
from supercp.web.plans import usage
from supercp.web.plans.limits import PHP, protocol_most
from supercp.web.plans.models import COUNTED, SIZES, Plan, ResellerPlan

log = logging.getLogger(__name__)

LIMITS = COUNTED + SIZES
MAX_LIMIT = 1_000_000_000
_NAME = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}\Z", re.ASCII)
_PHP_VERSION = re.compile(r"\A[0-9]\.[0-9]{1,2}\Z")
DEFAULT_NAME = "Unlimited"


@dataclass(frozen=True)
class PlanValues:
    """Everything a plan says, as a form or an API client sends it (None: unlimited)."""

    name: str
    disk_mb: int | None = None
    bandwidth_gb: int | None = None
    sites: int | None = None
    aliases: int | None = None
    dns_zones: int | None = None
    databases: int | None = None
    database_users: int | None = None
    mail_domains: int | None = None
    mailboxes: int | None = None
    mailbox_quota_default_mb: int | None = None
    mailbox_quota_max_mb: int | None = None
    mail_aliases: int | None = None
    ftp_users: int | None = None
    php_versions: tuple[str, ...] = ()
    php_max_children: int = 5
    php_memory_limit_mb: int = 256
    php_max_execution_time: int = 30
    php_upload_max_mb: int = 64
    shell_access: bool = False

    @staticmethod
    def of(plan: Plan) -> PlanValues:
        values = {f.name: getattr(plan, f.name) for f in fields(PlanValues)}
        values["php_versions"] = tuple(plan.php_versions)
        return PlanValues(**values)


@dataclass(frozen=True)
class LimitUsage:
    """One limit of an account's plan: what it allows (None: unlimited) and what is used
    (None: no module counts it yet)."""

    limit: str
    allowed: int | None
    used: int | None


def _check(values: PlanValues) -> None:
    if not _NAME.match(values.name):
        raise ValidationFailed(
            "a plan's name is 1 to 64 letters, digits, spaces, dots, dashes or underscores",
            field="name",
        )
    for limit in LIMITS:
        value = getattr(values, limit)
        if value is not None and not 0 <= value <= MAX_LIMIT:
            raise ValidationFailed(f"{limit} is 0 to {MAX_LIMIT}, or unlimited", field=limit)
    quota, most = values.mailbox_quota_default_mb, values.mailbox_quota_max_mb
    if quota is not None and most is not None and quota > most:
        raise ValidationFailed(
            "the default mailbox quota exceeds the largest", field="mailbox_quota_default_mb"
        )
    for version in values.php_versions:
        if not _PHP_VERSION.match(version):
            raise ValidationFailed(f"{version!r} is no PHP version", field="php_versions")
    try:
        web_rpc.PhpLimits(**{key: getattr(values, field) for key, field in PHP.items()})
    except PydanticError as err:
        first = err.errors()[0]
        field = PHP.get(str(first["loc"][0]), "php")
        raise ValidationFailed(f"{field}: {first['msg']}", field=field) from None


def _visible(actor: Actor) -> QuerySet[Plan]:
    """Admins see every plan; a reseller its own and its totals; a customer its own plan."""
    plans = Plan.objects.select_related("owner")
    if actor.is_admin:
        return plans
    if actor.is_reseller:
        return plans.filter(Q(owner=actor.user) | Q(resellers__reseller=actor.user))
    return plans.filter(accounts__user=actor.user)


def _find(actor: Actor, name: str, reseller: str | None = None, *, lock: bool = False) -> Plan:
    """A plan by name: an admin's lookups are among the server's plans, or a reseller's
    plans with ``reseller``; a reseller's among its own."""
    plans = _visible(actor)
    if lock:
        plans = plans.select_for_update()
    if actor.is_admin:
        scope = Q(owner__isnull=True) if reseller is None else Q(owner__username=reseller)
    elif actor.is_reseller:
        scope = Q(owner=actor.user)
    else:
        scope = Q()
    found = plans.filter(scope, name=name).first()
    if found is None:
        raise NotFound(f"no plan '{name}'", field="plan")
    return found


def list_plans(actor: Actor) -> list[Plan]:
    return list(_visible(actor).order_by("owner__username", "name"))


def get_plan(actor: Actor, name: str, reseller: str | None = None) -> Plan:
    return _find(actor, name, reseller)


def accounts_on(actor: Actor, plans: list[Plan]) -> dict[int, int]:
    """How many of the accounts the actor sees are on each of ``plans``, by plan id: a
    reseller or customer learns nothing of the accounts of others on a server plan."""
    on = HostingAccount.objects.filter(plan__in=plans)
    counted = owned_by_visible_accounts(actor, on, via="").order_by().values_list("plan_id")
    return {plan: count for plan, count in counted.annotate(count=Count("pk"))}


def totals_of(reseller: User) -> Plan | None:
    """The totals an admin gave the reseller; None: no limit."""
    found = ResellerPlan.objects.select_related("plan").filter(reseller=reseller).first()
    return found.plan if found is not None else None


def _over_totals(values: PlanValues, totals: Plan | None) -> str | None:
    """The first limit of ``values`` that promises more than ``totals`` hold."""
    if totals is None:
        return None
    over = [
        limit
        for limit in LIMITS
        if getattr(totals, limit) is not None
        and (getattr(values, limit) is None or getattr(values, limit) > getattr(totals, limit))
    ]
    over += [field for field in PHP.values() if getattr(values, field) > getattr(totals, field)]
    # No versions named means every one, which is more than a list.
    offered = set(totals.php_versions)
    if offered and (not values.php_versions or not set(values.php_versions) <= offered):
        over.append("php_versions")
    if values.shell_access and not totals.shell_access:
        over.append("shell_access")
    return over[0] if over else None


def _refuse_over_totals(actor: Actor, values: PlanValues) -> None:
    if not actor.is_reseller:
        return
    limit = _over_totals(values, totals_of(actor.user))
    if limit is not None:
        raise Forbidden(
            f"{limit} promises more than your own totals hold", code="over-totals", field=limit
        )


def _save(plan: Plan, values: PlanValues) -> None:
    for f in fields(PlanValues):
        value = getattr(values, f.name)
        setattr(plan, f.name, list(value) if f.name == "php_versions" else value)


def create_plan(actor: Actor, values: PlanValues, *, is_default: bool = False) -> Plan:
    """A new plan: the server's (an admin's) or the acting reseller's own."""
    require_writable(actor)
    require_role(actor, Role.ADMIN, Role.RESELLER)
    _check(values)
    if is_default and not actor.is_admin:
        raise Forbidden("only admins choose the server's default plan", code="forbidden")
    _refuse_over_totals(actor, values)
    owner = None if actor.is_admin else actor.user
    try:
        with transaction.atomic():
            # The server's plans have no owner, which the unique index does not cover.
            taken = Plan.objects.select_for_update().filter(owner=owner, name=values.name)
            if taken.exists():
                raise Conflict(f"a plan '{values.name}' exists", code="plan-exists", field="name")
            plan = Plan(owner=owner)
            _save(plan, values)
            if is_default:
                Plan.objects.filter(is_default=True).update(is_default=False)
                plan.is_default = True
            plan.save()
            audit.record(actor, "plan.create", values.name, **_audited(plan))
    except IntegrityError:
        raise Conflict(f"a plan '{values.name}' exists", code="plan-exists", field="name") from None
    return plan


def _audited(plan: Plan) -> dict[str, Any]:
    details: dict[str, Any] = {f.name: getattr(plan, f.name) for f in fields(PlanValues)}
    details["owner"] = plan.owner.username if plan.owner else None
    return details


def _accounts_on(plan: Plan) -> QuerySet[HostingAccount]:
    return HostingAccount.objects.filter(plan=plan)


def _too_small(values: PlanValues, accounts: QuerySet[HostingAccount], one: bool) -> list[str]:
    """The limits ``values`` sets below what an account of ``accounts`` uses (``one``: they
    are counted as one, a reseller's accounts against its totals)."""
    over = []
    groups = [accounts] if one else [HostingAccount.objects.filter(pk=a.pk) for a in accounts]
    for group in groups:
        for limit in COUNTED:
            allowed = getattr(values, limit)
            if allowed is None or limit in over:
                continue
            used = usage.used(limit, group)
            if used is not None and used > allowed:
                over.append(limit)
        if not values.shell_access and group.filter(login_shell=True).exists():
            over.append("shell_access")
    return sorted(set(over))


def update_plan(
    actor: Actor,
    name: str,
    values: PlanValues,
    *,
    reseller: str | None = None,
    make_default: bool = False,
) -> Plan:
    """Change a plan (``make_default``: an admin makes a server plan the default); refused
    when an account on it (or a reseller it is the totals of) already uses more than the new
    limits allow."""
    require_writable(actor)
    require_role(actor, Role.ADMIN, Role.RESELLER)
    _check(values)
    with transaction.atomic():
        plan = _find(actor, name, reseller, lock=True)
        if make_default and not plan.is_default:
            if not actor.is_admin or plan.owner is not None:
                raise Forbidden(
                    "only a server plan, by an admin, becomes the default", code="forbidden"
                )
            Plan.objects.filter(is_default=True).update(is_default=False)
            plan.is_default = True
        # A reseller's plan stays inside its totals, whoever edits it.
        limit = None if plan.owner is None else _over_totals(values, totals_of(plan.owner))
        if limit is not None:
            raise Forbidden(
                f"{limit} promises more than the reseller's totals hold",
                code="over-totals",
                field=limit,
            )
        if (
            values.name != plan.name
            and Plan.objects.filter(owner=plan.owner, name=values.name).exists()
        ):
            raise Conflict(f"a plan '{values.name}' exists", code="plan-exists", field="name")
        accounts = _accounts_on(plan).select_for_update()
        over = _too_small(values, accounts, one=False)
        wanted = _unsaved(values)
        for account in accounts:
            over += usage.beyond(account, wanted)
        for totals in ResellerPlan.objects.filter(plan=plan).select_related("reseller"):
            theirs = HostingAccount.objects.filter(reseller=totals.reseller)
            over += _too_small(values, theirs, one=True)
            over += _plans_over(totals.reseller, wanted)
        if over:
            raise _over_plan(sorted(set(over)))
        _save(plan, values)
        plan.save()
        audit.record(actor, "plan.update", name, **_audited(plan))
        # Its accounts follow at once (their sites' PHP limits lowered, say).
        for account in _accounts_on(plan).select_related("plan"):
            usage.plan_changed(actor, account)
    return plan


def _plans_over(reseller: User, totals: Plan) -> list[str]:
    """The reseller's plans that would promise more than ``totals``, as "plan: limit"."""
    found = []
    for plan in Plan.objects.filter(owner=reseller):
        limit = _over_totals(PlanValues.of(plan), totals)
        if limit is not None:
            found.append(f"{plan.name}: {limit}")
    return found


def _unsaved(values: PlanValues) -> Plan:
    plan = Plan()
    _save(plan, values)
    return plan


def _over_plan(over: list[str]) -> Conflict:
    return Conflict(
        "already used beyond the new limits: " + ", ".join(over),
        code="over-plan",
        # "Basic: sites" (a reseller's plan over new totals) names the limit after the plan.
        field=over[0].split(": ")[-1] if over else None,
        details={"limits": over},
    )


def delete_plan(actor: Actor, name: str, *, reseller: str | None = None) -> None:
    """Delete a plan no account uses, that is no reseller's totals and not the default."""
    require_writable(actor)
    require_role(actor, Role.ADMIN, Role.RESELLER)
    with transaction.atomic():
        plan = _find(actor, name, reseller, lock=True)
        if plan.is_default:
            raise Conflict("the server's default plan stays", code="plan-in-use", field="plan")
        if _accounts_on(plan).exists() or ResellerPlan.objects.filter(plan=plan).exists():
            raise Conflict(f"plan '{name}' is in use", code="plan-in-use", field="plan")
        audit.record(actor, "plan.delete", name, owner=plan.owner.username if plan.owner else None)
        plan.delete()


def default_plan() -> Plan:
    """The server's default plan, made (unlimited) the first time it is asked for."""
    found = Plan.objects.filter(is_default=True).first()
    if found is not None:
        return found
    with transaction.atomic():
        found = Plan.objects.select_for_update().filter(is_default=True).first()
        if found is None:
            found = Plan.objects.create(
                name=DEFAULT_NAME,
                is_default=True,
                shell_access=True,
                **{field: protocol_most(key) for key, field in PHP.items()},
            )
    return found


def _assignable(actor: Actor, account: HostingAccount, name: str, reseller: str | None) -> Plan:
    """The plan ``name`` as ``actor`` may give ``account``: a reseller's own plans only; an
    admin's the server's, or those of the account's reseller."""
    if actor.is_reseller:
        return _find(actor, name)
    if reseller is None and account.reseller_id is not None:
        own = Plan.objects.filter(owner_id=account.reseller_id, name=name).first()
        if own is not None:
            return own
    plan = _find(actor, name, reseller)
    if plan.owner_id is not None and plan.owner_id != account.reseller_id:
        raise Forbidden(f"plan '{name}' is another reseller's", code="foreign-plan", field="plan")
    return plan


def plan_for_new_account(actor: Actor, owner: User | None, name: str | None) -> Plan:
    """The plan a new account of ``owner`` (its reseller, or None) starts on."""
    if name is not None:
        return _assignable(actor, HostingAccount(reseller=owner), name, None)
    # The server's default could promise more than a reseller's totals hold.
    if owner is not None and totals_of(owner) is not None:
        raise ValidationFailed(
            "name the plan of the new account", code="plan-required", field="plan"
        )
    return default_plan()


def set_plan(actor: Actor, account_name: str, name: str, *, reseller: str | None = None) -> Plan:
    """Move an account to another plan, at once; refused when it uses more than that plan
    allows. Customers cannot change their plan."""
    require_writable(actor)
    require_role(actor, Role.ADMIN, Role.RESELLER)
    with transaction.atomic():
        account = (
            owned_by_visible_accounts(actor, HostingAccount.objects.all(), via="")
            .select_for_update()
            .filter(name=account_name)
            .first()
        )
        if account is None:
            raise NotFound(f"no account '{account_name}'", field="name")
        plan = _assignable(actor, account, name, reseller)
        over = _too_small(PlanValues.of(plan), HostingAccount.objects.filter(pk=account.pk), True)
        over += usage.beyond(account, plan)
        if over:
            raise _over_plan(over)
        previous = account.plan.name
        account.plan = plan
        account.save(update_fields=["plan"])
        audit.record(actor, "account.plan", account.name, plan=plan.name, previous=previous)
        usage.plan_changed(actor, account)
    return plan


def set_totals(actor: Actor, reseller_name: str, name: str | None) -> Plan | None:
    """Give a reseller its totals (a server plan), or take them away (None: no limit)."""
    require_writable(actor)
    require_role(actor, Role.ADMIN)
    with transaction.atomic():
        reseller = (
            User.objects.select_for_update().filter(username=reseller_name, role=Role.RESELLER)
        ).first()
        if reseller is None:
            raise NotFound(f"no reseller '{reseller_name}'", field="reseller")
        if name is None:
            ResellerPlan.objects.filter(reseller=reseller).delete()
            audit.record(actor, "reseller.totals", reseller_name, plan=None)
            return None
        plan = _find(actor, name)
        values = PlanValues.of(plan)
        over = _too_small(values, HostingAccount.objects.filter(reseller=reseller), one=True)
        over += _plans_over(reseller, plan)
        if over:
            raise _over_plan(over)
        ResellerPlan.objects.update_or_create(reseller=reseller, defaults={"plan": plan})
        audit.record(actor, "reseller.totals", reseller_name, plan=plan.name)
    return plan


def usage_of(actor: Actor, account_name: str) -> tuple[Plan, list[LimitUsage]]:
    """An account's plan and each counted limit with its use, for whoever sees the account."""
    account = (
        owned_by_visible_accounts(actor, HostingAccount.objects.select_related("plan"), via="")
        .filter(name=account_name)
        .first()
    )
    if account is None:
        raise NotFound(f"no account '{account_name}'", field="name")
    mine = HostingAccount.objects.filter(pk=account.pk)
    rows = [
        LimitUsage(limit, getattr(account.plan, limit), usage.used(limit, mine))
        for limit in COUNTED
    ]
    disk = LimitUsage("disk_mb", account.plan.disk_mb, disk_used_mb(account))
    return account.plan, [disk, *rows]


def disk_used_mb(account: HostingAccount) -> int | None:
    """The MiB (rounded up) the account's home takes, as the daemon measures it; None when
    it cannot say. Mail and databases add theirs when those modules land."""
    try:
        with daemon.client() as c:
            params = accounts_rpc.DiskUsageParams(name=account.name)
            found = c.invoke(accounts_rpc.DISK_USAGE, params)
    except SuperCPError as err:
        log.warning("the disk use of %s is unknown: %s", account.name, err)
        return None
    return -(-found.bytes // 2**20)
