"""What the modules claim against an account's plan, and the PHP a plan lets a site have.

A module that creates something a plan counts calls ``claim`` inside the transaction that
creates it: the account's row (and its reseller's totals row) is locked there, so two
creations at the last free slot count one after the other and one of them is refused with
``limit-reached``, naming the limit.
"""

from __future__ import annotations

from django.db.models import QuerySet

from supercp.protocol import web as web_rpc
from supercp.protocol.errors import Forbidden
from supercp.web.accounts.models import HostingAccount
from supercp.web.plans import usage
from supercp.web.plans.models import Plan, ResellerPlan

# The PHP-FPM settings a plan gives its sites, by PhpLimits field.
PHP = {
    "max_children": "php_max_children",
    "memory_limit_mb": "php_memory_limit_mb",
    "max_execution_time": "php_max_execution_time",
    "upload_max_mb": "php_upload_max_mb",
}


def claim(account: HostingAccount, limit: str, adding: int = 1) -> None:
    """Refuse with ``limit-reached`` when ``adding`` more of ``limit`` would exceed the
    account's plan or its reseller's totals. Call inside the transaction that creates them:
    the rows locked here keep concurrent claims apart until it ends."""
    if adding <= 0:
        return
    locked = HostingAccount.objects.select_for_update().select_related("plan").get(pk=account.pk)
    _refuse_past(locked.plan, limit, HostingAccount.objects.filter(pk=locked.pk), adding, "plan")
    if locked.reseller_id is not None:
        totals = ResellerPlan.objects.select_for_update().select_related("plan")
        found = totals.filter(reseller_id=locked.reseller_id).first()
        if found is not None:
            mine = HostingAccount.objects.filter(reseller_id=locked.reseller_id)
            _refuse_past(found.plan, limit, mine, adding, "reseller's totals")


def _refuse_past(
    plan: Plan, limit: str, accounts: QuerySet[HostingAccount], adding: int, whose: str
) -> None:
    allowed = getattr(plan, limit)
    if allowed is None:
        return
    used = usage.used(limit, accounts) or 0
    if used + adding > allowed:
        raise Forbidden(
            f"the {whose} ({plan.name}) allows {allowed} {limit.replace('_', ' ')}; "
            f"{used} are used",
            code="limit-reached",
            details={"limit": limit, "allowed": allowed, "used": used},
        )


def php_limits(plan: Plan) -> web_rpc.PhpLimits:
    """The most PHP-FPM limits the plan lets a site have."""
    return web_rpc.PhpLimits(**{key: getattr(plan, field) for key, field in PHP.items()})


def protocol_most(key: str) -> int:
    """The largest value the daemon takes for PhpLimits' ``key`` (the unlimited plan's)."""
    for rule in web_rpc.PhpLimits.model_fields[key].metadata:
        most = getattr(rule, "le", None)
        if most is not None:
            return int(most)
    raise ValueError(f"PhpLimits.{key} has no maximum")


def within_php_limits(plan: Plan, limits: web_rpc.PhpLimits | None) -> web_rpc.PhpLimits:
    """``limits`` if the plan allows them, else ``limit-reached``; None: a new site's usual
    limits, lowered to the plan's where it allows less."""
    most = php_limits(plan)
    if limits is None:
        usual = web_rpc.PhpLimits()
        return web_rpc.PhpLimits(
            **{key: min(value, getattr(most, key)) for key, value in usual.model_dump().items()}
        )
    for key, value in limits.model_dump().items():
        if value > getattr(most, key):
            raise Forbidden(
                f"plan '{plan.name}' allows {key.replace('_', ' ')} up to {getattr(most, key)}",
                code="limit-reached",
                field="limits",
                details={"limit": PHP[key], "allowed": getattr(most, key), "used": value},
            )
    return limits


def allows_php(plan: Plan, version: str | None) -> None:
    """Refuse a PHP version the plan does not offer (``limit-reached``)."""
    if version is not None and plan.php_versions and version not in plan.php_versions:
        raise Forbidden(
            f"plan '{plan.name}' offers PHP {', '.join(plan.php_versions)}",
            code="limit-reached",
            field="php",
            details={"limit": "php_versions", "allowed": plan.php_versions, "used": version},
        )
