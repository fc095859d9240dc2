"""The frame of the panel's pages: Inertia responses, shared props, form input and errors.

Views stay thin: they read their input with ``read_form``, call service functions and
``render`` a page or ``redirect`` somewhere. A SuperCPError they let escape becomes the
Inertia answer in PageMiddleware:

- an error that names a field the form sent is a validation error at that field, kept in the
  session and shown by the page the browser is sent back to (the Inertia way);
- ``NotFound`` is the 404 page, exactly as for a URL that does not exist;
- on a page (GET), ``Forbidden`` is the 403 page and anything else the error page of its
  status; on an action (POST, DELETE) the browser goes back with the message as a flash error.

The REST API (django-ninja) handles its own errors; nothing here touches it.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

import inertia
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticError

from supercp.protocol.errors import Forbidden, NotFound, SuperCPError
from supercp.web.core import security
from supercp.web.core.authz import Actor
from supercp.web.core.models import User
from supercp.web.core.rest import DuplicateKey, client_ip, parse_json, status_of
from supercp.web.modules import nav_for

log = logging.getLogger(__name__)
F = TypeVar("F", bound="Form")
View = Callable[..., HttpResponse]

SESSION_ERRORS = "supercp.errors"
SESSION_FLASH = "supercp.flash"
# Request attributes set by read_form and back_to, read by PageMiddleware.
_FIELDS = "_supercp_form_fields"
_BACK = "_supercp_back"


class Form(BaseModel):
    """A page's input: what the browser sends as JSON; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class FormInvalid(Exception):
    """Input that does not fit the page's Form: field → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid form")
        self.errors = errors


# --- reading requests ---------------------------------------------------------------------------


def actor(request: HttpRequest) -> Actor:
    """The Actor of a logged-in session (views are wrapped in ``login_required``)."""
    user = request.user
    assert isinstance(user, User), "page view without login_required"
    return Actor(user=user, ip=client_ip(request))


def back_to(request: HttpRequest, url: str) -> None:
    """Where an action goes back to when it fails and the browser sent no usable Referer."""
    setattr(request, _BACK, url)


def read_form(request: HttpRequest, form: type[F], *, back: str | None = None) -> F:
    """The JSON body as ``form``; errors then name its fields (see PageMiddleware)."""
    setattr(request, _FIELDS, frozenset(form.model_fields))
    back_to(request, back or request.path)
    try:
        data = parse_json(request.body or b"{}")
    except DuplicateKey as err:
        raise FormInvalid({err.field or "form": err.message}) from None
    except ValueError:
        raise FormInvalid({"form": "the request body is not JSON"}) from None
    if not isinstance(data, dict):
        raise FormInvalid({"form": "the request body must be a JSON object"})
    try:
        return form.model_validate(data)
    except PydanticError as err:
        errors: dict[str, str] = {}
        for e in err.errors():
            field = ".".join(str(p) for p in e["loc"]) or "form"
            message = "unknown field" if e["type"] == "extra_forbidden" else e["msg"]
            errors.setdefault(field, message)
        raise FormInvalid(errors) from None


def login_required(view: View) -> View:
    """Send anonymous visitors to the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("/login")
        return view(request, *args, **kwargs)

    return wrapped


# --- answering ----------------------------------------------------------------------------------


def render(request: HttpRequest, component: str, props: dict[str, Any]) -> HttpResponse:
    """An Inertia page: the JSON page object for Inertia's requests, else the HTML shell."""
    return inertia.render(request, component, props)


def redirect(url: str) -> HttpResponse:
    # 303: the browser (and Inertia) follow with a GET whatever the method was.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def flash(request: HttpRequest, *, success: str | None = None, error: str | None = None) -> None:
    """A message for the next page shown (one of each kind; a newer one replaces it)."""
    current = request.session.get(SESSION_FLASH, {})
    if success is not None:
        current["success"] = success
    if error is not None:
        current["error"] = error
    request.session[SESSION_FLASH] = current


def back(request: HttpRequest) -> HttpResponse:
    """To the page the request came from (same host only), else to its fallback."""
    fallback: str = getattr(request, _BACK, "/")
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return redirect(parts.path + (f"?{parts.query}" if parts.query else ""))
    return redirect(fallback)


def invalid(request: HttpRequest, errors: dict[str, str]) -> HttpResponse:
    """Inertia's validation answer: the errors for the next page, and back."""
    request.session[SESSION_ERRORS] = errors
    return back(request)


def error_page(status: int, title: str, message: str = "") -> HttpResponse:
    """A plain HTML error page: no scripts, so it works even without the frontend."""
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)} · GetSuperCP</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;"
        "padding:0 1rem;color:#0f172a}a{color:#4f46e5}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        '<p><a href="/">Back to the panel</a></p></body></html>'
    )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def not_found_page() -> HttpResponse:
    return error_page(404, "Not found", "There is nothing here, or nothing you may see.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A request without the right CSRF token changes nothing; pages are told why."""
    if "X-Inertia" in request.headers:
        flash(request, error="The page had expired. Please try again.")
        return back(request)
    return error_page(403, "Forbidden", "The request's CSRF token is missing or wrong.")


# --- shared props and errors -------------------------------------------------------------------


def _auth(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return {"user": None}
    return {
        "user": {
            "username": user.username,
            "email": user.email,
            "role": user.role,
            "two_factor": security.has_two_factor(user),
        }
    }


def _nav(request: HttpRequest) -> list[dict[str, str]]:
    """The main navigation the user's role sees (modules.py); none before sign-in."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    return [{"label": item.label, "href": item.href} for item in nav_for(user.role)]


def _flash(request: HttpRequest) -> dict[str, str | None]:
    stored = request.session.pop(SESSION_FLASH, {})
    return {"success": stored.get("success"), "error": stored.get("error")}


def _errors(request: HttpRequest) -> dict[str, str]:
    stored: dict[str, str] = request.session.pop(SESSION_ERRORS, {})
    return stored


class PageMiddleware:
    """Shares auth, nav, flash and errors with every page; turns page errors into answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Callables: resolved only when a page is rendered, so a redirect keeps the flash
        # message and the errors for the page that follows it.
        inertia.share(
            request,
            auth=lambda: _auth(request),
            nav=lambda: _nav(request),
            flash=lambda: _flash(request),
            errors=lambda: _errors(request),
        )
        response = self.get_response(request)
        # Pages and API answers show one user's data: no cache keeps them (static files are
        # answered before this middleware and keep their own headers).
        add_never_cache_headers(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, FormInvalid):
            return invalid(request, exception.errors)
        if not isinstance(exception, SuperCPError):
            return None
        if exception.field is not None and exception.field in getattr(request, _FIELDS, ()):
            return invalid(request, {exception.field: exception.message})
        if isinstance(exception, NotFound):
            return not_found_page()
        return _refusal(request, exception)


def _refusal(request: HttpRequest, err: SuperCPError) -> HttpResponse:
    """A page's error as its error page; an action's as a flash message on the way back."""
    status, message = status_of(err), err.message
    if status == 500:
        # A bug or a malformed answer: the details go to the log only.
        log.error("page error %s in %s %s: %s", err.code, request.method, request.path, message)
        message = "internal error"
    if request.method in ("GET", "HEAD"):
        if isinstance(err, Forbidden):
            return error_page(403, "Forbidden", message)
        return error_page(status, "The panel could not do this", message)
    flash(request, error=message)
    return back(request)
