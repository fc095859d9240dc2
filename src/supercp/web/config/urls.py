"""URLs: the REST API under /api/v1, and the pages (one urls.py per domain app)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

from supercp.web.accounts import api as accounts_api
from supercp.web.core import api as core_api
from supercp.web.core.pages import error_page, not_found_page
from supercp.web.core.rest import build_api, error_body
from supercp.web.dns import api as dns_api
from supercp.web.sites import api as sites_api

# One line per domain app that has an API.
api = build_api(
    [
        ("/accounts", accounts_api.router),
        ("/tokens", core_api.router),
        ("/sites", sites_api.router),
        ("/dns", dns_api.router),
    ]
)

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("supercp.web.core.urls")),
    path("", include("supercp.web.accounts.urls")),
    path("", include("supercp.web.jobs.urls")),
    path("", include("supercp.web.sites.urls")),
    path("", include("supercp.web.dns.urls")),
]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


# Errors outside a view's own handling: JSON under /api/, plain HTML pages elsewhere (they
# need no frontend, so they show even when the build is missing).
def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not-found", "not found"), status=404)
    return not_found_page()


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("forbidden", "forbidden"), status=403)
    return error_page(403, "Forbidden", "You may not see this page.")


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("internal", "internal error"), status=500)
    return error_page(500, "Internal error", "The panel failed; the details are in its log.")


handler403 = forbidden
handler404 = not_found
handler500 = server_error
