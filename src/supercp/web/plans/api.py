"""/api/v1/plans: hosting plans and resellers' totals. Each endpoint is one call into
services.py (and one count of the accounts on the plans it answers with)."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from supercp.web.core.authz import Actor
from supercp.web.core.rest import actor
from supercp.web.core.schemas import ErrorOut
from supercp.web.plans import services
from supercp.web.plans.models import Plan
from supercp.web.plans.schemas import (
    PLAN_NAME_PATTERN,
    NewPlanIn,
    PlanOut,
    TotalsIn,
    TotalsOut,
)

router = Router(tags=["plans"])
ERRORS: dict[int, type[ErrorOut]] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 502, 503, 504)}
PlanPath = Annotated[str, Path(pattern=PLAN_NAME_PATTERN)]
Username = Annotated[str, Path(min_length=1, max_length=150)]
# Admins only: the plan is this reseller's, not one of the server's.
ResellerQuery = Annotated[str | None, Query(min_length=1, max_length=150)]


def _out(who: Actor, plans: list[Plan]) -> list[PlanOut]:
    counts = services.accounts_on(who, plans)
    return [PlanOut.of(plan, counts.get(plan.pk, 0)) for plan in plans]


def _one(who: Actor, plan: Plan) -> PlanOut:
    return _out(who, [plan])[0]


@router.get("", response={200: list[PlanOut], **ERRORS}, summary="List hosting plans")
def list_plans(request: HttpRequest) -> list[PlanOut]:
    who = actor(request)
    return _out(who, services.list_plans(who))


@router.post("", response={201: PlanOut, **ERRORS}, summary="Create a hosting plan")
def create_plan(request: HttpRequest, body: NewPlanIn) -> Status[PlanOut]:
    who = actor(request)
    plan = services.create_plan(who, body.values(), is_default=body.is_default)
    return Status(201, _one(who, plan))


@router.get("/{name}", response={200: PlanOut, **ERRORS}, summary="Get a hosting plan")
def get_plan(request: HttpRequest, name: PlanPath, reseller: ResellerQuery = None) -> PlanOut:
    who = actor(request)
    return _one(who, services.get_plan(who, name, reseller))


@router.put(
    "/{name}",
    response={200: PlanOut, **ERRORS},
    summary="Replace a hosting plan's values (refused below what its accounts use)",
)
def update_plan(
    request: HttpRequest, name: PlanPath, body: NewPlanIn, reseller: ResellerQuery = None
) -> PlanOut:
    who = actor(request)
    changed = services.update_plan(
        who, name, body.values(), reseller=reseller, make_default=body.is_default
    )
    return _one(who, changed)


@router.delete("/{name}", response={204: None, **ERRORS}, summary="Delete an unused hosting plan")
def delete_plan(
    request: HttpRequest, name: PlanPath, reseller: ResellerQuery = None
) -> Status[None]:
    services.delete_plan(actor(request), name, reseller=reseller)
    return Status(204, None)


@router.put(
    "/resellers/{reseller}/totals",
    response={200: TotalsOut, **ERRORS},
    summary="Give a reseller its totals (a server plan), or take them away",
)
def set_totals(request: HttpRequest, reseller: Username, body: TotalsIn) -> TotalsOut:
    plan = services.set_totals(actor(request), reseller, body.plan)
    return TotalsOut(reseller=reseller, plan=plan.name if plan else None)
