"""Browser tests: Debian's Chromium, driven by Playwright, against the installed panel.

Every page a test visits is saved as a screenshot under one folder per run
(``$SUPERCP_SCREENSHOTS``, else ``/var/tmp/supercp-screenshots/<timestamp>``), which the run
prints at its end. Playwright never downloads a browser here: it starts /usr/bin/chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from supercp.web.config.panel import load_config
from tests.integration.conftest import SUPER_CLI
from tests.integration.test_panel import PANEL_ENV, VENV_PYTHON

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a container: Chromium's sandbox needs user namespaces
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BASE = f"https://127.0.0.1:{load_config(Path('/etc/supercp/panel.toml')).port}"
SHOTS_KEY = pytest.StashKey[Path]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


def pytest_configure(config: pytest.Config) -> None:
    chosen = os.environ.get("SUPERCP_SCREENSHOTS")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    config.stash[SHOTS_KEY] = Path(chosen or f"/var/tmp/supercp-screenshots/{stamp}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    folder = terminalreporter.config.stash.get(SHOTS_KEY, None)
    if folder is not None and folder.is_dir() and any(folder.iterdir()):
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(str(folder))


# Per module, not per session: while Playwright's sync API is active it holds an asyncio loop
# as the thread's running loop, and tests elsewhere that call asyncio.run() would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if os.geteuid() != 0:
        pytest.fail("the browser tests run as root against the installed panel (sudo ./test.sh)")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (test.sh does)")
    with sync_playwright() as playwright, io_threads_started_now():
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextlib.contextmanager
def io_threads_started_now(workers: int = 2) -> Iterator[None]:
    """Playwright's event loop (the running loop while its sync API is active) runs blocking
    work, such as saving a download, on its default executor, whose threads would start in
    the test that first needs one and outlive it (tests/leaks.py fails that test). This
    gives the loop an executor whose threads all start now, with the module's browser."""
    executor = ThreadPoolExecutor(workers, thread_name_prefix="playwright-io")
    # Each worker waits at the barrier until all have started: one thread per task.
    barrier = threading.Barrier(workers)
    for started in [executor.submit(barrier.wait, 10) for _ in range(workers)]:
        started.result()
    asyncio.get_event_loop().set_default_executor(executor)
    try:
        yield
    finally:
        executor.shutdown(wait=True)


class Shots:
    """Saves numbered full-page screenshots of one test into the run's folder."""

    def __init__(self, folder: Path, test: str) -> None:
        self.folder = folder
        self.test = re.sub(r"^test_", "", test)
        self.count = 0

    def __call__(self, page: Page, what: str) -> Path:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.test}-{self.count:02d}-{what}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.config.stash[SHOTS_KEY], request.node.name)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # The installer's certificate is self-signed; test_panel_served checks it separately.
    context = browser.new_context(
        base_url=BASE, ignore_https_errors=True, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


@dataclass
class Login:
    username: str
    password: str


def delete_panel_user(name: str) -> None:
    subprocess.run(
        [
            VENV_PYTHON,
            "-c",
            "import django, sys; django.setup(); from supercp.web.core.models import User; "
            "User.objects.filter(username=sys.argv[1]).delete()",
            name,
        ],
        env=PANEL_ENV,
        cwd="/",
        check=True,
    )


@pytest.fixture
def admin_login() -> Iterator[Login]:
    """A throw-away admin of the installed panel, removed afterwards."""
    name = "sct" + secrets.token_hex(4)
    made = subprocess.run(
        [SUPER_CLI, "--json", "admin", "create", name], capture_output=True, check=True
    )
    yield Login(name, json.loads(made.stdout)["password"])
    delete_panel_user(name)


@pytest.fixture
def hosting_accounts() -> Iterator[list[str]]:
    """Names of accounts a test creates; each is deleted afterwards with its Linux user."""
    made: list[str] = []
    yield made
    for name in made:
        subprocess.run(
            [SUPER_CLI, "--json", "account", "delete", name], capture_output=True, check=False
        )
        subprocess.run(["userdel", "-r", name], capture_output=True, check=False)
