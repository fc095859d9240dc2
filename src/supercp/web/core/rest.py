"""The REST API's frame: authentication, the Actor of each request, errors as JSON.

Every error leaves as ``{"error": {"code", "message", "field"}}``. The HTTP status follows
the SuperCPError class, the same hierarchy the daemon and super-cli use, so a refusal by the
daemon (a reserved name, say) reaches an API caller with the daemon's own code.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers
from django.utils.deprecation import MiddlewareMixin
from django.utils.http import http_date
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.types import DictStrAny
from ninja.utils import check_csrf

from supercp import __version__
from supercp.protocol import errors as e
from supercp.web.core import services
from supercp.web.core.authz import Actor
from supercp.web.core.models import User

log = logging.getLogger(__name__)

# Most specific first; the first class in an error's MRO found here decides its status.
STATUS: dict[type[e.SuperCPError], int] = {
    e.InvalidParams: 400,
    e.ValidationFailed: 400,
    e.ProtocolError: 400,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.SystemFailure: 502,
    e.Unavailable: 503,
    e.Timeout: 504,
    e.InternalError: 500,
}


def status_of(err: e.SuperCPError) -> int:
    for cls in type(err).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def client_ip(request: HttpRequest) -> str | None:
    # The ASGI server is the TLS endpoint (no proxy in front), so REMOTE_ADDR is the peer.
    ip = request.META.get("REMOTE_ADDR")
    return ip if isinstance(ip, str) and ip else None


def actor(request: HttpRequest) -> Actor:
    """The Actor the authentication classes below put on the request."""
    found = getattr(request, "auth", None)
    assert isinstance(found, Actor), "endpoint without authentication"
    return found


class TokenAuth(HttpBearer):
    """``Authorization: Bearer scp_…``: the token's user, read-only if the token is."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        return services.authenticate_token(token, client_ip(request))


class SessionAuth(APIKeyCookie):
    """The browser's login session; unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Actor | None:
        # No user at all: a Bearer request, which skips the session (API_TOKEN_MIDDLEWARE).
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Only now: a request with neither session nor token is a 401, not a CSRF failure.
        try:
            refused = check_csrf(request)
        except MultiPartParserError:
            # The CSRF check reads the form body; a malformed one is the caller's error.
            raise e.ValidationFailed("malformed multipart body", code="bad-request") from None
        if refused is not None:
            raise e.Forbidden("CSRF token missing or incorrect", code="csrf")
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return None
        return Actor(user=user, ip=client_ip(request))


def _json_number(text: str) -> int | float:
    # JSON Schema calls 3.0 an integer, so a client (or a generator of schema-valid input)
    # may send it for one; the strict models still refuse "3", true and 3.5.
    value = float(text)
    return int(value) if value.is_integer() else value


class DuplicateKey(e.ValidationFailed):
    """A JSON object that names one key twice: json.loads would keep the last silently."""

    def __init__(self, key: str) -> None:
        super().__init__(f"'{key}' is given more than once", code="duplicate-key", field=key)


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def parse_json(body: bytes) -> Any:
    """A request body as JSON, refusing an object (at any depth) that repeats a key.

    A proxy, a WAF or the audit log may read the first of two values where we would read
    the last, so a body with both is refused rather than guessed at.
    """
    return json.loads(body, parse_float=_json_number, object_pairs_hook=_object_without_duplicates)


class JsonParser(Parser):
    """Request bodies read as JSON Schema reads them: an integral number is an integer."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        body: DictStrAny = parse_json(request.body)
        return body


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


# The code of an error that carries no SuperCPError, by its HTTP status.
STATUS_CODES: dict[int, str] = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    500: "internal",
}


def code_of_status(status: int) -> str:
    return STATUS_CODES.get(status, "error")


