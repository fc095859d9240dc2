"""What the hosting accounts API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from ninja import Schema
from pydantic import Field

from supercp.protocol.names import ACCOUNT_NAME_PATTERN
from supercp.web.accounts.models import HostingAccount, State
from supercp.web.accounts.services import AccountRow
from supercp.web.core.schemas import StrictIn
from supercp.web.plans.services import LimitUsage

# A plan's name: one that is no plan's is simply not found (plans/schemas.py states the rule).
PlanName = Annotated[str, Field(min_length=1, max_length=64)]


class AccountIn(StrictIn):
    # The name rule and the password minimum are only stated here (json_schema_extra), for
    # clients and schema-driven tools: services.py enforces them with the daemon's rule and
    # Django's validators, so the errors keep their codes (invalid-name, weak-password).
    name: Annotated[
        str,
        Field(min_length=1, max_length=32, json_schema_extra={"pattern": ACCOUNT_NAME_PATTERN}),
    ]
    email: Annotated[str, Field(max_length=254)] = ""
    # The customer's panel password; Django's password validators apply.
    password: Annotated[
        str,
        Field(max_length=4096, json_schema_extra={"minLength": settings.MIN_PASSWORD_LENGTH}),
    ]
    # Admins only: the reseller who will own the account.
    reseller: str | None = None
    login_shell: bool = False
    # Its plan: the acting reseller's, or for an admin the server's (or the new account's
    # reseller's); left out: the server's default plan.
    plan: PlanName | None = None


class AccountOut(Schema):
    name: str
    email: str
    reseller: str | None
    state: Literal["active", "suspended"]
    login_shell: bool
    created_at: datetime
    # Its plan's name.
    plan: str

    @staticmethod
    def of(account: HostingAccount) -> AccountOut:
        return AccountOut(
            name=account.name,
            email=account.user.email,
            reseller=account.reseller.username if account.reseller else None,
            state=_state(account.state),
            login_shell=account.login_shell,
            created_at=account.created_at,
            plan=account.plan.name,
        )

    @staticmethod
    def of_row(row: AccountRow) -> AccountOut:
        return AccountOut(
            name=row.name,
            email=row.email,
            reseller=row.reseller,
            state=_state(row.state),
            login_shell=row.login_shell,
            created_at=row.created_at,
            plan=row.plan,
        )


def _state(value: str) -> Literal["active", "suspended"]:
    # The model's two State values, as a type the generated frontend types can name.
    return "suspended" if value == State.SUSPENDED else "active"


class AccountPage(Schema):
    items: list[AccountOut]
    total: int
    page: int
    per_page: int


class AccountPlanIn(StrictIn):
    plan: PlanName
    # Admins only: the plan is this reseller's. Left out: the account's reseller's plan of
    # that name if it has one, else the server's.
    reseller: Annotated[str, Field(min_length=1, max_length=150)] | None = None


class LimitOut(Schema):
    # A counted limit of the plan (sites, dns_zones, …).
    limit: str
    # null: unlimited.
    allowed: int | None
    # null: no module counts it yet.
    used: int | None

    @staticmethod
    def of(row: LimitUsage) -> LimitOut:
        return LimitOut(limit=row.limit, allowed=row.allowed, used=row.used)


class UsageOut(Schema):
    # The account's plan.
    plan: str
    limits: list[LimitOut]
