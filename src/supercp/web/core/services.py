"""Panel users and API tokens: every rule about them, for the API and super-cli alike."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from supercp.protocol import system as system_rpc
from supercp.protocol.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supercp.web.core import audit, daemon, rows, security
from supercp.web.core.authz import Actor, require_role, require_writable
from supercp.web.core.models import ApiToken, AuditEvent, Role, User

T = TypeVar("T")

# scp_<public id>_<secret>: the public id finds the row, the secret is checked against its
# SHA-256. 32 random bytes leave nothing to brute-force, so a fast hash is enough here
# (unlike passwords, which get argon2).
TOKEN_RE = re.compile(r"scp_([0-9a-f]{16})_([0-9a-f]{64})")
MAX_TOKEN_DAYS = 3650
# last_used_at is written at most this often per token, not on every request.
LAST_USED_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the total the actor may see."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even when empty)."""
        return max(1, -(-self.total // self.per_page))


# Far past any real list, and small enough that (page - 1) * per_page fits MariaDB's LIMIT.
MAX_PAGE = 1_000_000


def check_page(page: int) -> None:
    """Refuse page numbers outside 1..MAX_PAGE as a field error."""
    if not 1 <= page <= MAX_PAGE:
        raise ValidationFailed(f"page must be 1 to {MAX_PAGE}", field="page")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def generate_password() -> str:
    """A one-time password for a new or reset login (shown once, never stored in clear)."""
    return secrets.token_urlsafe(18)


# --- users ------------------------------------------------------------------------------------


def check_username(name: str, field: str = "name") -> None:
    """A panel login name: Django's rule (letters, digits and @.+-_), 1 to 150 characters."""
    if not 1 <= len(name) <= 150:
        raise ValidationFailed("a name has 1 to 150 characters", code="invalid-name", field=field)
    try:
        UnicodeUsernameValidator()(name)
    except ValidationError as err:
        raise ValidationFailed(str(err.messages[0]), code="invalid-name", field=field) from None


def check_new_password(password: str, name: str, email: str, field: str = "password") -> None:
    """Django's password validators (12 characters at least, not common, not the name)."""
    try:
        validate_password(password, User(username=name, email=email))
    except ValidationError as err:
        raise ValidationFailed(" ".join(err.messages), code="weak-password", field=field) from None


def any_admin() -> bool:
    """Whether the panel has an active admin (the installer makes the first one)."""
    return User.objects.filter(role=Role.ADMIN, is_active=True).exists()


def create_admin(name: str, email: str = "") -> tuple[User, str]:
    """Make an admin login with a generated password (super-cli, as root); return both."""
    check_username(name)
    check_email(email)
    password = generate_password()
    with transaction.atomic():
        if User.objects.filter(username=name).exists():
            raise Conflict(
                f"a user named '{name}' exists already", code="user-exists", field="name"
            )
        user = User.objects.create_user(name, email, password, role=Role.ADMIN)
        audit.record(None, "user.create", name, role=Role.ADMIN.value)
    return user, password


@dataclass(frozen=True)
class PasswordReset:
    """A login's new password (shown once) and what the reset ended."""

    user: User
    password: str
    tokens_revoked: int
    sessions_ended: int


def reset_password(name: str) -> PasswordReset:
    """Give a login a new generated password (super-cli, as root), revoke its API tokens and
    end its sessions: whoever had the old password may have made either."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=name).first()
        if user is None:
            raise NotFound(f"no user '{name}'", field="name")
        password = generate_password()
        user.set_password(password)
        user.save(update_fields=["password"])
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        ended = security.end_sessions(user)
        audit.record(
            None, "user.reset-password", name, tokens_revoked=revoked, sessions_ended=ended
        )
    return PasswordReset(user, password, revoked, ended)


def check_email(email: str) -> None:
    """Refuse a malformed e-mail address (an empty one means none), naming the field."""
    if not email:
        return
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed("not a valid e-mail address", field="email") from None


# --- resellers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reseller:
    """A reseller and how many hosting accounts they own."""

    user: User
    accounts: int


def list_resellers(actor: Actor) -> list[Reseller]:
    """Every reseller (admins only), by name."""
    require_role(actor, Role.ADMIN)
    rows = (
        User.objects.filter(role=Role.RESELLER)
        .annotate(owned=Count("reseller_accounts"))
        .order_by("username")
    )
    return [Reseller(user=u, accounts=u.owned) for u in rows]


def create_reseller(
    actor: Actor, username: str, email: str, password: str, max_accounts: int | None
) -> User:
    """A new reseller login (admins only); ``max_accounts`` None means no limit."""
    require_writable(actor)
    require_role(actor, Role.ADMIN)
    check_username(username, field="username")
    check_email(email)
    if max_accounts is not None and not 0 <= max_accounts <= 1_000_000:
        raise ValidationFailed("the limit is 0 to 1000000 accounts, or none", field="max_accounts")
    check_new_password(password, username, email)
    taken = Conflict(f"the name '{username}' is taken", code="user-exists", field="username")
    try:
        with transaction.atomic():
            if User.objects.filter(username=username).exists():
                raise taken
            user = User.objects.create_user(
                username, email, password, role=Role.RESELLER, max_accounts=max_accounts
            )
            audit.record(
                actor, "user.create", username, role=Role.RESELLER.value, max_accounts=max_accounts
            )
    except IntegrityError:
        raise taken from None
    return user


# --- audit log and system facts -----------------------------------------------------------------

AUDIT_PER_PAGE = 50


def list_audit(actor: Actor, action: str = "", page: int = 1) -> Page[AuditEvent]:
    """The audit log, newest first, optionally one action only (admins only)."""
    require_role(actor, Role.ADMIN)
    check_page(page)
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action[:64])
    total = events.count()
    start = (page - 1) * AUDIT_PER_PAGE
    return Page(list(events[start : start + AUDIT_PER_PAGE]), total, page, AUDIT_PER_PAGE)


def system_info(actor: Actor) -> system_rpc.SystemInfo:
    """Host, load, memory, disks and service states, as the daemon reports them."""
    with daemon.client() as c:
        return c.invoke(system_rpc.INFO)


# --- API tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and the plaintext the caller sees this once."""

    token: ApiToken
    plaintext: str


def issue_token(
    user: User,
    name: str,
    *,
    read_only: bool = False,
    expires_days: int | None = None,
    actor: Actor | None = None,
) -> NewToken:
    """Make a token for ``user``; ``actor`` None means super-cli (root)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed("a token needs a name of 1 to 100 characters", field="name")
    if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
        raise ValidationFailed(f"expiry must be 1 to {MAX_TOKEN_DAYS} days", field="expires_days")
    public_id, secret = secrets.token_hex(8), secrets.token_hex(32)
    expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            public_id=public_id,
            secret_hash=_hash(secret),
            user=user,
            name=name,
            read_only=read_only,
            expires_at=expires_at,
        )
        audit.record(
            actor,
            "token.create",
            f"{user.username}/{public_id}",
            name=name,
            read_only=read_only,
            expires_at=expires_at.isoformat() if expires_at else None,
        )
    return NewToken(token, f"scp_{public_id}_{secret}")


def create_token(
    actor: Actor, name: str, *, read_only: bool = False, expires_days: int | None = None
) -> NewToken:
    """The caller makes a token for themself, from a logged-in session only."""
    require_writable(actor)
    if actor.token is not None:
        # A token minting tokens could outlive its own expiry or revocation.
        raise Forbidden("API tokens are created from a logged-in session", code="session-required")
    return issue_token(
        actor.user, name, read_only=read_only, expires_days=expires_days, actor=actor
    )


def create_token_for(
    username: str, name: str, *, read_only: bool = False, expires_days: int | None = None
) -> NewToken:
    """super-cli (root) makes a token for any active user."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"no active user '{username}'", field="user")
    return issue_token(user, name, read_only=read_only, expires_days=expires_days)


def list_tokens(actor: Actor) -> list[ApiToken]:
    """The caller's own tokens, newest first (revoked and expired ones too)."""
    return list(ApiToken.objects.filter(user=actor.user))


def revoke_token(actor: Actor, public_id: str) -> ApiToken:
    """Revoke one of the caller's own tokens; someone else's is not found."""
    require_writable(actor)
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(user=actor.user, public_id=public_id)
            .first()
        )
        if token is None:
            raise NotFound(f"no token '{public_id}'", field="id")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor, "token.revoke", f"{actor.user.username}/{public_id}")
    return token


