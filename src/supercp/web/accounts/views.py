"""Pages of hosting accounts: the list (with search and paging), one account with its plan's
usage, the changes (its plan among them).

Each view is one or two calls into services.py; errors become Inertia answers in
core/pages.py.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import Field

from supercp.protocol import accounts as rpc
from supercp.protocol.errors import Conflict, SuperCPError
from supercp.web.accounts import services
from supercp.web.accounts.models import HostingAccount
from supercp.web.accounts.schemas import AccountOut, LimitOut
from supercp.web.core import services as core
from supercp.web.core.authz import Actor
from supercp.web.core.pages import (
    Form,
    FormInvalid,
    actor,
    back,
    back_to,
    flash,
    login_required,
    read_form,
    redirect,
    render,
)
from supercp.web.core.views import page_number
from supercp.web.plans import limits as plan_limits
from supercp.web.plans import services as plans

PER_PAGE = 25


class AccountForm(Form):
    name: str = Field(max_length=32)
    email: str = Field(default="", max_length=254)
    password: str = Field(max_length=4096)
    # Admins only: the reseller who will own the account; none (or "") for the admins'.
    reseller: str | None = Field(default=None, max_length=150)
    # "": the server's default plan.
    plan: str = Field(default="", max_length=64)


class PlanForm(Form):
    plan: str = Field(max_length=64)
    # Admins only: the plan is this reseller's; "": the server's (or the account's reseller's
    # of that name, as plans.set_plan looks it up).
    reseller: str = Field(default="", max_length=150)


# The API's shape, so the pages' Account type is generated from it (frontend/src/api.gen.ts).
def _account(account: HostingAccount) -> dict[str, Any]:
    return AccountOut.of(account).model_dump(mode="json")


def _row(row: services.AccountRow) -> dict[str, Any]:
    return AccountOut.of_row(row).model_dump(mode="json")


def _plan_choices(who: Actor, account: HostingAccount | None = None) -> list[dict[str, Any]]:
    """The plans the actor may give an account: a reseller's own; an admin's the server's
    and those of the account's reseller (without an account every reseller's: the create
    form offers those of the reseller chosen)."""
    if not (who.is_admin or who.is_reseller):
        return []
    found = plans.list_plans(who)
    if who.is_reseller:
        # Its totals are a server plan, which it may not give.
        found = [p for p in found if p.owner_id == who.user.pk]
    elif account is not None:
        found = [p for p in found if p.owner_id in (None, account.reseller_id)]
    return [
        {
            "name": p.name,
            "owner": p.owner.username if p.owner else None,
            "is_default": p.is_default,
        }
        for p in found
    ]


def _usage(who: Actor, name: str) -> dict[str, Any]:
    """The account's plan and what it uses of each limit (None where nothing counts it)."""
    plan, rows = plans.usage_of(who, name)
    counted = [LimitOut.of(row).model_dump(mode="json") for row in rows]
    sizes = [
        LimitOut(limit=limit, allowed=getattr(plan, limit), used=None).model_dump(mode="json")
        for limit in plans.LIMITS
        if limit not in {row.limit for row in rows}
    ]
    return {
        "name": plan.name,
        "owner": plan.owner.username if plan.owner else None,
        "limits": counted + sizes,
        "php_versions": list(plan.php_versions),
        "php": plan_limits.php_limits(plan).model_dump(mode="json"),
        "shell_access": plan.shell_access,
    }


@require_http_methods(["GET", "POST"])
@login_required
def index(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    if request.method == "POST":
        form = read_form(request, AccountForm)
        account = services.create_account(
            who,
            form.name,
            form.email,
            form.password,
            reseller=form.reseller or None,
            plan=form.plan or None,
        )
        flash(request, success=f"Created hosting account {account.name}.")
        return redirect("/accounts")
    search = request.GET.get("search", "")[: services.MAX_SEARCH]
    found = services.list_accounts(who, search, page_number(request), PER_PAGE)
    return render(
        request,
        "Accounts/Index",
        {
            "accounts": {
                "items": [_row(a) for a in found.items],
                "page": found.page,
                "pages": found.pages,
                "total": found.total,
                "search": search,
            },
            "can_create": who.is_admin or who.is_reseller,
            "resellers": [{"username": r.user.username} for r in core.list_resellers(who)]
            if who.is_admin
            else [],
            "plans": _plan_choices(who),
        },
    )


@require_http_methods(["GET", "DELETE"])
@login_required
def show(request: HttpRequest, name: str) -> HttpResponse:
    who = actor(request)
    if request.method == "DELETE":
        back_to(request, f"/accounts/{name}")
        # Removing a user and its home can take long: a job does it, and its page shows how far.
        job = services.start_delete_account(who, name)
        return redirect(f"/jobs/{job.pk}")
    account = services.get_account(who, name)
    system: rpc.Account | None = None
    try:
        system = services.system_account(who, name)
    except SuperCPError:
        # The daemon is away: the page shows what the panel knows and no system facts.
        system = None
    return render(
        request,
        "Accounts/Show",
        {
            "account": {
                **_account(account),
                "uid": system.uid if system else None,
                "home": system.home if system else None,
                "shell": system.shell if system else None,
            },
            "plan": _usage(who, name),
            "plans": _plan_choices(who, account),
        },
    )


@require_POST
@login_required
def suspend(request: HttpRequest, name: str) -> HttpResponse:
    back_to(request, f"/accounts/{name}")
    services.suspend_account(actor(request), name)
    flash(request, success=f"Suspended {name}.")
    return back(request)


@require_POST
@login_required
def unsuspend(request: HttpRequest, name: str) -> HttpResponse:
    back_to(request, f"/accounts/{name}")
    services.unsuspend_account(actor(request), name)
    flash(request, success=f"{name} is active again.")
    return back(request)


@require_POST
@login_required
def plan(request: HttpRequest, name: str) -> HttpResponse:
    """Move the account to another plan, at once."""
    form = read_form(request, PlanForm, back=f"/accounts/{name}")
    try:
        moved = plans.set_plan(actor(request), name, form.plan, reseller=form.reseller or None)
    except Conflict as err:
        # What the account already uses beyond the plan (the message names it): at the select.
        if err.code == "over-plan":
            raise FormInvalid({"plan": err.message}) from None
        raise
    flash(request, success=f"{name} is on plan {moved.name} now.")
    return back(request)
