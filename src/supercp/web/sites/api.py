"""/api/v1/sites: web sites. Each endpoint is one call into services.py."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from supercp.protocol import web as rpc
from supercp.protocol.names import ACCOUNT_NAME_PATTERN
from supercp.web.core.rest import actor
from supercp.web.core.schemas import ErrorOut
from supercp.web.core.services import MAX_PAGE
from supercp.web.sites import services
from supercp.web.sites.schemas import (
    LogOut,
    PhpVersionsOut,
    SiteIn,
    SiteOut,
    SitePage,
    SitePatch,
)

router = Router(tags=["sites"])
ERRORS: dict[int, type[ErrorOut]] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 502, 503, 504)}
# Unicode or A-label; a name that is not a host name is simply not found.
Domain = Annotated[str, Path(min_length=1, max_length=rpc.HOSTNAME_MAX)]


@router.get("", response={200: SitePage, **ERRORS}, summary="List web sites")
def list_sites(
    request: HttpRequest,
    search: Annotated[str, Query(max_length=services.MAX_SEARCH)] = "",
    account: Annotated[str | None, Query(pattern=ACCOUNT_NAME_PATTERN)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=services.MAX_PER_PAGE)] = 50,
) -> SitePage:
    found = services.list_sites(actor(request), search, page, per_page, account=account)
    return SitePage(
        items=[SiteOut.of(s) for s in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


@router.post("", response={201: SiteOut, **ERRORS}, summary="Create a web site")
def create_site(request: HttpRequest, body: SiteIn) -> Status[SiteOut]:
    new = services.NewSite(
        domain=body.domain,
        account=body.account,
        aliases=list(body.aliases),
        www=body.www,
        redirect_aliases=body.redirect_aliases,
        php=body.new_php(),
        docroot=body.docroot,
        limits=body.limits,
        create_zone=body.create_zone,
    )
    return Status(201, SiteOut.of(services.create_site(actor(request), new)))


# Before /{domain}: "php-versions" is no host name, but routes match in order.
@router.get(
    "/php-versions",
    response={200: PhpVersionsOut, **ERRORS},
    summary="The PHP versions installed for sites",
)
def php_versions(request: HttpRequest) -> PhpVersionsOut:
    found = services.php_versions(actor(request))
    return PhpVersionsOut(versions=found.versions, default=found.default)


@router.get("/{domain}", response={200: SiteOut, **ERRORS}, summary="Get a web site")
def get_site(request: HttpRequest, domain: Domain) -> SiteOut:
    return SiteOut.of(services.get_site(actor(request), domain))


@router.patch("/{domain}", response={200: SiteOut, **ERRORS}, summary="Change a web site")
def update_site(request: HttpRequest, domain: Domain, body: SitePatch) -> SiteOut:
    sent = body.model_fields_set
    changes: dict[str, Any] = {name: getattr(body, name) for name in sent}
    if "aliases" in changes:
        changes["aliases"] = list(changes["aliases"])
    site = services.update_site(actor(request), domain, **changes)
    return SiteOut.of(site)


@router.post("/{domain}/suspend", response={200: SiteOut, **ERRORS}, summary="Suspend a web site")
def suspend_site(request: HttpRequest, domain: Domain) -> SiteOut:
    return SiteOut.of(services.suspend_site(actor(request), domain))


@router.post(
    "/{domain}/unsuspend",
    response={200: SiteOut, **ERRORS},
    summary="Lift a web site's suspension",
)
def unsuspend_site(request: HttpRequest, domain: Domain) -> SiteOut:
    return SiteOut.of(services.unsuspend_site(actor(request), domain))


@router.delete(
    "/{domain}",
    response={204: None, **ERRORS},
    summary="Delete a web site (its files too with remove_files=true)",
)
def delete_site(request: HttpRequest, domain: Domain, remove_files: bool = False) -> Status[None]:
    services.delete_site(actor(request), domain, remove_files=remove_files)
    return Status(204, None)


@router.get("/{domain}/logs", response={200: LogOut, **ERRORS}, summary="The tail of a site's log")
def site_logs(
    request: HttpRequest,
    domain: Domain,
    kind: rpc.LogKind = "access",
    lines: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LogOut:
    tail = services.site_logs(actor(request), domain, kind, lines)
    return LogOut(domain=tail.domain, kind=tail.kind, lines=tail.lines)