class _TokenQuery:
    """A token's row and its user's in one written-out statement (core/rows.py: it runs on
    every API request, and the ORM spent longer building it than MariaDB answering it)."""

    def __init__(self) -> None:
        self.user = rows.Loader(User, "u")
        columns = ("id", "secret_hash", "read_only", "expires_at", "revoked_at", "last_used_at")
        self.convert = [rows.converter(ApiToken, c) for c in columns]
        self.width = len(columns)  # the token's columns; its user's follow
        token = ", ".join(rows.column(ApiToken, c, "t") for c in columns)
        # Identifiers from the models; the public id is a parameter.
        self.sql = (
            f"SELECT {token}, {self.user.select} FROM {rows.table(ApiToken)} t"  # noqa: S608
            f" JOIN {rows.table(User)} u ON u.id = {rows.column(ApiToken, 'user', 't')}"
            f" WHERE {rows.column(ApiToken, 'public_id', 't')} = %s"
        )


@functools.cache
def _token_query() -> _TokenQuery:
    return _TokenQuery()


def authenticate_token(plaintext: str, ip: str | None) -> Actor | None:
    """The actor a bearer token stands for, or None if it is unknown, revoked or expired."""
    match = TOKEN_RE.fullmatch(plaintext)
    if match is None:
        return None
    public_id, secret = match.groups()
    query = _token_query()
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [public_id])
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, secret_hash, read_only, expires_at, revoked_at, last_used_at = (
        convert(v) for convert, v in zip(query.convert, row[: query.width], strict=True)
    )
    if not hmac.compare_digest(secret_hash, _hash(secret)):
        return None
    user = query.user.load(row[query.width :])
    now = timezone.now()
    if revoked_at is not None or not user.is_active:
        return None
    if expires_at is not None and expires_at <= now:
        return None
    if last_used_at is None or now - last_used_at >= LAST_USED_STEP:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return Actor(user=user, read_only=read_only, ip=ip, token=public_id)
