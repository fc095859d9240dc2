"""Pages of core: signing in and out, the dashboard, resellers, API tokens, audit log, profile.

Each view reads its input, calls service functions and renders or redirects; the rules are in
services.py and security.py, the Inertia frame in pages.py.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from inertia.http import clear_history, encrypt_history
from pydantic import Field

from supercp.protocol.errors import NotFound, SuperCPError
from supercp.web.accounts import services as accounts
from supercp.web.core import password_reset, security, services
from supercp.web.core.authz import Actor
from supercp.web.core.models import ApiToken, User
from supercp.web.core.pages import (
    Form,
    actor,
    back_to,
    flash,
    login_required,
    read_form,
    redirect,
    render,
)
from supercp.web.core.rest import client_ip
from supercp.web.core.schemas import TokenOut
from supercp.web.plans import services as plans

PENDING_2FA = security.PENDING_2FA
RECOVERY_CODES = "supercp.recovery_codes"


def page_number(request: HttpRequest) -> int:
    """?page=N, where anything but a positive number means the first page."""
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


# --- signing in and out ----------------------------------------------------------------------


class LoginForm(Form):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)


class CodeForm(Form):
    code: str = Field(max_length=64)


def _sign_in(request: HttpRequest, user: User, second_factor: str | None) -> HttpResponse:
    # A new session key: whatever an attacker knew of the old one is worth nothing now.
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(PENDING_2FA, None)
    security.record_login(user, client_ip(request), second_factor)
    return redirect("/")


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect("/")
        return render(request, "Auth/Login", {})
    form = read_form(request, LoginForm)
    user = security.check_password_login(form.username, form.password, client_ip(request))
    if not security.has_two_factor(user):
        return _sign_in(request, user, None)
    # Not logged in yet: the session only remembers who owes a code.
    request.session.cycle_key()
    request.session[PENDING_2FA] = {"user": user.pk, "at": time.time()}
    return redirect("/login/2fa")


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_2FA)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > security.PENDING_TTL.total_seconds():
        request.session.pop(PENDING_2FA, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user: User | None = User.objects.filter(pk=user_id, is_active=True).first()
    return user


@require_http_methods(["GET", "POST"])
def login_two_factor(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        if request.method == "POST":
            flash(request, error="Your sign-in took too long. Please sign in again.")
        return redirect("/login")
    if request.method == "GET":
        return render(request, "Auth/TwoFactor", {})
    form = read_form(request, CodeForm)
    method = security.check_second_factor(user, form.code, client_ip(request))
    return _sign_in(request, user, method)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        security.record_logout(user, client_ip(request))
    auth_logout(request)
    # Pages kept in the browser's history go with the session.
    clear_history(request)
    return redirect("/login")


# --- dashboard -------------------------------------------------------------------------------


def _plan_usage(who: Actor) -> dict[str, Any] | None:
    """A customer's plan and what its account uses of each counted limit."""
    if not who.is_customer:
        return None
    try:
        # A customer's login is named as its account.
        plan, rows = plans.usage_of(who, who.user.username)
    except NotFound:
        return None
    return {"name": plan.name, "limits": [asdict(row) for row in rows]}


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    system: dict[str, Any] | None = None
    daemon_error: str | None = None
    try:
        system = services.system_info(who).model_dump(mode="json")
    except SuperCPError as err:
        # The page still shows what the panel knows; the dashboard says the daemon is away.
        daemon_error = err.message
    counts = accounts.counts(who)
    return render(
        request,
        "Dashboard/Index",
        {
            "system": system,
            "daemon_error": daemon_error,
            "counts": {
                "accounts": counts.accounts,
                "suspended": counts.suspended,
                "resellers": counts.resellers,
            },
            "plan": _plan_usage(who),
        },
    )


# --- resellers -------------------------------------------------------------------------------


class ResellerForm(Form):
    username: str = Field(max_length=150)
    email: str = Field(default="", max_length=254)
    password: str = Field(max_length=4096)
    max_accounts: int | None = None


