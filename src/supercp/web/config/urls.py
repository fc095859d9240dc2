"""URLs: the REST API under /api/v1 (the pages come with the frontend)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from supercp.web.accounts import api as accounts_api
from supercp.web.core import api as core_api
from supercp.web.core.rest import build_api, error_body

# One line per domain app that has an API.
api = build_api(
    [
        ("/accounts", accounts_api.router),
        ("/tokens", core_api.router),
    ]
)

urlpatterns = [path("api/v1/", api.urls)]


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse(error_body("not-found", "not found"), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("internal", "internal error"), status=500)


# Until the frontend brings pages, every response is JSON, errors outside the API too.
handler404 = not_found
handler500 = server_error
