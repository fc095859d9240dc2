"""/api/v1/accounts: hosting accounts, their plans and what they use of them. Each endpoint is
one call into services.py (or the plans' services.py)."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import TypeAdapter

from supercp.web.accounts import services
from supercp.web.accounts.schemas import (
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPlanIn,
    LimitOut,
    UsageOut,
)
from supercp.web.accounts.services import AccountRow
from supercp.web.core.rest import actor
from supercp.web.core.schemas import ErrorOut
from supercp.web.core.services import Page
from supercp.web.plans import services as plans

router = Router(tags=["accounts"])
PAGE_JSON = TypeAdapter(Page[AccountRow])
ERRORS: dict[int, type[ErrorOut]] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 502, 503, 504)}


@router.get("", response={200: AccountPage, **ERRORS}, summary="List hosting accounts")
def list_accounts(
    request: HttpRequest,
    search: Annotated[str, Query(max_length=services.MAX_SEARCH)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=services.MAX_PER_PAGE)] = 50,
) -> HttpResponse:
    found = services.list_accounts(actor(request), search, page, per_page)
    # Serialized by pydantic straight from the service's rows, which have AccountOut's
    # fields (test_the_lists_json_is_the_account_schemas): ninja would validate the page
    # again, field by field through its ORM getter, which cost more than the rest of the
    # request.
    return HttpResponse(PAGE_JSON.dump_json(found), content_type="application/json")


@router.post("", response={201: AccountOut, **ERRORS}, summary="Create a hosting account")
def create_account(request: HttpRequest, body: AccountIn) -> Status[AccountOut]:
    account = services.create_account(
        actor(request),
        body.name,
        body.email,
        body.password,
        reseller=body.reseller,
        login_shell=body.login_shell,
        plan=body.plan,
    )
    return Status(201, AccountOut.of(account))


@router.get("/{name}", response={200: AccountOut, **ERRORS}, summary="Get a hosting account")
def get_account(request: HttpRequest, name: str) -> AccountOut:
    return AccountOut.of(services.get_account(actor(request), name))


@router.post(
    "/{name}/suspend", response={200: AccountOut, **ERRORS}, summary="Suspend a hosting account"
)
def suspend_account(request: HttpRequest, name: str) -> AccountOut:
    return AccountOut.of(services.suspend_account(actor(request), name))


@router.post(
    "/{name}/unsuspend",
    response={200: AccountOut, **ERRORS},
    summary="Lift a hosting account's suspension",
)
def unsuspend_account(request: HttpRequest, name: str) -> AccountOut:
    return AccountOut.of(services.unsuspend_account(actor(request), name))


@router.delete(
    "/{name}", response={204: None, **ERRORS}, summary="Delete a hosting account and its files"
)
def delete_account(request: HttpRequest, name: str) -> Status[None]:
    services.delete_account(actor(request), name)
    return Status(204, None)


@router.put(
    "/{name}/plan",
    response={200: AccountOut, **ERRORS},
    summary="Move a hosting account to another plan (refused below what it uses)",
)
def set_plan(request: HttpRequest, name: str, body: AccountPlanIn) -> AccountOut:
    who = actor(request)
    plans.set_plan(who, name, body.plan, reseller=body.reseller)
    return AccountOut.of(services.get_account(who, name))


@router.get(
    "/{name}/usage",
    response={200: UsageOut, **ERRORS},
    summary="A hosting account's plan and what it uses of each limit",
)
def usage(request: HttpRequest, name: str) -> UsageOut:
    plan, rows = plans.usage_of(actor(request), name)
    return UsageOut(plan=plan.name, limits=[LimitOut.of(row) for row in rows])
