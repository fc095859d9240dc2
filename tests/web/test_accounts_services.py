"""accounts/services.py for every role, against the real daemon."""

from __future__ import annotations

import contextlib
import pwd
from collections.abc import Iterator
from datetime import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from supercp.protocol.client import DaemonClient
from supercp.protocol.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supercp.web.accounts import hooks, services
from supercp.web.accounts.hooks import AccountHooks
from supercp.web.accounts.models import AccountTotal, HostingAccount, State
from supercp.web.core.authz import Actor, owned_by_visible_accounts
from supercp.web.core.models import AuditEvent, Role, User
from supercp.web.core.services import Page
from supercp.web.plans import services as plans
from tests.web.conftest import PASSWORD, SOCKET, make_user, system_account, user_exists


def names(page: Page[services.AccountRow]) -> set[str]:
    return {a.name for a in page.items}


def test_creating_an_account_makes_a_real_linux_user_and_a_customer_login(world, account_name):
    name = account_name()
    account = services.create_account(world.admin, name, "carol@example.test", PASSWORD)
    assert user_exists(name)
    assert pwd.getpwnam(name).pw_shell == "/usr/sbin/nologin"
    assert account.user.username == name
    assert account.user.role == Role.CUSTOMER
    assert account.user.check_password(PASSWORD)
    assert account.reseller is None
    assert account.state == State.ACTIVE
    event = AuditEvent.objects.filter(action="account.create", target=name).get()
    assert event.actor == world.admin.user
    assert event.ip == "192.0.2.1"


def test_the_admin_sees_every_account(world):
    listed = services.list_accounts(world.admin)
    assert names(listed) >= {world.alice_account.name, world.bob_account.name}


def test_a_reseller_sees_only_their_customers(world):
    listed = services.list_accounts(world.rita)
    assert names(listed) == {world.alice_account.name}
    assert listed.total == 1
    with pytest.raises(NotFound):
        services.get_account(world.rita, world.bob_account.name)


def test_a_customer_sees_only_their_own_account(world):
    assert names(services.list_accounts(world.alice)) == {world.alice_account.name}
    assert services.get_account(world.alice, world.alice_account.name) == world.alice_account


def test_alice_cannot_read_bobs_account(world):
    with pytest.raises(NotFound) as caught:
        services.get_account(world.alice, world.bob_account.name)
    # Exactly what a name that exists nowhere gets: nothing to tell the two apart.
    with pytest.raises(NotFound) as missing:
        services.get_account(world.alice, "sctnosuchname")
    assert (caught.value.code, caught.value.field) == (missing.value.code, missing.value.field)


def test_alice_cannot_find_bobs_account_by_search(world):
    for search in (world.bob_account.name, "bob", "example.test", "sct", ""):
        listed = services.list_accounts(world.alice, search=search)
        assert world.bob_account.name not in names(listed)
        assert listed.total <= 1


@pytest.mark.parametrize(
    "change",
    [services.suspend_account, services.unsuspend_account, services.delete_account],
)
def test_alice_cannot_change_or_delete_bobs_account(world, change):
    with pytest.raises(NotFound):
        change(world.alice, world.bob_account.name)
    bob = HostingAccount.objects.get(name=world.bob_account.name)
    assert bob.state == State.ACTIVE
    assert user_exists(bob.name)
    assert system_account(bob.name)["suspended"] is False


@pytest.mark.parametrize(
    "change",
    [services.suspend_account, services.unsuspend_account, services.delete_account],
)
def test_a_customer_cannot_change_their_own_account(world, change):
    with pytest.raises(Forbidden):
        change(world.alice, world.alice_account.name)
    assert user_exists(world.alice_account.name)


def test_a_customer_cannot_create_accounts(world, account_name):
    with pytest.raises(Forbidden):
        services.create_account(world.alice, account_name(), "", PASSWORD)