@require_http_methods(["GET", "POST"])
@login_required
def resellers(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    if request.method == "POST":
        form = read_form(request, ResellerForm)
        user = services.create_reseller(
            who, form.username, form.email, form.password, form.max_accounts
        )
        flash(request, success=f"Created reseller {user.username}.")
        return redirect("/resellers")
    rows = services.list_resellers(who)
    return render(
        request,
        "Resellers/Index",
        {
            "resellers": [
                {
                    "username": r.user.username,
                    "email": r.user.email,
                    "max_accounts": r.user.max_accounts,
                    "accounts": r.accounts,
                }
                for r in rows
            ]
        },
    )


# --- API tokens --------------------------------------------------------------------------------


class TokenForm(Form):
    name: str = Field(max_length=100)
    read_only: bool = False
    expires_days: int | None = None


def _token(token: ApiToken) -> dict[str, Any]:
    # The API's shape (api.gen.ts's TokenOut) plus what the page tests.
    return TokenOut.of(token).model_dump(mode="json") | {"revoked": token.revoked_at is not None}


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    new_token: str | None = None
    if request.method == "POST":
        form = read_form(request, TokenForm)
        new = services.create_token(
            who, form.name, read_only=form.read_only, expires_days=form.expires_days
        )
        # The answer to the POST is the page itself (its URL is /tokens), so the plaintext
        # is never stored, not even in the session; the browser keeps it encrypted.
        new_token = new.plaintext
        encrypt_history(request)
    return render(
        request,
        "Tokens/Index",
        {"tokens": [_token(t) for t in services.list_tokens(who)], "new_token": new_token},
    )


@require_http_methods(["DELETE"])
@login_required
def revoke_token(request: HttpRequest, token_id: str) -> HttpResponse:
    back_to(request, "/tokens")
    token = services.revoke_token(actor(request), token_id)
    flash(request, success=f"Revoked the token {token.name}.")
    return redirect("/tokens")


# --- audit log ---------------------------------------------------------------------------------


@require_GET
@login_required
def audit(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    found = services.list_audit(actor(request), action, page_number(request))
    return render(
        request,
        "Audit/Index",
        {
            "events": {
                "items": [
                    {
                        "time": e.time.isoformat(),
                        "actor": e.actor_name or None,
                        "ip": e.ip,
                        "action": e.action,
                        "target": e.target,
                        "details": e.details,
                    }
                    for e in found.items
                ],
                "page": found.page,
                "pages": found.pages,
                "action": action,
            }
        },
    )


# --- profile and security ----------------------------------------------------------------------


class PasswordForm(Form):
    current_password: str = Field(max_length=4096)
    new_password: str = Field(max_length=4096)


class DisableForm(Form):
    password: str = Field(max_length=4096)


@require_GET
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    setup = security.pending_setup(who.user)
    recovery_codes = request.session.pop(RECOVERY_CODES, None)
    if setup is not None or recovery_codes is not None:
        encrypt_history(request)
    return render(
        request,
        "Profile/Security",
        {
            "two_factor": {
                "enabled": security.has_two_factor(who.user),
                "recovery_codes_left": security.recovery_codes_left(who.user),
            },
            "setup": None
            if setup is None
            else {"secret": setup.secret, "otpauth_uri": setup.otpauth_uri, "qr_svg": setup.qr_svg},
            "recovery_codes": recovery_codes,
        },
    )


@require_POST
@login_required
def change_password(request: HttpRequest) -> HttpResponse:
    form = read_form(request, PasswordForm, back="/profile")
    who = actor(request)
    security.change_password(who, form.current_password, form.new_password)
    # This session stays; the user's other sessions end with the old password hash.
    update_session_auth_hash(request, who.user)
    flash(request, success="Your password was changed.")
    return redirect("/profile")


@require_POST
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    back_to(request, "/profile")
    security.start_two_factor(actor(request))
    return redirect("/profile")


@require_POST
@login_required
def two_factor_enable(request: HttpRequest) -> HttpResponse:
    form = read_form(request, CodeForm, back="/profile")
    codes = security.enable_two_factor(actor(request), form.code)
    # Shown once by the next page, which removes them from the session.
    request.session[RECOVERY_CODES] = codes
    flash(request, success="Two-factor authentication is on.")
    return redirect("/profile")


@require_POST
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = read_form(request, DisableForm, back="/profile")
    security.disable_two_factor(actor(request), form.password)
    flash(request, success="Two-factor authentication is off.")
    return redirect("/profile")


# --- a forgotten password ----------------------------------------------------------------------

# The reset link's token, kept in the session after the link was opened, so that it leaves
# the address bar (and so the Referer of anything the next page loads), as Django's own
# PasswordResetConfirmView does.
RESET_LINK_KEY = "supercp.reset_link"
RESET_STEP = "set-password"


class ForgotForm(Form):
    identifier: str = Field(max_length=254)


class ResetForm(Form):
    password: str = Field(max_length=4096)


def _base_url(request: HttpRequest) -> str:
    # get_host() is checked against ALLOWED_HOSTS, so a forged Host cannot redirect links.
    return f"{request.scheme}://{request.get_host()}"


@require_http_methods(["GET", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "Auth/Forgot", {})
    form = read_form(request, ForgotForm)
    password_reset.request_reset(form.identifier, client_ip(request), _base_url(request))
    flash(
        request,
        success="If an account matches, a link to reset its password is on its way by e-mail.",
    )
    return redirect("/login")


@require_http_methods(["GET", "POST"])
def reset_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    if token != RESET_STEP:
        # The link from the e-mail: keep its token in the session, then drop it from the URL.
        request.session[RESET_LINK_KEY] = token
        return redirect(f"/password/reset/{uidb64}/{RESET_STEP}")
    saved = request.session.get(RESET_LINK_KEY, "")
    if request.method == "GET":
        valid = password_reset.user_for_link(uidb64, saved) is not None
        return render(request, "Auth/Reset", {"valid": valid})
    form = read_form(request, ResetForm)
    password_reset.reset_password(uidb64, saved, form.password, client_ip(request))
    request.session.pop(RESET_LINK_KEY, None)
    flash(request, success="Your password was changed. Sign in with the new one.")
    return redirect("/login")