class JsonApiErrors(MiddlewareMixin):
    """Under /api/, an error answer made outside the API's handlers becomes its JSON error.

    Such as ninja's 405 for a method the path does not have (plain text, before any handler
    runs) or Django's 400 for a Host header not allowed. Status and headers (``Allow``) stay.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            not isinstance(response, HttpResponse)  # streamed: nothing of ours
            or response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        message = response.reason_phrase.lower()
        response.content = json.dumps(error_body(code_of_status(response.status_code), message))
        response["Content-Type"] = "application/json"
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


# What add_never_cache_headers writes into an answer that has neither header yet.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


class NeverCache(MiddlewareMixin):
    """API answers show one user's data: no cache keeps them (PageMiddleware's rule)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if "Cache-Control" in response or "Expires" in response:
            add_never_cache_headers(response)  # merges with what the view set
        else:
            # The same two headers, written rather than parsed and patched as Django does
            # on every answer (the API's hottest path). Expires is now's date, as there.
            response.headers["Expires"] = _http_now()
            response.headers["Cache-Control"] = NEVER_CACHE
        return response


def _http_now() -> str:
    """http_date(time.time())."""
    return _http_date(int(time.time()))


@functools.lru_cache(maxsize=1)
def _http_date(second: int) -> str:
    # Formatted once a second.
    return http_date(second)


def _field(loc: Sequence[Any]) -> str | None:
    # ninja reports ("body", <param>, "name") or ("query", "page"): keep what the caller sent.
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or None


def build_api(routers: Iterable[tuple[str, Router]]) -> NinjaAPI:
    """The /api/v1 application: token or session auth on every endpoint, JSON errors."""
    api = NinjaAPI(
        title="GetSuperCP",
        version=__version__,
        description="Hosting accounts and API tokens. Authenticate with `Authorization: "
        "Bearer <token>`, or with the panel's session cookie plus the CSRF token.",
        # The interactive docs page would load scripts from a CDN; the JSON document stays.
        docs_url=None,
        auth=[TokenAuth(), SessionAuth()],
        urls_namespace="api-v1",
        parser=JsonParser(),
    )

    @api.exception_handler(e.SuperCPError)
    def on_error(request: HttpRequest, err: e.SuperCPError) -> HttpResponse:
        status = status_of(err)
        if status >= 500 and not isinstance(err, e.Unavailable | e.Timeout | e.SystemFailure):
            log.error("API error %s: %s", err.code, err.message)
            return api.create_response(
                request, error_body("internal", "internal error"), status=500
            )
        return api.create_response(
            request, error_body(err.code, err.message, err.field), status=status
        )

    @api.exception_handler(NinjaValidationError)
    def on_validation(request: HttpRequest, err: NinjaValidationError) -> HttpResponse:
        first = err.errors[0] if err.errors else {}
        loc = first.get("loc", ())
        field = _field(loc if isinstance(loc, list | tuple) else ())
        message = (
            "unknown field" if first.get("type") == "extra_forbidden" else first.get("msg", "")
        )
        text = f"{field}: {message}" if field else str(message or "invalid request")
        return api.create_response(request, error_body("validation", text, field), status=400)

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, err: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body("unauthenticated", "a valid API token or login session is required"),
            status=401,
        )

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, err: HttpError) -> HttpResponse:
        # ninja wraps whatever the body parser raised in a plain 400; ours says why.
        if isinstance(err.__cause__, e.SuperCPError):
            return on_error(request, err.__cause__)
        return api.create_response(
            request, error_body(code_of_status(err.status_code), str(err)), status=err.status_code
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, err: RequestDataTooBig) -> HttpResponse:
        return api.create_response(
            request, error_body("too-large", "the request body is too large"), status=413
        )

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, err: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not-found", "not found"), status=404)

    @api.exception_handler(Exception)
    def on_crash(request: HttpRequest, err: Exception) -> HttpResponse:
        # A bug: the traceback goes to the log, the caller learns only that it happened.
        log.exception("unhandled error in %s %s", request.method, request.path)
        return api.create_response(request, error_body("internal", "internal error"), status=500)

    for prefix, router in routers:
        api.add_router(prefix, router)
    return api