def test_a_reseller_cannot_touch_accounts_of_others(world):
    for change in (
        services.suspend_account,
        services.unsuspend_account,
        services.delete_account,
    ):
        with pytest.raises(NotFound):
            change(world.rita, world.bob_account.name)
    assert user_exists(world.bob_account.name)


def test_a_reseller_cannot_create_accounts_for_another_reseller(world, account_name):
    make_user("rex", Role.RESELLER)
    with pytest.raises(Forbidden) as caught:
        services.create_account(world.rita, account_name(), "", PASSWORD, reseller="rex")
    assert caught.value.field == "reseller"


def test_a_reseller_cannot_exceed_max_accounts(world, account_name):
    # rita may own 3 and owns alice's already.
    services.create_account(world.rita, account_name(), "", PASSWORD)
    services.create_account(world.rita, account_name(), "", PASSWORD)
    over = account_name()
    with pytest.raises(Forbidden) as caught:
        services.create_account(world.rita, over, "", PASSWORD)
    assert caught.value.code == "account-limit"
    assert not user_exists(over)
    assert not HostingAccount.objects.filter(name=over).exists()
    assert services.list_accounts(world.rita).total == 3


def test_the_limit_counts_accounts_an_admin_assigned_to_the_reseller(world, account_name):
    world.rita.user.max_accounts = 1
    world.rita.user.save()
    with pytest.raises(Forbidden):
        services.create_account(world.admin, account_name(), "", PASSWORD, reseller="rita")


def test_the_admin_can_assign_an_account_to_a_reseller(world, account_name):
    name = account_name()
    account = services.create_account(world.admin, name, "", PASSWORD, reseller="rita")
    assert account.reseller == world.rita.user
    assert account.user.reseller == world.rita.user
    assert name in names(services.list_accounts(world.rita))


