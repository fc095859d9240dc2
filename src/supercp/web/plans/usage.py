"""What the accounts use of their plans' counted limits, counted by the modules that own
the objects.

Each module registers one ``Usage`` under "plans" in modules.py: a counter per limit it owns
(sites counts sites and aliases, dns counts zones). This module imports none of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from supercp.web.accounts.models import HostingAccount
from supercp.web.core.authz import Actor
from supercp.web.modules import hooks
from supercp.web.plans.models import Plan

# How many of its objects the accounts hold together.
Counter = Callable[[QuerySet[HostingAccount]], int]


@dataclass(frozen=True)
class Usage:
    """A module's part in plans: its counters, by the plan limit each counts against, and
    what it does when an account moves to another plan (inside that transaction)."""

    counters: Mapping[str, Counter]
    plan_changed: Callable[[Actor, HostingAccount], None] | None = None
    # What of ``plan`` the account's objects already go beyond, other than counts (a site
    # on a PHP version the plan does not offer): the limits' names.
    beyond: Callable[[HostingAccount, Plan], list[str]] | None = None


@functools.cache
def counters() -> dict[str, Counter]:
    """Every registered counter by limit; a limit two modules count is a mistake."""
    found: dict[str, Counter] = {}
    for usage in hooks("plans", Usage):
        for limit, counter in usage.counters.items():
            if limit in found:
                raise ValueError(f"two modules count the plan limit {limit}")
            found[limit] = counter
    return found


def plan_changed(actor: Actor, account: HostingAccount) -> None:
    """Every module follows the account's new plan (PHP limits re-applied, say)."""
    for found in hooks("plans", Usage):
        if found.plan_changed is not None:
            found.plan_changed(actor, account)


def beyond(account: HostingAccount, plan: Plan) -> list[str]:
    """Every module's limits of ``plan`` that the account's objects go beyond."""
    found: list[str] = []
    for usage in hooks("plans", Usage):
        if usage.beyond is not None:
            found += usage.beyond(account, plan)
    return found


def used(limit: str, accounts: QuerySet[HostingAccount]) -> int | None:
    """What ``accounts`` use of ``limit`` together; None while no module counts it."""
    counter = counters().get(limit)
    return None if counter is None else counter(accounts)
