"""Signing in and a login's own security: passwords, throttling, two-factor, recovery codes.

Failed attempts are counted from the audit log itself: ``auth.login-failed`` and
``auth.2fa-failed`` events of the last WINDOW, per account name (since that account's last
successful sign-in or ``auth.unlock``) and per client address. Past a limit the attempt is
refused before any password is checked, and the refusal is audited too (it does not count as
a failure, so a lock ends WINDOW after the failures that caused it).

Two-factor uses django-otp: a TOTPDevice for the authenticator app and a StaticDevice whose
tokens are the recovery codes (each works once). The views hold the session; the rules are
here.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from supercp.protocol.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supercp.web.core import audit
from supercp.web.core.authz import Actor, require_writable
from supercp.web.core.models import AuditEvent, User

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
IP_LIMIT = 20
FAILURES = ("auth.login-failed", "auth.2fa-failed")
# Events after which an account name's failures no longer count.
FRESH_STARTS = ("auth.login", "auth.unlock")
RECOVERY_CODES = 10
# How long a password may wait for its second factor.
PENDING_TTL = timedelta(minutes=5)
TOTP_RE = re.compile(r"\d{6}")
# The session key of a user who gave the right password and still owes the second factor
# (``{"user": pk, "at": time}``).
PENDING_2FA = "supercp.pending_2fa"


def now() -> datetime:
    """The clock of the throttle (a seam for the tests)."""
    return timezone.now()


# --- throttling ---------------------------------------------------------------------------------


def _wait(times: list[datetime], limit: int, at: datetime) -> timedelta | None:
    """With ``times`` newest first: how long until fewer than ``limit`` are in the window."""
    if len(times) < limit:
        return None
    return times[limit - 1] + WINDOW - at


def throttled(username: str, ip: str | None) -> timedelta | None:
    """How long this account name or client address must wait; None if it may try now."""
    at = now()
    recent = AuditEvent.objects.filter(action__in=FAILURES, time__gt=at - WINDOW)
    by_account = recent.filter(target=username)
    last_ok = (
        AuditEvent.objects.filter(action__in=FRESH_STARTS, target=username, time__gt=at - WINDOW)
        .values_list("time", flat=True)
        .first()
    )
    if last_ok is not None:
        by_account = by_account.filter(time__gt=last_ok)
    account_times = list(by_account.values_list("time", flat=True)[:ACCOUNT_LIMIT])
    waits = [_wait(account_times, ACCOUNT_LIMIT, at)]
    if ip is not None:
        by_ip = recent.filter(ip=ip).values_list("time", flat=True)[:IP_LIMIT]
        waits.append(_wait(list(by_ip), IP_LIMIT, at))
    found = [w for w in waits if w is not None and w > timedelta(0)]
    return max(found) if found else None


def unlock(username: str) -> bool:
    """Lift an account name's sign-in lock (super-cli, as root); whether it was locked.

    Audited as ``auth.unlock``, which the throttle takes as a fresh start for that name, as it
    takes a successful sign-in. The per-address count stays: it is not the account's.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise NotFound(f"no user '{username}'", field="name")
        was_locked = throttled(user.username, None) is not None
        audit.record(None, "auth.unlock", user.username, was_locked=was_locked)
    return was_locked


