"""Pages of hosting accounts: the list (with search and paging), one account, the changes.

Each view is one or two calls into services.py; errors become Inertia answers in
core/pages.py.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import Field

from supercp.protocol import accounts as rpc
from supercp.protocol.errors import SuperCPError
from supercp.web.accounts import services
from supercp.web.accounts.models import HostingAccount
from supercp.web.accounts.schemas import AccountOut
from supercp.web.core import services as core
from supercp.web.core.pages import (
    Form,
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

PER_PAGE = 25


class AccountForm(Form):
    name: str = Field(max_length=32)
    email: str = Field(default="", max_length=254)
    password: str = Field(max_length=4096)
    # Admins only: the reseller who will own the account; none (or "") for the admins'.
    reseller: str | None = Field(default=None, max_length=150)


# The API's shape, so the pages' Account type is generated from it (frontend/src/api.gen.ts).
def _account(account: HostingAccount) -> dict[str, Any]:
    return AccountOut.of(account).model_dump(mode="json")


def _row(row: services.AccountRow) -> dict[str, Any]:
    return AccountOut.of_row(row).model_dump(mode="json")


@require_http_methods(["GET", "POST"])
@login_required
def index(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    if request.method == "POST":
        form = read_form(request, AccountForm)
        account = services.create_account(
            who, form.name, form.email, form.password, reseller=form.reseller or None
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
            }
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
