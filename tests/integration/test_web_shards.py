"""PHP sites spread over PHP-FPM masters of the daemon's own (shards), on the real PHP-FPM.

The daemon runs here with one pool per shard (``php_fpm_shard_size = 1`` in its config), so
every new PHP site opens a shard of its own.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from supercp.daemon.web.layout import digest
from supercp.protocol.client import DaemonClient
from tests.integration.conftest import SOCKET
from tests.integration.test_web import blocks_loaded, get, put_file, restart_daemon

CONFIG = Path("/etc/supercp/daemon.toml")
RECORDS = Path("/var/lib/supercp/sites")
FPM = Path("/etc/php/8.2/fpm")
WHOAMI = '<?php echo "user=", posix_getpwuid(posix_geteuid())["name"];'


def restart(config: str) -> None:
    CONFIG.write_text(config)
    subprocess.run(["service", "super-daemon", "stop"], capture_output=True, check=True)
    restart_daemon()


@pytest.fixture(scope="module")
def small_shards() -> Iterator[None]:
    """The installed daemon with one pool per shard; its own config again after this
    module's tests (and their sites' removal: this fixture is set up before theirs)."""
    original = CONFIG.read_text()
    restart(original + "\nphp_fpm_shard_size = 1\n")
    try:
        yield
    finally:
        restart(original)


def record(domain: str) -> dict[str, object]:
    body: dict[str, object] = json.loads((RECORDS / f"{domain}.json").read_text())
    return body


def shard_of(domain: str) -> int:
    shard = record(domain)["shard"]
    assert isinstance(shard, int)
    return shard


def master(shard: int) -> int:
    return int(Path(f"/run/php/supercp-8.2-{shard}.pid").read_text().strip())


def is_master(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"php-fpm: master process")
    except FileNotFoundError:
        return False


def serves(site: str, body: str, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if get(site)[:2] == (200, body):
            return True
        time.sleep(0.1)
    return False


def php_site(client: DaemonClient, account: str, site: str) -> Path:
    result = client.call("web.site.apply", {"domain": site, "account": account, "php": "8.2"})
    docroot = Path(result["site"]["docroot"])
    put_file(account, docroot / "index.php", WHOAMI)
    return docroot


def test_sites_in_two_shards_run_php_as_their_accounts(
    small_shards: None, client: DaemonClient, account: Callable[[], str], domain: Callable[[], str]
) -> None:
    alice, bob = account(), account()
    first, second = domain(), domain()
    php_site(client, alice, first)
    php_site(client, bob, second)
    blocks_loaded(first, second)
    shards = shard_of(first), shard_of(second)
    assert shards[0] != shards[1]
    for site, owner, shard in ((first, alice, shards[0]), (second, bob, shards[1])):
        assert get(site)[:2] == (200, f"user={owner}")
        assert (FPM / f"supercp/{shard}/{site}.conf").exists()
        assert not (FPM / f"pool.d/supercp.{site}.conf").exists()
        assert is_master(master(shard))
        vhost = Path(f"/etc/nginx/supercp/sites/{site}.conf").read_text()
        assert f"/run/php/supercp-8.2-{shard}-" in vhost
    # The master is no pool of Debian's: its config is the shard's.
    cmdline = Path(f"/proc/{master(shards[0])}/cmdline").read_bytes()
    assert f"supercp/{shards[0]}.conf".encode() in cmdline
    # Its last pool gone, a shard's master stops (php-fpm runs no master without a pool).
    pid = master(shards[1])
    client.call("web.site.remove", {"domain": second})
    assert not is_master(pid)
    assert get(first)[:2] == (200, f"user={alice}")


def test_a_killed_shard_master_is_started_again_by_the_daemon(
    small_shards: None, client: DaemonClient, account: Callable[[], str], domain: Callable[[], str]
) -> None:
    alice, site = account(), domain()
    php_site(client, alice, site)
    pid = master(shard_of(site))
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if not is_master(pid):
            break
        time.sleep(0.05)
    assert get(site)[0] == 502
    subprocess.run(["service", "super-daemon", "restart"], capture_output=True, check=True)
    restart_daemon()
    assert serves(site, f"user={alice}")
    assert master(shard_of(site)) != pid


def test_a_pool_in_debians_pool_d_moves_to_a_shard_on_its_next_apply(
    client: DaemonClient, account: Callable[[], str], domain: Callable[[], str]
) -> None:
    alice, site = account(), domain()
    php_site(client, alice, site)
    shard = shard_of(site)
    # Turn it into a site of the version before shards: a record without a shard, its pool
    # in pool.d with a socket without one, Debian's master serving it.
    subprocess.run(["service", "super-daemon", "stop"], capture_output=True, check=True)
    try:
        pool = FPM / f"supercp/{shard}/{site}.conf"
        legacy = FPM / f"pool.d/supercp.{site}.conf"
        vhost = Path(f"/etc/nginx/supercp/sites/{site}.conf")
        sharded = re.compile(rf"/run/php/supercp-8\.2-{shard}-")
        legacy.write_text(sharded.sub("/run/php/supercp-8.2-", pool.read_text()))
        pool.unlink()
        vhost.write_text(sharded.sub("/run/php/supercp-8.2-", vhost.read_text()))
        body = record(site)
        del body["shard"]
        (RECORDS / f"{site}.json").write_text(json.dumps(body))
        for service in ("php8.2-fpm", "nginx"):
            subprocess.run(["service", service, "reload"], capture_output=True, check=True)
        assert serves(site, f"user={alice}")
    finally:
        restart_daemon()
    spec = {"domain": site, "account": alice, "php": "8.2"}
    with DaemonClient(SOCKET) as fresh:  # the daemon was restarted: a new connection
        result = fresh.call("web.site.apply", spec)
        again = fresh.call("web.site.apply", spec)
    assert result["changed"] is True
    assert again["changed"] is False
    assert not legacy.exists()
    new_shard = shard_of(site)
    assert (FPM / f"supercp/{new_shard}/{site}.conf").exists()
    assert f"/run/php/supercp-8.2-{new_shard}-" in vhost.read_text()
    assert get(site)[:2] == (200, f"user={alice}")
    # Debian's master let go of the old socket.
    assert not list(Path("/run/php").glob(f"supercp-8.2-{digest(site)}.sock"))
