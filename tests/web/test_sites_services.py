"""sites/services.py for every role: hostile input without the daemon, the rest against it."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from supercp.protocol.client import DaemonClient
from supercp.protocol.errors import Conflict, Forbidden, NotFound, ValidationFailed
from supercp.protocol.web import PhpLimits
from supercp.web.accounts import services as accounts
from supercp.web.core.models import AuditEvent
from supercp.web.sites import bulk, services
from supercp.web.sites.models import Site, SiteHost, State
from supercp.web.sites.services import NewSite
from tests.web.conftest import SOCKET

DAEMON_LOG = Path("/var/log/supercp/daemon.log")
# A new site's entry for nginx's default server, there until its own block is loaded.
ENTRIES = Path("/var/lib/supercp/web/new")

pytestmark = pytest.mark.usefixtures("sites_cleanup")

# Every kind of hostile or malformed input the issue names, for every field.
HOSTILE_NAMES = [
    "example.com; rm -rf /",
    "$(reboot).example.com",
    "`id`.example.com",
    "a|b.example.com",
    "example.com\r\nHost: evil",
    "example.com\n",
    "exa\x00mple.com",
    "example.com{}",
    "{ return 444; }",
    "example.com;",
    "../../etc/passwd",
    "/etc/nginx",
    "a" * 64 + ".com",
    ".".join(["a" * 60] * 5),
    "example..com",
    "-example.com",
    "example-.com",
    "localhost",
    "1.2.3.4",
    "exa mple.com",
    "example.com.",
    "*.example.com",
    "",
]
HOSTILE_DOCROOTS = [
    "../other",
    "public/../../bob",
    "/etc",
    "/home/bob/public",
    ".ssh",
    "public;rm -rf ~",
    "public\nlisten 80",
    "pub\x00lic",
    "public{}",
    "$HOME",
    "a/" * 9 + "a",
    "a" * 65,
    "public/",
    "public//x",
]
HOSTILE_PHP = ["8.2;id", "8.2\n", "../8.2", "8", "82", "8.2.1", "php8.2", "{8.2}", "\x008.2", ""]


def domain(prefix: str = "site") -> str:
    return f"{prefix}-{secrets.token_hex(4)}.example.test"


def nothing_written(before: tuple[int, int, int]) -> bool:
    return (Site.objects.count(), SiteHost.objects.count(), AuditEvent.objects.count()) == before


def counts() -> tuple[int, int, int]:
    return (Site.objects.count(), SiteHost.objects.count(), AuditEvent.objects.count())


# --- input refused before anything is written or the daemon is asked -----------------------------


@pytest.mark.parametrize("bad", HOSTILE_NAMES)
def test_a_hostile_domain_is_refused_naming_the_field(world, no_daemon, bad):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_site(world.admin, NewSite(bad, account=world.bob_account.name))
    assert caught.value.field == "domain"
    assert nothing_written(before)
    assert no_daemon == []


@pytest.mark.parametrize("bad", HOSTILE_NAMES)
def test_a_hostile_alias_is_refused_naming_the_field(world, no_daemon, bad):
    before = counts()
    new = NewSite(domain(), account=world.bob_account.name, aliases=["ok.example.test", bad])
    with pytest.raises(ValidationFailed) as caught:
        services.create_site(world.admin, new)
    assert caught.value.field == "aliases"
    assert nothing_written(before)


def test_a_public_suffix_is_no_customers_site_or_alias(world, no_daemon):
    before = counts()
    for new, field in (
        (NewSite("co.uk"), "domain"),
        (NewSite(domain(), aliases=["github.io"]), "aliases"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            services.create_site(world.alice, new)
        assert (caught.value.code, caught.value.field) == ("public-suffix", field)
    assert nothing_written(before)
    assert no_daemon == []


@pytest.mark.parametrize("bad", HOSTILE_DOCROOTS)
def test_a_hostile_docroot_is_refused_naming_the_field(world, no_daemon, bad):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_site(
            world.admin, NewSite(domain(), account=world.bob_account.name, docroot=bad)
        )
    assert caught.value.field == "docroot"
    assert nothing_written(before)


@pytest.mark.parametrize("bad", HOSTILE_PHP)
def test_a_hostile_php_version_is_refused_naming_the_field(world, no_daemon, bad):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_site(
            world.admin, NewSite(domain(), account=world.bob_account.name, php=bad)
        )
    assert caught.value.field == "php"
    assert nothing_written(before)


def test_too_many_aliases_are_refused(world, no_daemon):
    aliases = [f"a{i}.example.test" for i in range(51)]
    with pytest.raises(ValidationFailed) as caught:
        services.create_site(
            world.admin, NewSite(domain(), account=world.bob_account.name, aliases=aliases)
        )
    assert caught.value.field == "aliases"


def test_the_domain_cannot_be_its_own_alias(world, no_daemon):
    name = domain()
    with pytest.raises(ValidationFailed) as caught:
        services.create_site(
            world.admin, NewSite(name, account=world.bob_account.name, aliases=[name.upper()])
        )
    assert caught.value.field == "aliases"


def test_a_read_only_actor_cannot_create(world, no_daemon):
    with pytest.raises(Forbidden) as caught:
        services.create_site(
            replace(world.admin, read_only=True), NewSite(domain(), account=world.bob_account.name)
        )
    assert caught.value.code == "read-only"


def test_alice_cannot_create_a_site_in_bobs_account(world, no_daemon):
    before = counts()
    with pytest.raises(NotFound) as caught:
        services.create_site(world.alice, NewSite(domain(), account=world.bob_account.name))
    assert caught.value.field == "account"
    assert nothing_written(before)


def test_a_reseller_cannot_create_a_site_in_another_resellers_account(world, no_daemon):
    with pytest.raises(NotFound):
        services.create_site(world.rita, NewSite(domain(), account=world.bob_account.name))


def test_an_admin_must_name_the_account(world, no_daemon):
    with pytest.raises(ValidationFailed) as caught:
        services.create_site(world.admin, NewSite(domain()))
    assert caught.value.field == "account"


def test_a_customer_cannot_set_php_limits(world, no_daemon):
    with pytest.raises(Forbidden) as caught:
        services.create_site(world.alice, NewSite(domain(), limits=PhpLimits(max_children=64)))
    assert caught.value.field == "limits"


# --- against the daemon ---------------------------------------------------------------------------


def test_creating_a_site_applies_it_and_records_it(world):
    name = domain()
    site = services.create_site(
        world.admin, NewSite(name, account=world.bob_account.name, www=True)
    )
    assert site.domain == name
    assert services.aliases_of(site) == [f"www.{name}"]
    assert site.state == State.ACTIVE
    home = f"/{world.bob_account.name}/"
    assert site.document_root.endswith(f"sites/{name}/public")
    assert home in site.document_root
    with DaemonClient(SOCKET) as c:
        applied = {s["domain"]: s for s in c.call("web.site.list")["sites"]}
    assert applied[name]["account"] == world.bob_account.name
    assert applied[name]["aliases"] == [f"www.{name}"]
    event = AuditEvent.objects.get(action="site.create", target=name)
    assert event.actor == world.admin.user


def test_an_idn_is_stored_in_a_label_form(world):
    site = services.create_site(
        world.admin, NewSite("Bücher-Test.Example", account=world.bob_account.name)
    )
    assert site.domain == "xn--bcher-test-9db.example"
    assert services.get_site(world.admin, "bücher-test.example") == site
    assert services.list_sites(world.admin, search="bücher").total == 1


def test_a_customer_creates_a_site_in_their_own_account(world):
    site = services.create_site(world.alice, NewSite(domain("alice")))
    assert site.account == world.alice_account


def test_a_domain_exists_once_on_the_server(world):
    name = domain()
    services.create_site(world.admin, NewSite(name, account=world.bob_account.name, www=True))
    before = counts()
    for new, field in (
        (NewSite(name, account=world.alice_account.name), "domain"),
        (NewSite(f"www.{name}", account=world.alice_account.name), "domain"),
        (NewSite(domain(), account=world.alice_account.name, aliases=[name]), "aliases"),
    ):
        with pytest.raises(Conflict) as caught:
            services.create_site(world.rita, new)
        assert (caught.value.code, caught.value.field) == ("domain-taken", field)
    assert nothing_written(before)


def test_visibility_follows_the_accounts(world):
    bobs = services.create_site(world.admin, NewSite(domain("bob"), account=world.bob_account.name))
    alices = services.create_site(
        world.rita, NewSite(domain("alice"), account=world.alice_account.name)
    )
    assert {s.domain for s in services.list_sites(world.admin).items} == {
        bobs.domain,
        alices.domain,
    }
    assert [s.domain for s in services.list_sites(world.rita).items] == [alices.domain]
    assert [s.domain for s in services.list_sites(world.alice).items] == [alices.domain]
    assert [s.domain for s in services.list_sites(world.bob).items] == [bobs.domain]
    # Neither by name, nor by search, nor by the account filter.
    for who in (world.alice, world.rita):
        with pytest.raises(NotFound) as caught:
            services.get_site(who, bobs.domain)
        with pytest.raises(NotFound) as missing:
            services.get_site(who, "nosuchsite.example.test")
        assert (caught.value.code, caught.value.field) == (missing.value.code, missing.value.field)
        for search in (bobs.domain, "bob", world.bob_account.name, "example"):
            assert bobs.domain not in {s.domain for s in services.list_sites(who, search).items}
        assert services.list_sites(who, account=world.bob_account.name).total == 0


def test_alice_cannot_change_or_delete_bobs_site(world):
    bobs = services.create_site(world.admin, NewSite(domain("bob"), account=world.bob_account.name))
    changes: list[Callable[[], object]] = [
        lambda: services.update_site(world.alice, bobs.domain, php=None),
        lambda: services.suspend_site(world.alice, bobs.domain),
        lambda: services.unsuspend_site(world.alice, bobs.domain),
        lambda: services.delete_site(world.alice, bobs.domain),
        lambda: services.site_logs(world.alice, bobs.domain),
    ]
    for change in changes:
        with pytest.raises((NotFound, Forbidden)):
            change()
    assert Site.objects.get(pk=bobs.pk).state == State.ACTIVE


def test_a_customer_cannot_suspend_their_own_site(world):
    site = services.create_site(world.alice, NewSite(domain("alice")))
    with pytest.raises(Forbidden):
        services.suspend_site(world.alice, site.domain)


def test_update_suspend_and_delete(world):
    name = domain()
    services.create_site(world.rita, NewSite(name, account=world.alice_account.name))
    site = services.update_site(
        world.alice, name, aliases=[f"www.{name}", f"shop.{name}"], redirect_aliases=True
    )
    assert services.aliases_of(site) == [f"shop.{name}", f"www.{name}"]
    assert site.redirect_aliases
    site = services.update_site(world.alice, name, aliases=[f"shop.{name}"], docroot="web/x")
    assert services.aliases_of(site) == [f"shop.{name}"]
    assert site.document_root.endswith("/web/x")
    assert not SiteHost.objects.filter(name=f"www.{name}").exists()
    assert services.suspend_site(world.rita, name).state == State.SUSPENDED
    with DaemonClient(SOCKET) as c:
        applied = {s["domain"]: s for s in c.call("web.site.list")["sites"]}
    assert applied[name]["suspended"] is True
    assert services.unsuspend_site(world.rita, name).state == State.ACTIVE
    services.delete_site(world.alice, name, remove_files=True)
    assert not Site.objects.filter(domain=name).exists()
    assert not SiteHost.objects.filter(site_id=site.pk).exists()
    with DaemonClient(SOCKET) as c:
        assert name not in {s["domain"] for s in c.call("web.site.list")["sites"]}
    actions = list(
        AuditEvent.objects.filter(target=name).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "site.create",
        "site.update",
        "site.update",
        "site.suspend",
        "site.unsuspend",
        "site.delete",
    ]


def test_a_php_version_that_is_not_installed_is_refused(world):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_site(
            world.admin, NewSite(domain(), account=world.bob_account.name, php="5.1")
        )
    assert (caught.value.code, caught.value.field) == ("php-not-installed", "php")
    assert nothing_written(before)


def test_the_default_php_is_panel_tomls_if_installed_else_the_newest(world, settings, caplog):
    installed = services.php_versions(world.admin).versions
    assert installed, "no PHP-FPM installed: the installer provides one"
    settings.SUPERCP_DEFAULT_PHP = installed[-1]
    assert services.php_versions(world.admin).default == installed[-1]
    site = services.create_site(world.admin, NewSite(domain(), account=world.bob_account.name))
    assert site.php == installed[-1]
    # A version since removed from the server does not stop sites from being made.
    settings.SUPERCP_DEFAULT_PHP = "5.1"
    assert services.php_versions(world.admin).default == installed[0]
    assert "default_php 5.1 is not installed" in caplog.text


def test_suspending_the_account_suspends_its_sites(world):
    name = domain()
    services.create_site(world.rita, NewSite(name, account=world.alice_account.name))
    accounts.suspend_account(world.rita, world.alice_account.name)
    site = services.get_site(world.rita, name)
    assert site.state == State.ACTIVE  # its own state is kept
    assert services.is_served_suspended(site)
    with DaemonClient(SOCKET) as c:
        applied = {s["domain"]: s for s in c.call("web.site.list")["sites"]}
    assert applied[name]["suspended"] is True
    accounts.unsuspend_account(world.rita, world.alice_account.name)
    with DaemonClient(SOCKET) as c:
        applied = {s["domain"]: s for s in c.call("web.site.list")["sites"]}
    assert applied[name]["suspended"] is False


def test_deleting_the_account_removes_its_sites_first(world):
    name = domain()
    services.create_site(world.rita, NewSite(name, account=world.alice_account.name))
    accounts.delete_account(world.rita, world.alice_account.name)
    assert not Site.objects.filter(domain=name).exists()
    with DaemonClient(SOCKET) as c:
        assert name not in {s["domain"] for s in c.call("web.site.list")["sites"]}


def test_deleting_an_account_takes_all_its_sites_off_nginx_in_one_reload(world):
    names = [domain() for _ in range(3)]
    for name in names:
        services.create_site(world.rita, NewSite(name, account=world.alice_account.name))
    # Until their own blocks are loaded, the reloads that create them are still to come.
    deadline = time.monotonic() + 30
    while any((ENTRIES / name).exists() for name in names):
        assert time.monotonic() < deadline, "the new sites' blocks were not loaded"
        time.sleep(0.01)
    start = DAEMON_LOG.stat().st_size
    accounts.delete_account(world.rita, world.alice_account.name)
    with DAEMON_LOG.open("rb") as log:
        log.seek(start)
        lines = log.read().decode().splitlines()
    reloads = [line for line in lines if "nginx: reload #" in line]
    assert len(reloads) == 1, reloads
    assert "with 3 change(s)" in reloads[0]
    audited = AuditEvent.objects.filter(action="site.delete", target__in=names)
    assert sorted(audited.values_list("target", flat=True)) == sorted(names)


def test_rebuild_reapplies_every_site_in_batches(world):
    made = [
        services.create_site(world.admin, NewSite(domain(), account=world.bob_account.name))
        for _ in range(3)
    ]
    done = []
    for step in bulk.rebuild(world.admin, batch=2):
        done.append(step.done)
    assert (step.total, step.failed) == (3, [])
    assert done == [0, 2, 3]
    one = list(bulk.rebuild(world.admin, made[0].domain))[-1]
    assert (one.total, one.done) == (1, 1)
    with pytest.raises(Forbidden):
        list(bulk.rebuild(world.rita))