def test_a_reseller_suspends_and_unsuspends_their_customer(world):
    name = world.alice_account.name
    assert services.suspend_account(world.rita, name).state == State.SUSPENDED
    assert system_account(name)["suspended"] is True
    assert services.unsuspend_account(world.rita, name).state == State.ACTIVE
    assert system_account(name)["suspended"] is False
    actions = list(
        AuditEvent.objects.filter(target=name).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["account.create", "account.suspend", "account.unsuspend"]


def test_deleting_an_account_removes_the_user_and_the_login(world):
    name = world.alice_account.name
    services.delete_account(world.rita, name)
    assert not user_exists(name)
    assert not HostingAccount.objects.filter(name=name).exists()
    assert not type(world.alice.user).objects.filter(username=name).exists()
    assert AuditEvent.objects.filter(action="account.delete", target=name).exists()


def test_the_modules_hooks_run_in_the_order_of_modules_around_the_daemons_calls(world, monkeypatch):
    name = world.alice_account.name
    calls: list[tuple[str, ...]] = []

    def module(label: str) -> AccountHooks:
        def state_changed(actor: Actor, account: HostingAccount) -> None:
            calls.append((label, account.state, str(system_account(name)["suspended"])))

        @contextlib.contextmanager
        def removing(actor: Actor, account: HostingAccount) -> Iterator[None]:
            calls.append((label, "before", str(user_exists(name))))
            yield
            calls.append((label, "after", str(user_exists(name))))

        return AccountHooks(state_changed=state_changed, removing=removing)

    monkeypatch.setattr(hooks, "registered", lambda: (module("first"), module("second")))
    services.suspend_account(world.rita, name)
    services.delete_account(world.rita, name)
    # The daemon suspended the account before the hooks ran, and removed it inside them.
    assert calls == [
        ("first", State.SUSPENDED, "True"),
        ("second", State.SUSPENDED, "True"),
        ("first", "before", "True"),
        ("second", "before", "True"),
        ("second", "after", "False"),
        ("first", "after", "False"),
    ]


def test_a_hook_that_refuses_keeps_the_account_whole(world, monkeypatch):
    name = world.alice_account.name

    @contextlib.contextmanager
    def refusing(actor: Actor, account: HostingAccount) -> Iterator[None]:
        raise Conflict("the module keeps it")
        yield

    monkeypatch.setattr(hooks, "registered", lambda: (AccountHooks(removing=refusing),))
    with pytest.raises(Conflict):
        services.delete_account(world.rita, name)
    assert user_exists(name)
    assert HostingAccount.objects.filter(name=name).exists()
    assert not AuditEvent.objects.filter(action="account.delete", target=name).exists()


def test_a_refusal_by_the_daemon_rolls_the_panel_rows_back(world):
    # "postfix" is a valid name by pattern, but the daemon reserves it.
    with pytest.raises(ValidationFailed) as caught:
        services.create_account(world.admin, "postfix", "", PASSWORD)
    assert caught.value.code == "reserved-name"
    assert not HostingAccount.objects.filter(name="postfix").exists()
    assert not type(world.admin.user).objects.filter(username="postfix").exists()
    assert not AuditEvent.objects.filter(target="postfix").exists()


def test_an_account_made_outside_the_panel_is_not_adopted(world, account_name):
    name = account_name()
    with DaemonClient(SOCKET) as c:
        c.call("accounts.ensure", {"name": name, "suspended": True})
    with pytest.raises(Conflict):
        services.create_account(world.admin, name, "", PASSWORD)
    assert system_account(name)["suspended"] is True  # left exactly as it was


def test_a_taken_name_is_a_conflict(world):
    with pytest.raises(Conflict) as caught:
        services.create_account(world.admin, "rita", "", PASSWORD)
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    ("name", "email", "password", "field"),
    [
        ("Bad;Name", "", PASSWORD, "name"),
        ("a" * 33, "", PASSWORD, "name"),
        ("sctok\n", "", PASSWORD, "name"),
        ("sctok", "not-an-address", PASSWORD, "email"),
        ("sctok", "", "short", "password"),
        ("sctok", "", "123456789012345", "password"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, name, email, password, field):
    with pytest.raises(ValidationFailed) as caught:
        services.create_account(world.admin, name, email, password)
    assert caught.value.field == field
    assert not HostingAccount.objects.filter(name=name).exists()


def test_a_read_only_actor_changes_nothing(world, account_name):
    reader = Actor(world.admin.user, read_only=True)
    with pytest.raises(Forbidden):
        services.create_account(reader, account_name(), "", PASSWORD)
    for change in (
        services.suspend_account,
        services.unsuspend_account,
        services.delete_account,
    ):
        with pytest.raises(Forbidden) as caught:
            change(reader, world.bob_account.name)
        assert caught.value.code == "read-only"
    assert services.get_account(reader, world.bob_account.name).state == State.ACTIVE


def test_pages_split_the_list_and_report_the_total(world, account_name):
    for _ in range(2):
        services.create_account(world.admin, account_name(), "", PASSWORD)
    first = services.list_accounts(world.admin, search="sct", per_page=3)
    second = services.list_accounts(world.admin, search="sct", page=2, per_page=3)
    assert first.total == second.total == 4
    assert len(first.items) == 3
    assert len(second.items) == 1
    assert names(first).isdisjoint(names(second))
    assert isinstance(first.items[0].created_at, datetime)
    with pytest.raises(ValidationFailed):
        services.list_accounts(world.admin, per_page=1000)


# --- the admins' total: AccountTotal, kept by triggers ----------------------------------------


def seed(*names: str, reseller: User | None = None) -> None:
    """Accounts in the database only (no Linux users), written as bulk_create writes them."""
    users = User.objects.bulk_create(
        [User(username=n, role=Role.CUSTOMER, reseller=reseller) for n in names]
    )
    plan = plans.default_plan()
    HostingAccount.objects.bulk_create(
        [HostingAccount(name=u.username, user=u, reseller=reseller, plan=plan) for u in users]
    )


def totals(actor: Actor) -> tuple[int, int, int]:
    """What the list and the dashboard say, and what COUNT(*) says."""
    listed = services.list_accounts(actor).total
    return listed, services.counts(actor).accounts, HostingAccount.objects.count()


def test_the_admins_total_follows_every_way_of_writing_accounts():
    admin = Actor(make_user("admin", Role.ADMIN))
    start = HostingAccount.objects.count()
    seed("tot1", "tot2", "tot3")
    assert totals(admin) == (start + 3,) * 3
    HostingAccount.objects.filter(name="tot1").delete()
    assert totals(admin) == (start + 2,) * 3

    def change_and_fail() -> None:
        with transaction.atomic():
            seed("tot4")
            HostingAccount.objects.filter(name="tot2").delete()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        change_and_fail()
    assert totals(admin) == (start + 2,) * 3
    assert AccountTotal.objects.get(id=1).count == start + 2


def test_an_admins_unfiltered_list_counts_no_rows():
    admin = Actor(make_user("admin", Role.ADMIN))
    seed("tot1", "tot2")
    with CaptureQueriesContext(connection) as queries:
        listed = services.list_accounts(admin)
    # The page and its total in one statement.
    assert len(queries) == 1
    assert listed.total == HostingAccount.objects.count()
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    # A page past the end has no row to carry the total: it is read on its own.
    past = services.list_accounts(admin, page=1000)
    assert (past.items, past.total) == ([], listed.total)
    # Filtered lists and other roles' lists are counted as before.
    with CaptureQueriesContext(connection) as queries:
        assert services.list_accounts(admin, search="tot1").total == 1
    assert [q for q in queries if "COUNT(" in q["sql"].upper()]


def test_a_resellers_total_is_their_own_accounts_only():
    rita = Actor(make_user("rita", Role.RESELLER))
    seed("tot1", "tot2", reseller=rita.user)
    seed("tot3")
    assert services.list_accounts(rita).total == 2
    assert services.counts(rita).accounts == 2


# --- the unfiltered list's written-out SQL (core/rows.py) ------------------------------------


def orm_page(actor: Actor, page: int, per_page: int) -> list[services.AccountRow]:
    """The same page as the ORM reads it: the definition the SQL must match."""
    visible = owned_by_visible_accounts(actor, HostingAccount.objects.all(), via="")
    found = visible.select_related("user", "reseller", "plan").order_by("name")
    start = (page - 1) * per_page
    return [
        services.AccountRow(
            a.name,
            a.user.email,
            a.reseller.username if a.reseller else None,
            a.state,
            a.login_shell,
            a.created_at,
            a.plan.name,
        )
        for a in found[start : start + per_page]
    ]


def test_every_roles_unfiltered_pages_are_what_the_orm_reads():
    admin = Actor(make_user("admin", Role.ADMIN))
    rita = Actor(make_user("rita", Role.RESELLER))
    seed("pg1", "pg2", "pg3", "pg4", "pg5", reseller=rita.user)
    seed("pg6", "pg0")
    HostingAccount.objects.filter(name="pg2").update(state=State.SUSPENDED, login_shell=True)
    gold = plans.create_plan(admin, plans.PlanValues("Gold"))
    HostingAccount.objects.filter(name="pg5").update(plan=gold)
    User.objects.filter(username="pg3").update(email="pg3@example.test")
    alice = Actor(User.objects.get(username="pg4"))
    for actor in (admin, rita, alice):
        for per_page in (2, 3, 100):
            for page in (1, 2, 3, 4):
                listed = services.list_accounts(actor, page=page, per_page=per_page)
                assert listed.items == orm_page(actor, page, per_page), (actor, page, per_page)
    # What the ORM gives, typed as it types it: aware datetimes, booleans.
    row = services.list_accounts(admin, per_page=100).items[0]
    assert row.created_at.tzinfo is not None
    assert isinstance(row.login_shell, bool)
    assert [r.name for r in services.list_accounts(alice).items] == ["pg4"]
    assert services.list_accounts(rita, page=3, per_page=2).items[0].reseller == "rita"