def end_sessions(user: User) -> int:
    """Delete every session signed in as ``user`` or owing their second factor; how many.

    A changed password already makes Django refuse the signed-in ones at their next request;
    deleting them also ends a sign-in that got past the old password and waits for its code.
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        pending = data.get(PENDING_2FA)
        if data.get("_auth_user_id") == str(user.pk) or (
            isinstance(pending, dict) and pending.get("user") == user.pk
        ):
            session.delete()
            ended += 1
    return ended


def _refuse_if_throttled(username: str, ip: str | None, field: str) -> None:
    wait = throttled(username, ip)
    if wait is None:
        return
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    audit.record_attempt("auth.login-throttled", username, ip)
    raise Forbidden(
        f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
        code="throttled",
        field=field,
    )


# --- signing in ---------------------------------------------------------------------------------


def check_password_login(username: str, password: str, ip: str | None) -> User:
    """The first step: the user whose password this is, unless throttled or wrong."""
    username = username.strip()[:150]
    _refuse_if_throttled(username, ip, "username")
    user = authenticate(None, username=username, password=password)
    if not isinstance(user, User):
        audit.record_attempt("auth.login-failed", username, ip)
        raise ValidationFailed(
            "The username or password is wrong.", code="bad-login", field="username"
        )
    return user


def has_two_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def check_second_factor(user: User, code: str, ip: str | None) -> str:
    """The second step: a TOTP code or an unused recovery code; returns which it was."""
    _refuse_if_throttled(user.username, ip, "code")
    code = re.sub(r"\s+", "", code)
    with transaction.atomic():
        # Locked, so one code cannot be used twice by two requests at once.
        # Six digits are an authenticator's code; anything else may be a recovery code.
        if TOTP_RE.fullmatch(code):
            totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            device = totp.first()
            if device is not None and device.verify_token(code):
                return "totp"
        else:
            static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            device = static.first()
            if device is not None and device.verify_token(_recovery_token(code)):
                return "recovery-code"
    audit.record_attempt("auth.2fa-failed", user.username, ip)
    raise ValidationFailed("That code is wrong or was used already.", code="bad-code", field="code")


def record_login(user: User, ip: str | None, second_factor: str | None) -> None:
    audit.record(Actor(user=user, ip=ip), "auth.login", user.username, second_factor=second_factor)


def record_logout(user: User, ip: str | None) -> None:
    audit.record(Actor(user=user, ip=ip), "auth.logout", user.username)


# --- the login's own settings ----------------------------------------------------------------


def change_password(actor: Actor, current: str, new: str) -> None:
    """Replace the caller's password; their other sessions end with the old hash."""
    require_writable(actor)
    user = actor.user
    if not user.check_password(current):
        raise ValidationFailed(
            "This is not your current password.", code="bad-password", field="current_password"
        )
    try:
        validate_password(new, user)
    except ValidationError as err:
        raise ValidationFailed(
            " ".join(err.messages), code="weak-password", field="new_password"
        ) from None
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        audit.record(actor, "user.password-change", user.username)


@dataclass(frozen=True)
class TwoFactorSetup:
    """An authenticator waiting for its first code: what the user scans or types."""

    secret: str
    otpauth_uri: str
    qr_svg: str


def _recovery_token(code: str) -> str:
    # Shown as "abcd-efgh"; stored as django-otp makes them, lower case without the dash.
    return code.replace("-", "").lower()


def _unconfirmed(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device


def start_two_factor(actor: Actor) -> None:
    """Make a new (unconfirmed) authenticator secret for the caller."""
    require_writable(actor)
    if has_two_factor(actor.user):
        raise Conflict("Two-factor authentication is on already.", code="two-factor-on")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor.user, confirmed=False).delete()
        TOTPDevice.objects.create(user=actor.user, name="authenticator", confirmed=False)


def pending_setup(user: User) -> TwoFactorSetup | None:
    """The authenticator set up but not yet confirmed, if any."""
    device = _unconfirmed(user)
    if device is None:
        return None
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    uri: str = device.config_url
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, omitsize=True)
    return TwoFactorSetup(secret=secret, otpauth_uri=uri, qr_svg=qr_svg)


def enable_two_factor(actor: Actor, code: str) -> list[str]:
    """Confirm the pending authenticator with its first code; returns new recovery codes."""
    require_writable(actor)
    user = actor.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise ValidationFailed("Start the setup first.", code="no-setup", field="code")
        if not TOTP_RE.fullmatch(code.strip()) or not device.verify_token(code.strip()):
            raise ValidationFailed(
                "That code is wrong; check the time on your phone.", code="bad-code", field="code"
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
        tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        for token in tokens:
            static.token_set.create(token=token)
        audit.record(actor, "user.2fa-enable", user.username)
    return [f"{t[:4]}-{t[4:]}" for t in tokens]


def disable_two_factor(actor: Actor, password: str) -> None:
    """Turn two-factor off (the password confirms it is the user)."""
    require_writable(actor)
    user = actor.user
    if not user.check_password(password):
        raise ValidationFailed("This is not your password.", code="bad-password", field="password")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(actor, "user.2fa-disable", user.username)


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())
