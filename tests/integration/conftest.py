"""Integration tests: as root, against the installed daemon and the real system."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from supercp.protocol.client import DaemonClient
from supercp.protocol.errors import SuperCPError

SOCKET = Path("/run/super-daemon.sock")
SUPER_CLI = "/usr/local/sbin/super-cli"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def installed_system() -> None:
    # Not a skip: the test command installs the system first, so absence is a failure.
    if os.geteuid() != 0:
        pytest.fail("integration tests run as root (sudo ./test.sh)")
    if not SOCKET.exists():
        pytest.fail(f"{SOCKET} is missing: run ./install.sh first")


@pytest.fixture
def client() -> Iterator[DaemonClient]:
    with DaemonClient(SOCKET) as c:
        yield c


@pytest.fixture
def account_name() -> Iterator[Callable[[], str]]:
    """Fresh account names; whatever a test left behind is removed afterwards."""
    made: list[str] = []

    def fresh() -> str:
        name = "sct" + secrets.token_hex(4)
        made.append(name)
        return name

    yield fresh
    for name in made:
        with DaemonClient(SOCKET) as c:
            try:
                c.call("accounts.remove", {"name": name})
            except Exception:  # unmanaged leftovers are removed below
                subprocess.run(["userdel", "-r", name], capture_output=True, check=False)


def user_exists(name: str) -> bool:
    return subprocess.run(["id", name], capture_output=True, check=False).returncode == 0


@pytest.fixture
def domain() -> Iterator[Callable[[], str]]:
    """Fresh domains; every site a test made is removed afterwards, even on failure."""
    made: list[str] = []

    def fresh() -> str:
        name = f"t{secrets.token_hex(4)}.supercp-test.example"
        made.append(name)
        return name

    yield fresh
    with DaemonClient(SOCKET) as c:
        for name in made:
            with contextlib.suppress(SuperCPError):
                c.call("web.site.remove", {"domain": name, "remove_files": True})


@pytest.fixture
def account(client: DaemonClient, account_name: Callable[[], str]) -> Callable[[], str]:
    def make() -> str:
        name = account_name()
        client.call("accounts.ensure", {"name": name})
        return name

    return make
