"""URLs: the REST API under /api/v1, and the pages: each module's router and urls.py
(modules.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from ninja import Router

from supercp.web.core.pages import error_page, not_found_page
from supercp.web.core.rest import build_api, error_body
from supercp.web.modules import MODULES, load

api = build_api((m.api.prefix, load(m.api.router, Router)) for m in MODULES if m.api is not None)

urlpatterns = [
    path("api/v1/", api.urls),
    *(path("", include(m.urls)) for m in MODULES if m.urls is not None),
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
