"""Hosting accounts: every rule and every daemon call for them lives here.

Who sees what: admins every account, resellers the accounts they own, customers their own
one. An account the actor may not see is reported as not found, exactly as if it did not
exist, so names cannot be probed. Each change is written to the audit log inside the same
transaction, and the daemon is called inside that transaction too: when it refuses, the
panel's rows roll back with the audit entry.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django_tasks import task
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from supercp.protocol import accounts as rpc
from supercp.protocol.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supercp.protocol.names import AccountName
from supercp.web.accounts import hooks
from supercp.web.accounts.models import AccountTotal, HostingAccount, State
from supercp.web.core import audit, daemon, rows
from supercp.web.core.authz import Actor, owned_by_visible_accounts, require_role, require_writable
from supercp.web.core.models import Role, User
from supercp.web.core.services import Page, check_email, check_new_password, check_page
from supercp.web.jobs import services as jobs
from supercp.web.jobs.models import Job
from supercp.web.plans import services as plans

MAX_PER_PAGE = 100
MAX_SEARCH = 100
_NAME = TypeAdapter(AccountName)


def _visible(actor: Actor) -> QuerySet[HostingAccount]:
    """The accounts this actor may see at all; every lookup starts here."""
    return owned_by_visible_accounts(actor, HostingAccount.objects.all(), via="")


def _every_account() -> int:
    """How many accounts there are (an admin's unfiltered list), without a COUNT(*).

    From the AccountTotal row its triggers keep; a COUNT(*) over 10,000 accounts was the
    largest cost of the list's most frequent request.
    """
    with connection.cursor() as cursor:
        cursor.execute(_total_sql(), [1])
        row = cursor.fetchone()
    # No row: no account was written since the table was emptied (or someone deleted it);
    # counting is right either way.
    return int(row[0]) if row is not None else HostingAccount.objects.count()


@functools.cache
def _total_sql() -> str:
    count = rows.column(AccountTotal, "count", "t")
    return f"SELECT {count} FROM {rows.table(AccountTotal)} t WHERE t.id = %s"  # noqa: S608


def _not_found(name: str) -> NotFound:
    return NotFound(f"no account '{name}'", field="name")


@dataclass(slots=True)
class AccountRow:
    """One line of an accounts list: plain values, since lists are read far more often than
    anything else and model instances (three per line) cost more than the query. Not frozen:
    a frozen dataclass sets each field through object.__setattr__, which nearly doubled the
    cost of building a page."""

    name: str
    email: str
    reseller: str | None
    state: str
    login_shell: bool
    created_at: datetime
    # The plan's name.
    plan: str


_ROW = (
    "name",
    "user__email",
    "reseller__username",
    "state",
    "login_shell",
    "created_at",
    "plan__name",
)


class _PageQuery:
    """One page of accounts in name order, with no search, as written-out SQL (core/rows.py):
    the list's most frequent request. The page's ids come from the name index in a derived
    table, then their rows are joined: ordered by name over the joins, MariaDB would join
    every row it skips to reach the page as well (a page at offset 1,000 took four times as
    long). Identifiers come from the models; values are parameters.
    """

    def __init__(self) -> None:
        account, user = rows.table(HostingAccount), rows.table(User)
        # The plans' model by the foreign key: accounts imports of plans only its services.
        plan = HostingAccount._meta.get_field("plan").related_model
        assert isinstance(plan, type)

        def of(alias: str, field: str) -> str:
            return rows.column(HostingAccount, field, alias)

        loaded = ("state", "login_shell", "created_at")
        self.convert = [rows.converter(HostingAccount, f) for f in loaded]
        columns = ", ".join(
            [of("a", "name"), rows.column(User, "email", "u"), rows.column(User, "username", "r")]
            + [of("a", f) for f in loaded]
            + [rows.column(plan, "name", "pl")]
        )
        # By role, as owned_by_visible_accounts decides (the tests compare the two).
        where = {
            Role.ADMIN: "",
            Role.RESELLER: f" WHERE {of('i', 'reseller')} = %s",
            Role.CUSTOMER: f" WHERE {of('i', 'user')} = %s",
        }
        # An admin's total rides along on every row (one round trip instead of two).
        total = {Role.ADMIN: f", ({_total_sql()})"}
        joins = (
            f" JOIN {user} u ON u.id = {of('a', 'user')}"
            f" LEFT JOIN {user} r ON r.id = {of('a', 'reseller')}"
            f" JOIN {rows.table(plan)} pl ON pl.id = {of('a', 'plan')}"
        )
        self.sql = {
            role: f"SELECT {columns}{total.get(role, '')} FROM"  # noqa: S608 (see the class's doc)
            f" (SELECT i.id FROM {account} i{visible} ORDER BY {of('i', 'name')}"
            f" LIMIT %s OFFSET %s) p"
            f" JOIN {account} a ON a.id = p.id{joins} ORDER BY {of('a', 'name')}"
            for role, visible in where.items()
        }
        # An admin's first page, the list's most frequent request: MariaDB walks the name
        # index and joins as it goes, and stops after the page (no derived table, a fifth
        # less of its time). Past the first page it would join every row it skips.
        self.first = (
            f"SELECT {columns}{total[Role.ADMIN]} FROM {account} a{joins}"  # noqa: S608
            f" ORDER BY {of('a', 'name')} LIMIT %s"
        )

    def rows(self, actor: Actor, start: int, count: int) -> tuple[list[AccountRow], int | None]:
        """The page, and for an admin the total of every account; None where it must be
        counted (another role, an empty page, no AccountTotal row)."""
        role = Role(actor.user.role)
        if role == Role.ADMIN and start == 0:
            sql, params = self.first, [1, count]
        else:
            sql = self.sql[role]
            params = [1 if role == Role.ADMIN else actor.user.pk, count, start]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        state, shell, created = self.convert
        page = [
            AccountRow(name, email, reseller, state(st), shell(sh), created(at), plan)
            for name, email, reseller, st, sh, at, plan, *_ in found
        ]
        total = found[0][7] if found and role == Role.ADMIN else None
        return page, None if total is None else int(total)


@functools.cache
def _page_query() -> _PageQuery:
    return _PageQuery()


def list_accounts(
    actor: Actor, search: str = "", page: int = 1, per_page: int = 50
) -> Page[AccountRow]:
    """The visible accounts whose name or e-mail contains ``search``, one page of them."""
    check_page(page)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed(f"per_page must be 1 to {MAX_PER_PAGE}", field="per_page")
    if len(search) > MAX_SEARCH:
        raise ValidationFailed(f"search is limited to {MAX_SEARCH} characters", field="search")
    start = (page - 1) * per_page
    if not search:
        listed, total = _page_query().rows(actor, start, per_page)
        if total is None:
            total = _every_account() if actor.is_admin else _visible(actor).count()
        return Page(listed, total, page, per_page)
    accounts = _visible(actor).filter(Q(name__icontains=search) | Q(user__email__icontains=search))
    ids = list(accounts.values_list("pk", flat=True)[start : start + per_page])
    found = {
        row[0]: row
        for row in HostingAccount.objects.filter(pk__in=ids).order_by().values_list("pk", *_ROW)
    }
    return Page([AccountRow(*found[i][1:]) for i in ids], accounts.count(), page, per_page)


def get_account(actor: Actor, name: str) -> HostingAccount:
    account = _visible(actor).select_related("user", "reseller", "plan").filter(name=name).first()
    if account is None:
        raise _not_found(name)
    return account


def all_accounts(actor: Actor) -> list[HostingAccount]:
    """Every account the actor may see, by name (super-cli lists them all at once)."""
    return list(_visible(actor).select_related("user", "reseller"))


def system_accounts(actor: Actor) -> dict[str, rpc.Account]:
    """The Linux side (uid, home, shell) of the accounts the actor may see, by name."""
    visible = set(_visible(actor).values_list("name", flat=True))
    if not visible:
        return {}
    with daemon.client() as c:
        listed = c.invoke(rpc.LIST).accounts
    return {a.name: a for a in listed if a.name in visible}


def system_account(actor: Actor, name: str) -> rpc.Account | None:
    """The Linux side (uid, home, shell) of one visible account; None when the system has
    no such user. The daemon is asked for that name only, not for every account."""
    get_account(actor, name)
    with daemon.client() as c:
        listed = c.invoke(rpc.LIST, rpc.ListParams(names=[name])).accounts
    return next((a for a in listed if a.name == name), None)


@dataclass(frozen=True)
class Counts:
    """What the dashboard counts: visible accounts, how many suspended, and resellers."""

    accounts: int
    suspended: int
    resellers: int


def counts(actor: Actor) -> Counts:
    visible = _visible(actor)
    return Counts(
        accounts=_every_account() if actor.is_admin else visible.count(),
        suspended=visible.filter(state=State.SUSPENDED).count(),
        # Only admins see resellers at all.
        resellers=User.objects.filter(role=Role.RESELLER).count() if actor.is_admin else 0,
    )


def _for_change(actor: Actor, name: str) -> HostingAccount:
    """Lock an account the actor may change (call inside a transaction)."""
    require_writable(actor)
    # No select_related: on MariaDB FOR UPDATE would lock the joined user rows as well.
    account = _visible(actor).select_for_update().filter(name=name).first()
    if account is None:
        raise _not_found(name)
    if not (actor.is_admin or actor.is_reseller):
        raise Forbidden("customers cannot change their hosting account", code="forbidden")
    return account


def _check_name(name: str) -> None:
    try:
        _NAME.validate_python(name)
    except PydanticError:
        raise ValidationFailed(
            "an account name is a-z first, then up to 31 of a-z, 0-9, _ or -",
            code="invalid-name",
            field="name",
        ) from None


def _owner(actor: Actor, reseller: str | None) -> User | None:
    """The reseller a new account will belong to (None: the admins')."""
    if actor.is_reseller:
        if reseller not in (None, actor.user.username):
            raise Forbidden("resellers create accounts for themselves only", field="reseller")
        return actor.user
    if reseller is None:
        return None
    owner = User.objects.filter(username=reseller, role=Role.RESELLER).first()
    if owner is None:
        raise NotFound(f"no reseller '{reseller}'", field="reseller")
    return owner


def _check_limit(owner: User) -> None:
    """Lock the reseller's row, so concurrent creations count one after the other."""
    locked = User.objects.select_for_update().get(pk=owner.pk)
    if locked.max_accounts is None:
        return
    if HostingAccount.objects.filter(reseller=locked).count() >= locked.max_accounts:
        raise Forbidden(
            f"{locked.username} may own at most {locked.max_accounts} accounts",
            code="account-limit",
        )


def create_account(
    actor: Actor,
    name: str,
    email: str,
    password: str,
    *,
    reseller: str | None = None,
    login_shell: bool = False,
    plan: str | None = None,
) -> HostingAccount:
    """Create the customer's login, the account row and (through the daemon) the Linux user,
    on ``plan`` (None: the server's default plan)."""
    require_writable(actor)
    require_role(actor, Role.ADMIN, Role.RESELLER)
    _check_name(name)
    check_email(email)
    check_new_password(password, name, email)
    owner = _owner(actor, reseller)
    try:
        with transaction.atomic():
            if owner is not None:
                _check_limit(owner)
            if User.objects.filter(username=name).exists():
                raise Conflict(f"the name '{name}' is taken", code="account-exists", field="name")
            on = plans.plan_for_new_account(actor, owner, plan)
            if login_shell and not on.shell_access:
                raise Forbidden(
                    f"plan '{on.name}' gives no shell access",
                    code="limit-reached",
                    field="login_shell",
                )
            user = User.objects.create_user(
                name, email, password, role=Role.CUSTOMER, reseller=owner
            )
            account = HostingAccount.objects.create(
                name=name, user=user, reseller=owner, login_shell=login_shell, plan=on
            )
            audit.record(
                actor,
                "account.create",
                name,
                reseller=owner.username if owner else None,
                login_shell=login_shell,
                plan=on.name,
            )
            with daemon.client() as c:
                # create_only: ensure would adopt (and unsuspend) an account made outside
                # the panel; the daemon refuses the name instead, in the same step that
                # creates it (listing every account first cost O(accounts) and left a gap).
                params = rpc.EnsureParams(name=name, login_shell=login_shell, create_only=True)
                c.invoke(rpc.ENSURE, params)
    except IntegrityError:
        # Another request created the same name between our check and our insert.
        raise Conflict(f"the name '{name}' is taken", code="account-exists", field="name") from None
    return account


def _set_state(actor: Actor, name: str, state: State, action: str) -> HostingAccount:
    with transaction.atomic():
        account = _for_change(actor, name)
        before = account.state
        account.state = state
        account.save(update_fields=["state"])
        audit.record(actor, action, name, previous=before)
        # Sent even when the row did not change: ensure converges a system that drifted.
        params = rpc.EnsureParams(
            name=name, login_shell=account.login_shell, suspended=state == State.SUSPENDED
        )
        with daemon.client() as c:
            c.invoke(rpc.ENSURE, params)
        # The other modules follow (hooks.py): its sites are served suspended while it is.
        hooks.state_changed(actor, account)
    return get_account(actor, name)


def suspend_account(actor: Actor, name: str) -> HostingAccount:
    """Suspend: the account's logins are refused and its processes ended."""
    return _set_state(actor, name, State.SUSPENDED, "account.suspend")


def unsuspend_account(actor: Actor, name: str) -> HostingAccount:
    """Lift a suspension: the account may log in and run things again."""
    return _set_state(actor, name, State.ACTIVE, "account.unsuspend")


def delete_account(actor: Actor, name: str, *, keep_home: bool = False) -> rpc.RemoveResult:
    """Remove the Linux user (home included unless kept), then the account and its login."""
    with transaction.atomic():
        account = _for_change(actor, name)
        audit.record(actor, "account.delete", name, keep_home=keep_home)
        # The other modules' parts go with it (hooks.py): the daemon takes the sites off
        # nginx with the account, in one reload; the zones leave PowerDNS once it did.
        with hooks.removing(actor, account), daemon.client() as c:
            result = c.invoke(rpc.REMOVE, rpc.RemoveParams(name=name, keep_home=keep_home))
        user = account.user
        account.delete()
        user.delete()
    return result


def start_delete_account(actor: Actor, name: str) -> Job:
    """Check now what deleting would check, then leave the deletion to a background job."""
    with transaction.atomic():
        _for_change(actor, name)
        return jobs.start(actor, f"Delete hosting account {name}", delete_account_job, name=name)


@task()
def delete_account_job(job_id: str, name: str) -> str:
    """The worker's side of start_delete_account: delete_account as the user who asked."""

    def work(job: Job, actor: Actor) -> str:
        jobs.set_progress(job, 10)
        # Refused here as well if the account or the actor's rights changed meanwhile.
        get_account(actor, name)
        jobs.set_progress(job, 30)
        delete_account(actor, name)
        return f"Deleted hosting account {name}: its Linux user, home and panel login."

    return jobs.run(job_id, work)
