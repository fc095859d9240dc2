"""Resetting a forgotten password through a link sent by e-mail.

Asking for a link answers the same whether or not an account matches, so the form cannot
be used to find out who has an account; the request is audited and throttled per client
address and per name asked for, counted from the audit log like failed sign-ins. The link
carries Django's password-reset token, which is signed with the secret key, expires after
PASSWORD_RESET_TIMEOUT and stops working once the password (or the last sign-in) changes,
so it works once. Setting the new password ends every session of the user (their session
hash changes with it); a second factor, when set up, is still asked at the next sign-in.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from supercp.protocol.errors import Forbidden, ValidationFailed
from supercp.web.core import audit
from supercp.web.core.authz import Actor
from supercp.web.core.models import AuditEvent, User
from supercp.web.core.security import WINDOW, now

log = logging.getLogger(__name__)

REQUESTED = "auth.reset-requested"
MAIL_FAILED = "auth.reset-mail-failed"
# Links asked for per client address and per name within WINDOW.
IP_LIMIT = 5
NAME_LIMIT = 3


def _throttle(identifier: str, ip: str | None) -> None:
    recent = AuditEvent.objects.filter(action=REQUESTED, time__gt=now() - WINDOW)
    by_name = recent.filter(target=identifier)[:NAME_LIMIT].count()
    by_ip = recent.filter(ip=ip)[:IP_LIMIT].count() if ip is not None else 0
    if by_name >= NAME_LIMIT or by_ip >= IP_LIMIT:
        audit.record_attempt("auth.reset-throttled", identifier, ip)
        raise Forbidden(
            "Too many reset links were asked for. Try again in 15 minutes.",
            code="throttled",
            field="identifier",
        )


def link_for(user: User, base_url: str) -> str:
    """The user's one-time reset link under ``base_url`` (the panel's own origin)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{base_url}/password/reset/{uid}/{default_token_generator.make_token(user)}"


def request_reset(identifier: str, ip: str | None, base_url: str) -> None:
    """Mail a reset link to the account named by user name or e-mail, if there is one."""
    identifier = identifier.strip()[:254]
    if not identifier:
        raise ValidationFailed("Enter your user name or e-mail address.", field="identifier")
    _throttle(identifier, ip)
    audit.record_attempt(REQUESTED, identifier, ip)
    users = User.objects.filter(is_active=True).filter(
        Q(username=identifier) | Q(email__iexact=identifier)
    )
    for user in users:
        if not user.email or not user.has_usable_password():
            continue
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        try:
            send_mail(
                "Reset your GetSuperCP password",
                f"Someone (hopefully you) asked to reset the password of the panel account "
                f"'{user.username}'.\n\nTo choose a new password, open this link within "
                f"{minutes} minutes:\n\n{link_for(user, base_url)}\n\n"
                "If you did not ask for this, ignore this message: your password stays as "
                "it is.\n",
                None,
                [user.email],
            )
        except (OSError, smtplib.SMTPException) as err:
            # No mail server (mail comes with its module) or one that refuses: the answer
            # stays the one every request gets, or a failure would tell who has an account.
            # The link is a secret and is never logged.
            log.warning("the reset link for %s could not be mailed: %s", user.username, err)
            audit.record_attempt(MAIL_FAILED, user.username, ip, error=type(err).__name__)


def user_for_link(uidb64: str, token: str) -> User | None:
    """The user whose valid reset link this is; None for an expired, used or forged one."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, OverflowError):
        return None
    user: User | None = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def reset_password(uidb64: str, token: str, new: str, ip: str | None) -> User:
    """Set the new password of the link's user; the link stops working with it."""
    with transaction.atomic():
        user = user_for_link(uidb64, token)
        if user is None:
            raise ValidationFailed(
                "This reset link has expired or was used already. Ask for a new one.",
                code="bad-reset-link",
                field="password",
            )
        # Locked: two requests with the same link cannot both set a password.
        user = User.objects.select_for_update().get(pk=user.pk)
        if not default_token_generator.check_token(user, token):
            raise ValidationFailed(
                "This reset link was used already.", code="bad-reset-link", field="password"
            )
        try:
            validate_password(new, user)
        except ValidationError as err:
            raise ValidationFailed(
                " ".join(err.messages), code="weak-password", field="password"
            ) from None
        user.set_password(new)
        user.save(update_fields=["password"])
        audit.record(Actor(user=user, ip=ip), "user.password-reset", user.username)
    return user
