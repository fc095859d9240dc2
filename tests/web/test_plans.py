"""Hosting plans: who makes and assigns which plan, and the limits the modules claim against
(sites, aliases and zones, through the real daemon and PowerDNS)."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.db import close_old_connections, transaction
from django.db.models import QuerySet

from supercp.protocol.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supercp.protocol.web import PhpLimits
from supercp.web.accounts import services as accounts
from supercp.web.accounts.models import HostingAccount
from supercp.web.core.authz import Actor
from supercp.web.core.models import AuditEvent, Role
from supercp.web.dns import services as dns
from supercp.web.dns.services import NewZone
from supercp.web.plans import limits, usage
from supercp.web.plans import services as plans
from supercp.web.plans.models import Plan
from supercp.web.plans.services import PlanValues
from supercp.web.sites import services as sites
from supercp.web.sites.models import Site
from supercp.web.sites.services import NewSite
from tests.web.conftest import PASSWORD, make_user


def domain() -> str:
    return f"plan-{secrets.token_hex(4)}.example.test"


def on_plan(world, account, **limits: Any) -> Plan:
    """A server plan with ``limits``, given to ``account`` by the admin."""
    plan = plans.create_plan(world.admin, PlanValues(f"p{secrets.token_hex(3)}", **limits))
    plans.set_plan(world.admin, account.name, plan.name)
    return plan


def test_every_new_account_starts_on_the_servers_default_plan(world):
    assert world.bob_account.plan.is_default
    assert world.bob_account.plan == world.alice_account.plan == plans.default_plan()
    assert plans.default_plan().shell_access


def test_a_plan_refuses_the_zone_past_its_limit_naming_the_limit(world, zone_name):
    on_plan(world, world.bob_account, dns_zones=1)
    dns.create_zone(world.bob, NewZone(zone_name()))
    with pytest.raises(Forbidden) as refused:
        dns.create_zone(world.bob, NewZone(zone_name()))
    assert refused.value.code == "limit-reached"
    assert refused.value.details == {"limit": "dns_zones", "allowed": 1, "used": 1}
    assert dns.counts(world.bob) == 1


@pytest.mark.usefixtures("sites_cleanup")
def test_a_plan_refuses_the_site_and_the_aliases_past_its_limits(world):
    on_plan(world, world.bob_account, sites=1, aliases=1)
    account = world.bob_account.name
    first = domain()
    with pytest.raises(Forbidden) as refused:
        sites.create_site(
            world.admin, NewSite(first, account=account, aliases=[f"a.{first}", f"b.{first}"])
        )
    assert refused.value.details["limit"] == "aliases"
    sites.create_site(world.admin, NewSite(first, account=account, aliases=[f"a.{first}"]))
    with pytest.raises(Forbidden) as refused:
        sites.create_site(world.admin, NewSite(domain(), account=account))
    assert refused.value.details == {"limit": "sites", "allowed": 1, "used": 1}
    with pytest.raises(Forbidden) as refused:
        sites.update_site(world.admin, first, aliases=[f"a.{first}", f"b.{first}"])
    assert refused.value.details["limit"] == "aliases"
    assert Site.objects.filter(account=world.bob_account).count() == 1


# Committed rows, which the other threads see (tests/web/conftest.py runs it last).
@pytest.mark.django_db(transaction=True)
def test_two_zones_at_the_last_slot_at_once_one_wins(world, zone_name):
    on_plan(world, world.bob_account, dns_zones=1)
    names = [zone_name(), zone_name()]
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def create(name: str) -> None:
        try:
            start.wait()
            dns.create_zone(world.bob, NewZone(name))
            outcomes[name] = "created"
        except Forbidden as err:
            outcomes[name] = err.code
        finally:
            close_old_connections()

    threads = [threading.Thread(target=create, args=(n,)) for n in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["created", "limit-reached"]
    assert dns.counts(world.bob) == 1


# Committed rows, which the other threads see (tests/web/conftest.py runs it last).
@pytest.mark.django_db(transaction=True)
def test_claims_at_the_last_slot_count_one_after_the_other(world, monkeypatch):
    # A module's objects stood in for by audit events: nothing else orders the two claims.
    def ftp_users(accounts: QuerySet[HostingAccount]) -> int:
        names = list(accounts.values_list("name", flat=True))
        return AuditEvent.objects.filter(action="test.ftp-user", target__in=names).count()

    monkeypatch.setitem(usage.counters(), "ftp_users", ftp_users)
    on_plan(world, world.bob_account, ftp_users=1)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def create() -> None:
        try:
            start.wait()
            with transaction.atomic():
                limits.claim(world.bob_account, "ftp_users")
                AuditEvent.objects.create(action="test.ftp-user", target=world.bob_account.name)
                # Long enough for the other claim to count, were it not waiting.
                time.sleep(0.3)
            outcomes.append("created")
        except Forbidden as err:
            outcomes.append(err.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "limit-reached"]


def test_moving_to_a_plan_below_what_the_account_uses_is_refused(world, zone_name):
    dns.create_zone(world.bob, NewZone(zone_name()))
    dns.create_zone(world.bob, NewZone(zone_name()))
    small = plans.create_plan(world.admin, PlanValues("Small", dns_zones=1))
    with pytest.raises(Conflict) as refused:
        plans.set_plan(world.admin, world.bob_account.name, small.name)
    assert (refused.value.code, refused.value.details) == ("over-plan", {"limits": ["dns_zones"]})
    world.bob_account.refresh_from_db()
    assert world.bob_account.plan.is_default
    with pytest.raises(Conflict):
        plans.update_plan(
            world.admin, plans.default_plan().name, PlanValues("Unlimited", dns_zones=1)
        )


def test_a_customer_cannot_change_its_plan(world):
    plan = plans.create_plan(world.admin, PlanValues("Gold"))
    with pytest.raises(Forbidden):
        plans.set_plan(world.bob, world.bob_account.name, plan.name)
    with pytest.raises(Forbidden):
        plans.create_plan(world.bob, PlanValues("Mine"))


def test_a_customer_sees_only_its_own_plan(world):
    plans.create_plan(world.admin, PlanValues("Gold"))
    assert [p.name for p in plans.list_plans(world.bob)] == [plans.default_plan().name]


def test_a_reseller_cannot_make_a_plan_above_its_totals(world):
    totals = plans.create_plan(world.admin, PlanValues("Rita", sites=10, dns_zones=5))
    plans.set_totals(world.admin, world.rita.user.username, totals.name)
    with pytest.raises(Forbidden) as refused:
        plans.create_plan(world.rita, PlanValues("Big", sites=20, dns_zones=5))
    assert (refused.value.code, refused.value.field) == ("over-totals", "sites")
    # Unlimited promises more than any total.
    with pytest.raises(Forbidden) as refused:
        plans.create_plan(world.rita, PlanValues("Open", sites=5))
    assert refused.value.field == "dns_zones"
    made = plans.create_plan(world.rita, PlanValues("Basic", sites=5, dns_zones=5))
    assert made.owner == world.rita.user
    # Totals below a plan the reseller made are refused too.
    smaller = plans.create_plan(world.admin, PlanValues("Less", sites=2, dns_zones=5))
    with pytest.raises(Conflict) as too_small:
        plans.set_totals(world.admin, world.rita.user.username, smaller.name)
    assert too_small.value.details == {"limits": ["Basic: sites"]}


def test_a_reseller_assigns_only_its_own_plans(world):
    theirs = plans.create_plan(world.rita, PlanValues("Rita basic"))
    sam = Actor(make_user("sam", Role.RESELLER))
    sams = plans.create_plan(sam, PlanValues("Sam basic"))
    server = plans.create_plan(world.admin, PlanValues("Server basic"))
    alice = world.alice_account.name
    for name in (sams.name, server.name):
        with pytest.raises(NotFound):
            plans.set_plan(world.rita, alice, name)
    assert plans.set_plan(world.rita, alice, theirs.name) == theirs
    # Nor can an admin give rita's customer another reseller's plan.
    with pytest.raises(Forbidden) as refused:
        plans.set_plan(world.admin, alice, sams.name, reseller="sam")
    assert refused.value.code == "foreign-plan"
    # Nor rita touch bob, whom the admins manage.
    with pytest.raises(NotFound):
        plans.set_plan(world.rita, world.bob_account.name, theirs.name)


def test_a_resellers_totals_hold_for_all_its_accounts_together(world, zone_name, account_name):
    totals = plans.create_plan(world.admin, PlanValues("Rita", dns_zones=1))
    plans.set_totals(world.admin, world.rita.user.username, totals.name)
    mine = plans.create_plan(world.rita, PlanValues("Rita one", dns_zones=1))
    plans.set_plan(world.rita, world.alice_account.name, mine.name)
    carol = accounts.create_account(
        world.rita, account_name(), "carol@example.test", PASSWORD, plan=mine.name
    )
    dns.create_zone(world.alice, NewZone(zone_name()))
    with pytest.raises(Forbidden) as refused:
        dns.create_zone(world.rita, NewZone(zone_name(), account=carol.name))
    assert refused.value.code == "limit-reached"
    assert "reseller's totals" in refused.value.message


def test_a_reseller_with_totals_must_name_the_plan_of_a_new_account(world, account_name):
    totals = plans.create_plan(world.admin, PlanValues("Rita", sites=3))
    plans.set_totals(world.admin, world.rita.user.username, totals.name)
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_account(world.rita, account_name(), "c@example.test", PASSWORD)
    assert (refused.value.code, refused.value.field) == ("plan-required", "plan")


def test_a_plan_without_shell_access_refuses_a_login_shell(world, account_name):
    plans.create_plan(world.admin, PlanValues("No shell"))
    with pytest.raises(Forbidden) as refused:
        accounts.create_account(
            world.admin, account_name(), "", PASSWORD, login_shell=True, plan="No shell"
        )
    assert (refused.value.code, refused.value.field) == ("limit-reached", "login_shell")


@pytest.mark.usefixtures("sites_cleanup")
def test_a_site_gets_at_most_the_plans_php_limits_and_versions(world):
    on_plan(
        world,
        world.bob_account,
        php_versions=("8.2",),
        php_max_children=3,
        php_memory_limit_mb=128,
    )
    account = world.bob_account.name
    site = sites.create_site(world.admin, NewSite(domain(), account=account))
    assert (site.limits.max_children, site.limits.memory_limit_mb) == (3, 128)
    with pytest.raises(Forbidden) as refused:
        sites.update_site(world.admin, site.domain, limits=PhpLimits(memory_limit_mb=512))
    assert (refused.value.code, refused.value.field) == ("limit-reached", "limits")
    # A plan that offers only a version this server lacks: the installed one is refused.
    on_plan(world, world.alice_account, php_versions=("8.99",))
    new = NewSite(domain(), account=world.alice_account.name)
    with pytest.raises(Forbidden) as refused:
        sites.create_site(world.admin, new)
    assert (refused.value.code, refused.value.field) == ("limit-reached", "php")
    # A static site needs no PHP at all.
    assert sites.create_site(world.admin, replace(new, php=None)).php is None


@pytest.mark.usefixtures("sites_cleanup")
def test_a_smaller_plan_lowers_the_sites_php_limits_at_once(world):
    account = world.bob_account.name
    big = PhpLimits(max_children=10, memory_limit_mb=1024)
    site = sites.create_site(world.admin, NewSite(domain(), account=account, limits=big))
    assert site.limits.memory_limit_mb == 1024
    on_plan(world, world.bob_account, php_max_children=4, php_memory_limit_mb=256)
    site.refresh_from_db()
    assert site.limits == big.model_copy(update={"max_children": 4, "memory_limit_mb": 256})
    # The daemon re-applied the site: its pool file has the lowered limits.
    (pool,) = Path("/etc/php/8.2/fpm/supercp").glob(f"*/{site.domain}.conf")
    text = pool.read_text()
    assert "pm.max_children = 4\n" in text
    assert "php_admin_value[memory_limit] = 256M\n" in text


def test_a_plan_in_use_or_the_default_cannot_be_deleted(world):
    used = on_plan(world, world.bob_account)
    for name in (used.name, plans.default_plan().name):
        with pytest.raises(Conflict) as refused:
            plans.delete_plan(world.admin, name)
        assert refused.value.code == "plan-in-use"
    spare = plans.create_plan(world.admin, PlanValues("Spare"))
    plans.delete_plan(world.admin, spare.name)
    assert not Plan.objects.filter(pk=spare.pk).exists()


def test_a_taken_name_or_a_bad_limit_is_refused_naming_the_field(world):
    plans.create_plan(world.admin, PlanValues("Gold"))
    with pytest.raises(Conflict) as refused:
        plans.create_plan(world.admin, PlanValues("Gold"))
    assert refused.value.code == "plan-exists"
    # A reseller's plan of the same name is its own.
    plans.create_plan(world.rita, PlanValues("Gold"))
    for values, field in [
        (PlanValues("Bad", sites=-1), "sites"),
        (PlanValues("Bad", php_versions=("8.2;id",)), "php_versions"),
        (PlanValues("Bad", php_max_children=999), "php_max_children"),
        (PlanValues("<b>"), "name"),
        (
            PlanValues("Bad", mailbox_quota_default_mb=9, mailbox_quota_max_mb=5),
            "mailbox_quota_default_mb",
        ),
    ]:
        with pytest.raises(ValidationFailed) as invalid:
            plans.create_plan(world.admin, values)
        assert invalid.value.field == field


def test_usage_counts_what_the_account_holds(world, zone_name):
    dns.create_zone(world.bob, NewZone(zone_name()))
    plan, rows = plans.usage_of(world.bob, world.bob_account.name)
    by_limit = {row.limit: (row.allowed, row.used) for row in rows}
    assert plan.is_default
    assert by_limit["dns_zones"] == (None, 1)
    assert by_limit["sites"] == (None, 0)
    # No module counts mailboxes yet.
    assert by_limit["mailboxes"] == (None, None)
    # The daemon measured the home (a new one: a few KiB, rounded up to a MiB).
    assert by_limit["disk_mb"][0] is None
    assert by_limit["disk_mb"][1] == 1
    with pytest.raises(NotFound):
        plans.usage_of(world.alice, world.bob_account.name)


@pytest.mark.usefixtures("sites_cleanup")
def test_a_plan_without_the_php_version_a_site_runs_is_refused(world):
    sites.create_site(world.admin, NewSite(domain(), account=world.bob_account.name))
    other = plans.create_plan(world.admin, PlanValues("Newer PHP", php_versions=("8.99",)))
    with pytest.raises(Conflict) as refused:
        plans.set_plan(world.admin, world.bob_account.name, other.name)
    assert refused.value.details == {"limits": ["php_versions"]}


@pytest.mark.usefixtures("sites_cleanup")
def test_lowering_a_plans_php_limits_lowers_its_sites_at_once(world):
    plan = on_plan(world, world.bob_account, php_max_children=8)
    site = sites.create_site(
        world.admin,
        NewSite(domain(), account=world.bob_account.name, limits=PhpLimits(max_children=8)),
    )
    plans.update_plan(world.admin, plan.name, PlanValues(plan.name, php_max_children=2))
    site.refresh_from_db()
    assert site.limits.max_children == 2
    (pool,) = Path("/etc/php/8.2/fpm/supercp").glob(f"*/{site.domain}.conf")
    assert "pm.max_children = 2\n" in pool.read_text()


def test_only_an_admin_makes_a_server_plan_the_default(world):
    gold = plans.create_plan(world.admin, PlanValues("Gold"))
    before = plans.default_plan()
    plans.update_plan(world.admin, "Gold", PlanValues("Gold"), make_default=True)
    assert plans.default_plan() == gold
    before.refresh_from_db()
    assert not before.is_default
    plans.create_plan(world.rita, PlanValues("Ritas"))
    with pytest.raises(Forbidden):
        plans.update_plan(world.rita, "Ritas", PlanValues("Ritas"), make_default=True)
    with pytest.raises(Forbidden):
        plans.update_plan(
            world.admin, "Ritas", PlanValues("Ritas"), reseller="rita", make_default=True
        )
