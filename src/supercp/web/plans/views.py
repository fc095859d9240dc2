"""Pages of hosting plans: the list (with the resellers' totals for admins), the form that
makes or changes a plan, deleting one.

Each view is one or two calls into services.py; errors become Inertia answers in
core/pages.py (a refusal that names a limit is shown at that limit's field). An admin reaches
a reseller's plan with ?reseller=NAME; without it, a name is one of the server's plans.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import Field

from supercp.protocol.errors import Conflict, SuperCPError
from supercp.web.core import services as core
from supercp.web.core.authz import Actor, require_role
from supercp.web.core.models import Role, User
from supercp.web.core.pages import (
    Form,
    FormInvalid,
    actor,
    back_to,
    flash,
    login_required,
    read_form,
    redirect,
    render,
)
from supercp.web.plans import services
from supercp.web.plans.models import Plan
from supercp.web.plans.schemas import NewPlanIn, PlanOut
from supercp.web.sites import services as sites

PLANS = "/plans"


class PlanForm(NewPlanIn, Form):
    """A plan's form: the API's input, so both take the same values within the same bounds
    (a limit sent as null is unlimited; ``is_default`` an admin's, for a server plan)."""


class TotalsForm(Form):
    reseller: str = Field(max_length=150)
    # "": no totals (no limit).
    plan: str = Field(default="", max_length=64)


# --- shaping ------------------------------------------------------------------------------------


# The API's shape, so the pages' Plan type is generated from it (frontend/src/api.gen.ts).
def _plan(plan: Plan, accounts: int) -> dict[str, Any]:
    return PlanOut.of(plan, accounts).model_dump(mode="json")


def _plans(who: Actor, found: list[Plan]) -> list[dict[str, Any]]:
    counts = services.accounts_on(who, found)
    return [_plan(plan, counts.get(plan.pk, 0)) for plan in found]


def _reseller(request: HttpRequest) -> str | None:
    """?reseller=: an admin's page of a reseller's plan."""
    return request.GET.get("reseller", "")[:150] or None


def _edit_url(name: str, reseller: str | None) -> str:
    query = f"?{urlencode({'reseller': reseller})}" if reseller else ""
    return f"{PLANS}/{quote(name)}/edit{query}"


def _php_versions(who: Actor) -> list[str] | None:
    """The installed PHP versions for the checkboxes; None when the daemon cannot say."""
    try:
        return sites.php_versions(who).versions
    except SuperCPError:
        return None


def _form_page(request: HttpRequest, who: Actor, plan: Plan | None) -> HttpResponse:
    # The totals a reseller's plan must stay within: the hints at its fields.
    owner: User | None = plan.owner if plan is not None else None
    if plan is None and who.is_reseller:
        owner = who.user
    totals = services.totals_of(owner) if owner is not None else None
    return render(
        request,
        "Plans/Form",
        {
            "plan": _plans(who, [plan])[0] if plan is not None else None,
            "php_versions": _php_versions(who),
            "totals": _plan(totals, 0) if totals is not None else None,
        },
    )


# --- pages --------------------------------------------------------------------------------------


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    # A customer sees its plan on its account's page and the dashboard.
    require_role(who, Role.ADMIN, Role.RESELLER)
    found = services.list_plans(who)
    if who.is_reseller:
        # Its totals are a server plan it may not change: shown apart.
        found = [plan for plan in found if plan.owner_id == who.user.pk]
    totals = services.totals_of(who.user) if who.is_reseller else None
    resellers: list[dict[str, Any]] = []
    if who.is_admin:
        for row in core.list_resellers(who):
            theirs = services.totals_of(row.user)
            resellers.append(
                {"username": row.user.username, "totals": theirs.name if theirs else None}
            )
    return render(
        request,
        "Plans/Index",
        {
            "plans": _plans(who, found),
            "totals": _plan(totals, 0) if totals is not None else None,
            "resellers": resellers,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def new(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    require_role(who, Role.ADMIN, Role.RESELLER)
    if request.method == "POST":
        form = read_form(request, PlanForm)
        plan = services.create_plan(who, form.values(), is_default=form.is_default)
        flash(request, success=f"Created plan {plan.name}.")
        return redirect(PLANS)
    return _form_page(request, who, None)


@require_http_methods(["GET", "POST", "DELETE"])
@login_required
def edit(request: HttpRequest, name: str) -> HttpResponse:
    who = actor(request)
    require_role(who, Role.ADMIN, Role.RESELLER)
    reseller = _reseller(request)
    if request.method == "DELETE":
        back_to(request, PLANS)
        services.delete_plan(who, name, reseller=reseller)
        flash(request, success=f"Deleted plan {name}.")
        return redirect(PLANS)
    if request.method == "POST":
        form = read_form(request, PlanForm, back=_edit_url(name, reseller))
        plan = services.update_plan(
            who, name, form.values(), reseller=reseller, make_default=form.is_default
        )
        flash(request, success=f"Saved plan {plan.name}.")
        return redirect(PLANS)
    return _form_page(request, who, services.get_plan(who, name, reseller))


@require_POST
@login_required
def totals(request: HttpRequest) -> HttpResponse:
    """An admin gives a reseller its totals, or takes them away."""
    form = read_form(request, TotalsForm, back=PLANS)
    try:
        plan = services.set_totals(actor(request), form.reseller, form.plan or None)
    except Conflict as err:
        # What the reseller already has that the totals would not hold: shown at the plan.
        if err.code == "over-plan":
            raise FormInvalid({"plan": err.message}) from None
        raise
    if plan is None:
        flash(request, success=f"{form.reseller} has no totals now.")
    else:
        flash(request, success=f"{form.reseller}'s accounts now share plan {plan.name}.")
    return redirect(PLANS)
