"""dns/ownership.claiming: requests that take names inside or above each other run one
after the other, from their checks until their commit; siblings do not wait."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.db import connections

from supercp.web.dns import ownership
from supercp.web.dns import services as dns
from supercp.web.dns.services import NewZone
from supercp.web.sites import services as sites
from supercp.web.sites.services import NewSite


class Claim:
    """A claim held in a thread of its own (its own connection, committing for real)."""

    def __init__(self, *names: str) -> None:
        self.inside = threading.Event()
        self.leave = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(names,), daemon=True)
        self.thread.start()

    def _run(self, names: tuple[str, ...]) -> None:
        try:
            with ownership.claiming(names):
                self.inside.set()
                self.leave.wait(10)
        finally:
            connections.close_all()

    def done(self) -> None:
        self.leave.set()
        self.thread.join(10)


@pytest.fixture
def claim() -> Iterator[Callable[..., Claim]]:
    """Claims in threads, all let go of and joined after the test, however it ended."""
    made: list[Claim] = []

    def start(*names: str) -> Claim:
        made.append(Claim(*names))
        return made[-1]

    yield start
    for held in made:
        held.done()


def test_claims_inside_or_above_each_other_wait_and_siblings_do_not(claim):
    first = claim("shop.claims.test")
    assert first.inside.wait(10)
    # Another name below the same parent, and an unrelated one: at once.
    sibling, other = claim("blog.claims.test"), claim("elsewhere.test")
    assert sibling.inside.wait(5)
    assert other.inside.wait(5)
    # A name below the first waits for it.
    below = claim("www.shop.claims.test")
    time.sleep(0.3)
    assert not below.inside.is_set()
    first.done()
    assert below.inside.wait(5)
    # The parent waits for every claim below it.
    parent = claim("claims.test")
    for held in (below, sibling):
        time.sleep(0.3)
        assert not parent.inside.is_set()
        held.done()
    assert parent.inside.wait(5)
    parent.done()
    other.done()


def test_a_claim_inside_a_claim_of_the_same_names_does_not_wait_for_itself():
    done = threading.Event()

    def nested() -> None:
        try:
            with ownership.claiming(["x.nested.test"]), ownership.claiming(["nested.test"]):
                done.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    try:
        assert done.wait(5)
    finally:
        # Joined before the test's teardown: left running, the thread would leave its
        # transaction while the next test sets up, which Django refuses.
        thread.join(10)
    assert not thread.is_alive()


@pytest.fixture
def claims(monkeypatch) -> list[set[str]]:
    """The names each check ran under: the claims open at that moment."""
    open_claims: list[set[str]] = []
    claiming = ownership.claiming

    @contextlib.contextmanager
    def recorded(names) -> Iterator[None]:
        names = set(names)
        with claiming(names):
            open_claims.append(names)
            try:
                yield
            finally:
                open_claims.remove(names)

    for module in (dns, sites):
        monkeypatch.setattr(module, "claiming", recorded)
    return open_claims


def test_a_zone_is_checked_and_written_under_its_claim(world, zone_name, claims, monkeypatch):
    zone = zone_name()
    seen: list[tuple[str, bool]] = []
    check = ownership.check_name_free

    def checked(name, account) -> None:
        seen.append((name, any(name in c for c in claims)))
        check(name, account)

    monkeypatch.setattr(dns, "check_name_free", checked)
    dns.create_zone(world.alice, NewZone(zone))
    assert seen == [(zone, True)]
    assert claims == []


@pytest.mark.usefixtures("sites_cleanup")
def test_a_sites_names_are_checked_and_written_under_their_claim(
    world, zone_name, claims, monkeypatch
):
    domain, other = zone_name("s"), zone_name("t")
    seen: list[tuple[str, bool]] = []
    check = sites._check_owners

    def checked(actor, account, hosts, field) -> None:
        seen.extend((h, any(h in c for c in claims)) for h in hosts)
        check(actor, account, hosts, field)

    monkeypatch.setattr(sites, "_check_owners", checked)
    sites.create_site(world.admin, NewSite(domain, account=world.bob_account.name, www=True))
    sites.update_site(world.admin, domain, aliases=[f"www.{domain}", other])
    assert seen == [(domain, True), (f"www.{domain}", True), (other, True)]
    assert claims == []
