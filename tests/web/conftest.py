"""The panel's tests: a MariaDB test database (pytest-django) and the real installed daemon.

Personas: ``admin``; ``rita``, a reseller who owns ``alice``'s account; ``bob``, a customer
the admins manage directly. Their hosting accounts are real Linux users made through
/run/super-daemon.sock with names ``sct<hex>`` and removed after each test.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import channels.db
import pytest
from django.test import Client
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from supercp.protocol.client import DaemonClient
from supercp.protocol.errors import Unavailable
from supercp.web.accounts import services as accounts
from supercp.web.accounts.models import HostingAccount
from supercp.web.core import services as core
from supercp.web.core.authz import Actor
from supercp.web.core.models import Role, User
from supercp.web.dns import pdns
from supercp.web.dns.models import Zone
from supercp.web.sites.models import Site

SOCKET = Path("/run/super-daemon.sock")
PASSWORD = "correct horse battery staple"  # noqa: S105 (the personas' test password)


def _commits(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.django_db)
            item.add_marker(pytest.mark.integration)
    # A test on committed rows empties every table when it ends (migrations' rows too, such
    # as DNS's default template): last, after every other test, in their order otherwise.
    items.sort(key=_commits)


@pytest.fixture(scope="session", autouse=True)
def installed_daemon() -> None:
    # Not a skip: the test command installs the system first, so absence is a failure.
    if os.geteuid() != 0:
        pytest.fail("the panel's tests run as root (sudo ./test.sh)")
    if not SOCKET.exists():
        pytest.fail(f"{SOCKET} is missing: run ./install.sh first")


def user_exists(name: str) -> bool:
    return subprocess.run(["id", name], capture_output=True, check=False).returncode == 0


def system_account(name: str) -> dict:
    """The daemon's view of one account it manages."""
    with DaemonClient(SOCKET) as c:
        listed = c.call("accounts.list")["accounts"]
    found = [a for a in listed if a["name"] == name]
    assert found, f"the daemon manages no account {name}"
    return found[0]


@pytest.fixture
def account_name() -> Iterator[Callable[[], str]]:
    """Fresh account names; whatever a test left on the system is removed afterwards."""
    made: list[str] = []

    def fresh() -> str:
        name = "sct" + secrets.token_hex(4)
        made.append(name)
        return name

    yield fresh
    for name in made:
        if not remove_account(name):
            # Unmanaged leftovers. A managed one removed this way would leave its sites'
            # pools behind for a user that is gone, which PHP-FPM refuses for every pool.
            subprocess.run(["userdel", "-r", name], capture_output=True, check=False)


def remove_account(name: str) -> bool:
    """accounts.remove, tried again while the daemon restarts (the integration tests and the
    installer restart it); False when the daemon answered that it could not."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with DaemonClient(SOCKET) as c:
                c.call("accounts.remove", {"name": name})
            return True
        except Unavailable:  # idempotent, so a call cut off by a restart is made again
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)
        except Exception:
            return False


def run_jobs() -> int:
    """Run the enqueued tasks here, as the worker (db_worker) would; returns how many ran.

    The worker's own loop closes the database connection between tasks, which would end the
    test's transaction; its ``run_task`` is what the loop calls for each task it claims.
    """
    ran = 0
    while (found := DBTaskResult.objects.ready().get_locked()) is not None:
        found.claim("tests")
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="tests",
            excluded_queue_names=[],
        ).run_task(found)
        ran += 1
    return ran


@pytest.fixture
def keep_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """For WebSocket tests: Channels closes the thread's database connection around its
    queries (as Django does after a request); here that connection holds the test's
    transaction."""
    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)


def make_user(name: str, role: Role, **fields: object) -> User:
    return User.objects.create_user(name, f"{name}@example.test", PASSWORD, role=role, **fields)


@dataclass
class World:
    admin: Actor
    rita: Actor
    alice: Actor
    bob: Actor
    alice_account: HostingAccount
    bob_account: HostingAccount


@pytest.fixture
def world(account_name) -> World:
    admin = Actor(make_user("admin", Role.ADMIN), ip="192.0.2.1")
    rita = Actor(make_user("rita", Role.RESELLER, max_accounts=3), ip="192.0.2.2")
    alice_account = accounts.create_account(rita, account_name(), "alice@example.test", PASSWORD)
    bob_account = accounts.create_account(admin, account_name(), "bob@example.test", PASSWORD)
    return World(
        admin=admin,
        rita=rita,
        alice=Actor(alice_account.user, ip="192.0.2.3"),
        bob=Actor(bob_account.user, ip="192.0.2.4"),
        alice_account=alice_account,
        bob_account=bob_account,
    )


@pytest.fixture
def token_for() -> Callable[..., str]:
    """A plaintext API token for an actor's user (``read_only``, ``expires_days`` as wanted)."""

    def make(actor: Actor, **options: object) -> str:
        return core.issue_token(actor.user, "test", **options).plaintext  # type: ignore[arg-type]

    return make


