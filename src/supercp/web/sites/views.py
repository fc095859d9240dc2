"""Pages of web sites: the list (with search, paging and the create form), one site, changes.

Each view is one or two calls into services.py; errors become Inertia answers in
core/pages.py (a refusal that names a form field is shown at that field).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import Field

from supercp.protocol import web as rpc
from supercp.protocol.errors import SuperCPError
from supercp.web.core.authz import Actor
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
from supercp.web.sites import names, services
from supercp.web.sites.models import Site
from supercp.web.sites.schemas import SiteOut

PER_PAGE = 25
LOG_LINES = 50


class SiteForm(Form):
    domain: str = Field(max_length=rpc.HOSTNAME_MAX)
    # "" for a customer, whose site goes into their own account.
    account: str = Field(default="", max_length=32)
    aliases: list[str] = Field(default_factory=list, max_length=rpc.MAX_ALIASES)
    www: bool = False
    redirect_aliases: bool = False
    # "": a static site.
    php: str = Field(default="", max_length=8)
    # "": the default, sites/DOMAIN/public.
    docroot: str = Field(default="", max_length=255)
    # Also create the domain's DNS zone (the form's checkbox; the DNS pages come later).
    create_zone: bool = False


class LimitsForm(Form):
    max_children: int
    memory_limit_mb: int
    max_execution_time: int
    upload_max_mb: int


class SiteEditForm(Form):
    aliases: list[str] = Field(default_factory=list, max_length=rpc.MAX_ALIASES)
    redirect_aliases: bool = False
    php: str = Field(default="", max_length=8)
    docroot: str = Field(default="", max_length=255)
    # Sent by admins and resellers only.
    limits: LimitsForm | None = None


def _site(site: Site) -> dict[str, Any]:
    # The API's shape, so the pages' Site type is generated from it (frontend/src/api.gen.ts).
    return SiteOut.of(site).model_dump(mode="json")


def _php(who: Actor) -> dict[str, Any] | None:
    """The installed PHP versions for the form; None when the daemon cannot say."""
    try:
        found = services.php_versions(who)
    except SuperCPError:
        return None
    return {"versions": found.versions, "default": found.default}


@require_http_methods(["GET", "POST"])
@login_required
def index(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    if request.method == "POST":
        form = read_form(request, SiteForm)
        site = services.create_site(
            who,
            services.NewSite(
                domain=form.domain,
                account=form.account or None,
                aliases=form.aliases,
                www=form.www,
                redirect_aliases=form.redirect_aliases,
                php=form.php or None,
                docroot=form.docroot or None,
                create_zone=form.create_zone,
            ),
        )
        flash(request, success=f"Created site {names.unicode_name(site.domain)}.")
        return redirect("/sites")
    search = request.GET.get("search", "")[: services.MAX_SEARCH]
    found = services.list_sites(who, search, page_number(request), PER_PAGE)
    accounts = [a.name for a in services.site_accounts(who)]
    return render(
        request,
        "Sites/Index",
        {
            "sites": {
                "items": [_site(s) for s in found.items],
                "page": found.page,
                "pages": found.pages,
                "total": found.total,
                "search": search,
            },
            "accounts": accounts,
            "can_create": bool(accounts),
            "php": _php(who),
        },
    )


@require_http_methods(["GET", "POST", "DELETE"])
@login_required
def show(request: HttpRequest, domain: str) -> HttpResponse:
    who = actor(request)
    if request.method == "DELETE":
        back_to(request, f"/sites/{domain}")
        remove_files = request.GET.get("remove_files") == "1"
        services.delete_site(who, domain, remove_files=remove_files)
        flash(request, success=f"Deleted site {names.unicode_name(domain)}.")
        return redirect("/sites")
    if request.method == "POST":
        form = read_form(request, SiteEditForm)
        limits = rpc.PhpLimits(**form.limits.model_dump()) if form.limits else services.KEEP
        site = services.update_site(
            who,
            domain,
            aliases=form.aliases,
            redirect_aliases=form.redirect_aliases,
            php=form.php or None,
            docroot=form.docroot or None,
            limits=limits,
        )
        flash(request, success=f"Saved {names.unicode_name(site.domain)}.")
        return back(request)
    site = services.get_site(who, domain)
    logs: dict[str, list[str]] = {"access": [], "error": []}
    logs_error: str | None = None
    try:
        for kind in ("access", "error"):
            logs[kind] = services.site_logs(who, site.domain, kind, LOG_LINES).lines
    except SuperCPError as err:
        # The daemon is away: the page shows the panel's record without the logs.
        logs_error = err.message
    return render(
        request,
        "Sites/Show",
        {
            "site": _site(site),
            "logs": logs,
            "logs_error": logs_error,
            "php": _php(who),
            "can_suspend": not who.is_customer,
        },
    )


@require_POST
@login_required
def suspend(request: HttpRequest, domain: str) -> HttpResponse:
    back_to(request, f"/sites/{domain}")
    site = services.suspend_site(actor(request), domain)
    flash(request, success=f"Suspended {names.unicode_name(site.domain)}.")
    return back(request)


@require_POST
@login_required
def unsuspend(request: HttpRequest, domain: str) -> HttpResponse:
    back_to(request, f"/sites/{domain}")
    site = services.unsuspend_site(actor(request), domain)
    flash(request, success=f"{names.unicode_name(site.domain)} is active again.")
    return back(request)