@pytest.fixture
def api(token_for) -> Callable[..., Client]:
    """A test client that sends an actor's bearer token with every request."""

    def make(actor: Actor, **options: object) -> Client:
        token = token_for(actor, **options)
        return Client(headers={"authorization": f"Bearer {token}"})

    return make


# --- pages ----------------------------------------------------------------------------------


class Pages:
    """A browser on the panel's pages as Inertia drives them: JSON page objects, JSON posts."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, url: str, **query: str | int):
        return self.client.get(url, query, headers={"X-Inertia": "true"})

    def page(self, url: str, **query: str | int) -> dict:
        """The page object of a GET that must render a page."""
        response = self.get(url, **query)
        assert response.status_code == 200, (response.status_code, response.content[:500])
        assert response["X-Inertia"] == "true"
        return response.json()

    def post(self, url: str, data: dict | None = None, **headers: str):
        return self.client.post(
            url,
            data or {},
            content_type="application/json",
            headers={"X-Inertia": "true", **headers},
        )

    def delete(self, url: str):
        return self.client.delete(url, headers={"X-Inertia": "true"})

    def follow(self, response) -> dict:
        """The page a redirect leads to (where the flash and the errors are shown)."""
        assert response.status_code in (302, 303), (response.status_code, response.content[:500])
        return self.page(response["Location"])


@pytest.fixture
def pages() -> Callable[[Actor | None], Pages]:
    """Pages as an actor's logged-in session (None: not logged in)."""

    def make(actor: Actor | None = None, **options: object) -> Pages:
        client = Client(**options)  # type: ignore[arg-type]
        if actor is not None:
            client.force_login(actor.user)
        return Pages(client)

    return make


# --- sites ----------------------------------------------------------------------------------


@pytest.fixture
def sites_cleanup() -> Iterator[None]:
    """After the test: the daemon removes every site of this test database, files included."""
    yield
    domains = list(Site.objects.values_list("domain", flat=True))
    if not domains:
        return
    with DaemonClient(SOCKET) as c:
        for domain in domains:
            c.call("web.site.remove", {"domain": domain, "remove_files": True})


@pytest.fixture
def no_daemon(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any daemon call the panel makes fails the test; refusals must come before one."""
    calls: list[str] = []

    def refuse() -> None:
        calls.append("client")
        raise AssertionError("the daemon was called")

    monkeypatch.setattr("supercp.web.core.daemon.client", refuse)
    return calls


# --- dns ------------------------------------------------------------------------------------

# Every zone the tests make is a random label under this name, which no real zone has.
TEST_ZONE_SUFFIX = "supercp-test"


@pytest.fixture
def zone_name() -> Iterator[Callable[..., str]]:
    """Fresh zone names; after the test, PowerDNS's real database forgets every zone of this
    test database and every name handed out (records, keys and metadata with them)."""
    made: list[str] = []

    def fresh(prefix: str = "z") -> str:
        name = f"{prefix}{secrets.token_hex(5)}.{TEST_ZONE_SUFFIX}"
        made.append(name)
        return name

    yield fresh
    names = set(made) | set(Zone.objects.values_list("name", flat=True))
    with pdns.transaction() as tx:
        for domain in tx.domains(sorted(names)).values():
            tx.delete_domain(domain.id)
