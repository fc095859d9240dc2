"""Sites on the real nginx and PHP-FPM, through the installed daemon."""

from __future__ import annotations

import http.client
import json
import os
import pwd
import signal
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from supercp.daemon.config import DaemonConfig
from supercp.daemon.web import default_server, server_files
from supercp.daemon.web.layout import WebLayout, log_tag
from supercp.protocol.client import DaemonClient
from supercp.protocol.errors import Conflict, SuperCPError, SystemFailure, ValidationFailed
from supercp.protocol.web import SiteSpec
from tests.integration.conftest import SOCKET

DAEMON_LOG = Path("/var/log/supercp/daemon.log")
DAEMON_PID = Path("/run/super-daemon.pid")

Page = tuple[int, str, dict[str, str]]


def get(host: str, path: str = "/", method: str = "GET", body: str | None = None) -> Page:
    conn = http.client.HTTPConnection("127.0.0.1", 80, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Host": host})
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, response.read().decode("utf-8", "replace"), headers
    finally:
        conn.close()


def put_file(account: str, path: Path, text: str) -> None:
    path.write_text(text)
    pw = pwd.getpwnam(account)
    os.chown(path, pw.pw_uid, pw.pw_gid)


def nginx_valid() -> bool:
    return subprocess.run(["nginx", "-t", "-q"], capture_output=True, check=False).returncode == 0


def php_site(client, account: str, domain: str, **extra: object) -> Path:
    site = client.call(
        "web.site.apply", {"domain": domain, "account": account, "php": "8.2", **extra}
    )
    return Path(site["site"]["docroot"])


def test_a_php_site_answers_with_its_index_php_run_as_the_account(client, account, domain):
    alice, site = account(), domain()
    result = client.call("web.site.apply", {"domain": site, "account": alice, "php": "8.2"})
    assert result["changed"] is True
    docroot = Path(result["site"]["docroot"])
    assert docroot == Path(f"/home/{alice}/sites/{site}/public")
    st = os.stat(docroot)
    assert (st.st_uid, st.st_mode & 0o7777) == (pwd.getpwnam(alice).pw_uid, 0o2750)
    put_file(
        alice, docroot / "index.php", '<?php echo "user=", posix_getpwuid(posix_geteuid())["name"];'
    )
    assert get(site)[:2] == (200, f"user={alice}")
    # A front controller gets every path that is no file; a missing script is nginx's 404.
    assert get(site, "/some/page?x=1")[:2] == (200, f"user={alice}")
    assert get(site, "/missing.php")[0] == 404
    put_file(alice, docroot / "hello.txt", "static")
    assert get(site, "/hello.txt")[:2] == (200, "static")
    # Applying the same spec again changes nothing.
    again = client.call("web.site.apply", {"domain": site, "account": alice, "php": "8.2"})
    assert again["changed"] is False
    assert get("unknown-host.supercp-test.example")[0] == 404
    assert nginx_valid()


def test_a_php_site_serves_files_indexes_and_its_front_controller_keeps_the_method(
    client, account, domain
):
    alice, site = account(), domain()
    docroot = php_site(client, alice, site)
    front = '<?php echo "front ", $_SERVER["REQUEST_METHOD"], " ", $_SERVER["REQUEST_URI"], " ";'
    put_file(alice, docroot / "index.php", front + 'echo file_get_contents("php://input");')
    put_file(alice, docroot / "style.css", "body {}")
    put_file(alice, docroot / "script.php", '<?php echo "script";')
    (docroot / "docs").mkdir()
    os.chown(docroot / "docs", pwd.getpwnam(alice).pw_uid, -1)
    put_file(alice, docroot / "docs/index.html", "docs index")
    assert get(site, "/style.css")[:2] == (200, "body {}")
    assert get(site, "/script.php")[:2] == (200, "script")
    assert get(site, "/docs/")[:2] == (200, "docs index")
    assert get(site, "/")[:2] == (200, "front GET / ")
    # Pretty URLs reach the front controller with their method and body (a REST API's POST).
    assert get(site, "/wp-json/v2/posts?x=1", "POST", "title=a")[:2] == (
        200,
        "front POST /wp-json/v2/posts?x=1 title=a",
    )
    assert get(site, "/missing.php")[0] == 404


def test_php_of_one_account_cannot_reach_another_accounts_files(client, account, domain):
    alice, bob = account(), account()
    alice_site, bob_site = domain(), domain()
    alice_root = php_site(client, alice, alice_site)
    bob_root = php_site(client, bob, bob_site)
    secret = Path(f"/home/{bob}/secret.txt")
    put_file(bob, secret, "bob's secret")
    secret.chmod(0o644)  # even a world-readable file stays out of alice's reach
    probe = (
        "<?php\n"
        f"echo 'read=', var_export(@file_get_contents('{secret}'), true), \"\\n\";\n"
        f"echo 'list=', var_export(@scandir('/home/{bob}'), true), \"\\n\";\n"
        "echo 'passwd=', var_export(@file_get_contents('/etc/passwd'), true), \"\\n\";\n"
        "echo 'exec=', function_exists('exec') && is_callable('exec') ? 'yes' : 'no', \"\\n\";\n"
        "echo 'url_include=', var_export((bool) ini_get('allow_url_include'), true), \"\\n\";\n"
        f"echo 'own=', file_put_contents('{alice_root}/w.txt', 'x'), \"\\n\";\n"
    )
    put_file(alice, alice_root / "probe.php", probe)
    status, body, _ = get(alice_site, "/probe.php")
    assert status == 200, body
    assert "read=false" in body
    assert "list=false" in body
    assert "passwd=false" in body
    assert "own=1" in body
    # From the version's conf.d/99-supercp.ini, which the daemon put in place.
    assert "exec=no" in body
    assert "url_include=false" in body
    assert "bob's secret" not in body
    # Bob's pool socket refuses alice's user; alice's own socket lets her in.
    sockets = {p.stat().st_uid: p for p in Path("/run/php").glob("supercp-*.sock")}
    alice_uid, bob_uid = pwd.getpwnam(alice).pw_uid, pwd.getpwnam(bob).pw_uid
    connect = "import socket,sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])"
    as_alice = ["setpriv", f"--reuid={alice_uid}", f"--regid={pwd.getpwnam(alice).pw_gid}"]
    as_alice += ["--clear-groups", "/usr/bin/python3", "-c", connect]
    refused = subprocess.run(
        [*as_alice, str(sockets[bob_uid])], capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0
    assert "PermissionError" in refused.stderr
    allowed = subprocess.run(
        [*as_alice, str(sockets[alice_uid])], capture_output=True, text=True, check=False
    )
    assert allowed.returncode == 0, allowed.stderr
    assert get(bob_site)[0] in (403, 404)  # no index yet, but the site is served
    assert bob_root.is_dir()


def test_a_symlink_to_another_accounts_file_is_not_served(client, account, domain):
    alice, bob = account(), account()
    alice_root = php_site(client, alice, domain())
    bob_site = domain()
    bob_root = php_site(client, bob, bob_site)
    put_file(bob, bob_root / "config.txt", "bob's password")
    assert get(bob_site, "/config.txt")[:2] == (200, "bob's password")
    link = alice_root / "steal.txt"
    link.symlink_to(bob_root / "config.txt")
    os.lchown(link, pwd.getpwnam(alice).pw_uid, -1)
    status, body, _ = get(alice_site_of(client, alice), "/steal.txt")
    assert status in {403, 404}  # try_files counts a refused link as no file
    assert "password" not in body
    # Links to the account's own files still work.
    put_file(alice, alice_root / "mine.txt", "alice's")
    own = alice_root / "own.txt"
    own.symlink_to(alice_root / "mine.txt")
    os.lchown(own, pwd.getpwnam(alice).pw_uid, -1)
    assert get(alice_site_of(client, alice), "/own.txt")[:2] == (200, "alice's")


def test_hidden_files_are_never_served_but_well_known_is(client, account, domain):
    alice, site = account(), domain()
    docroot = php_site(client, alice, site)
    for hidden in (".git", ".well-known", "app/.svn"):
        (docroot / hidden).mkdir(parents=True)
        os.chown(docroot / hidden, pwd.getpwnam(alice).pw_uid, -1)
    put_file(alice, docroot / ".env", "DB_PASSWORD=secret")
    put_file(alice, docroot / ".git/config", "[remote] url = secret")
    put_file(alice, docroot / "app/.svn/entries", "secret")
    put_file(alice, docroot / ".hidden.php", '<?php echo "secret";')
    put_file(alice, docroot / ".well-known/security.txt", "Contact: mailto:a@example.test")
    put_file(alice, docroot / "a.b.txt", "dots inside a name are fine")
    for path in ("/.env", "/.git/config", "/.git/", "/app/.svn/entries", "/.hidden.php"):
        status, body, _ = get(site, path)
        assert (path, status) == (path, 404)
        assert "secret" not in body
    assert get(site, "/.well-known/security.txt")[:2] == (200, "Contact: mailto:a@example.test")
    assert get(site, "/a.b.txt")[:2] == (200, "dots inside a name are fine")


ACME = Path("/var/lib/supercp/acme/.well-known/acme-challenge")


def test_acme_challenges_are_served_for_every_site_from_one_directory(client, account, domain):
    alice = account()
    php, static = domain(), domain()
    docroot = php_site(client, alice, php)
    put_file(alice, docroot / "index.php", "<?php echo 'front controller';")
    client.call("web.site.apply", {"domain": static, "account": alice})
    token = f"tok-{os.getpid()}-{time.monotonic_ns()}"
    (ACME / token).write_text("key-authorization")
    try:
        for site in (php, static):
            assert get(site, f"/.well-known/acme-challenge/{token}")[:2] == (
                200,
                "key-authorization",
            )
            # A token we do not have is a 404, not the site's front controller.
            status, body, _ = get(site, "/.well-known/acme-challenge/missing")
            assert (status, "front controller" in body) == (404, False)
        assert get(php, "/anything")[:2] == (200, "front controller")
    finally:
        (ACME / token).unlink()


def test_every_404_is_in_the_sites_access_log(client, account, domain):
    alice = account()
    php, static = domain(), domain()
    php_site(client, alice, php)
    client.call("web.site.apply", {"domain": static, "account": alice})
    asked = {static: ["/a/b/missing.css", "/.git/config", "/x.php"], php: ["/a/b/missing.php"]}
    for site, paths in asked.items():
        for path in paths:
            assert get(site, path)[0] == 404
    for site, paths in asked.items():
        for _ in range(50):
            lines = client.call("web.site.logs", {"domain": site, "lines": 10})["lines"]
            if len(lines) == len(paths):
                break
            time.sleep(0.05)
        # nginx logs a request after answering it, so the next one may be logged first.
        logged = sorted(line.split('"')[1] for line in lines)
        assert logged == sorted(f"GET {p} HTTP/1.1" for p in paths)
        assert all('" 404 ' in line for line in lines)
        errors = client.call("web.site.logs", {"domain": site, "kind": "error"})["lines"]
        assert not [line for line in errors if "existence failed" in line]


def test_one_sites_errors_cannot_land_in_another_sites_error_log(client, account, domain):
    alice, bob = account(), account()
    alice_site, bob_site = domain(), domain()
    docroot = php_site(client, alice, alice_site)
    php_site(client, bob, bob_site)
    # Errors of a site the default server serves (until its block is loaded) only reach
    # the shared error log.
    blocks_loaded(alice_site, bob_site)
    # Alice's PHP writes a message with newlines, a whole fake error line of bob's site and a
    # fake copy of the header nginx puts before bob's errors on the daemon's socket.
    fake = f"2026/01/01 00:00:00 [error] 1#1: *1 fake, client: 1.2.3.4, server: {bob_site}"
    header = f"<187>Nov 25 03:25:50 {log_tag(bob_site)}: "
    put_file(
        alice,
        docroot / "index.php",
        f'<?php error_log("x\\n{fake}\\n{header}{fake}"); echo "ok";',
    )
    assert get(alice_site)[:2] == (200, "ok")
    for _ in range(100):
        alice_errors = client.call("web.site.logs", {"domain": alice_site, "kind": "error"})
        if alice_errors["lines"]:
            break
        time.sleep(0.02)
    [line] = alice_errors["lines"]
    assert f"x\\n{fake}\\n{header}" in line
    assert line.endswith(f'host: "{alice_site}"')
    assert client.call("web.site.logs", {"domain": bob_site, "kind": "error"})["lines"] == []


def alice_site_of(client: DaemonClient, account: str) -> str:
    return next(
        s["domain"] for s in client.call("web.site.list")["sites"] if s["account"] == account
    )


def test_a_static_site_with_redirected_aliases(client, account, domain):
    alice, site = account(), domain()
    www = f"www.{site}"
    result = client.call(
        "web.site.apply",
        {"domain": site, "account": alice, "aliases": [www], "redirect_aliases": True},
    )
    docroot = Path(result["site"]["docroot"])
    put_file(alice, docroot / "index.html", "hello static")
    put_file(alice, docroot / "x.php", "<?php echo 'never';")
    assert get(site)[:2] == (200, "hello static")
    assert get(site, "/x.php")[0] == 404  # no PHP source handed out
    status, _, headers = get(www, "/a?b=c")
    assert status == 301
    assert headers["location"] == f"http://{site}/a?b=c"
    # Served without the redirect when asked so.
    client.call("web.site.apply", {"domain": site, "account": alice, "aliases": [www]})
    assert get(www)[:2] == (200, "hello static")


def test_names_belong_to_one_site_and_domains_to_one_account(client, account, domain):
    alice, bob = account(), account()
    site, other = domain(), domain()
    client.call("web.site.apply", {"domain": site, "account": alice, "aliases": [f"www.{site}"]})
    with pytest.raises(Conflict) as caught:
        client.call("web.site.apply", {"domain": site, "account": bob})
    assert caught.value.code == "site-exists"
    with pytest.raises(Conflict) as caught:
        client.call("web.site.apply", {"domain": other, "account": bob, "aliases": [f"www.{site}"]})
    assert (caught.value.code, caught.value.field) == ("domain-taken", "aliases")
    with pytest.raises(ValidationFailed) as refused:
        client.call("web.site.apply", {"domain": other, "account": bob, "php": "5.1"})
    assert (refused.value.code, refused.value.field) == ("php-not-installed", "php")
    assert not Path(f"/etc/nginx/supercp/sites/{other}.conf").exists()
    versions = client.call("web.php.versions")
    assert "8.2" in versions["versions"]


def test_suspend_serves_the_suspension_page_and_stops_php(client, account, domain):
    alice, site = account(), domain()
    docroot = php_site(client, alice, site)
    put_file(alice, docroot / "index.php", "<?php echo 'live';")
    assert get(site)[:2] == (200, "live")
    assert client.call("web.site.suspend", {"domain": site})["site"]["suspended"] is True
    status, body, _ = get(site)
    assert status == 503
    assert "suspended" in body
    assert not list(Path("/etc/php/8.2/fpm/pool.d").glob(f"supercp.{site}.conf"))
    assert client.call("web.site.unsuspend", {"domain": site})["site"]["suspended"] is False
    assert get(site)[:2] == (200, "live")


def test_logs_and_removal(client, account, domain):
    alice, site = account(), domain()
    docroot = php_site(client, alice, site)
    blocks_loaded(site)  # the default server's errors reach the shared error log only
    put_file(alice, docroot / "index.php", "<?php trigger_error('boom', E_USER_WARNING); echo 'x';")
    for i in range(3):
        get(site, f"/page{i}")
    # nginx logs a request after it has answered it: give the last line a moment.
    for _ in range(50):
        tail = client.call("web.site.logs", {"domain": site, "lines": 2})["lines"]
        if tail and "/page2" in tail[-1]:
            break
        time.sleep(0.05)
    assert len(tail) == 2
    assert "/page1" in tail[0]
    assert "/page2" in tail[1]
    # PHP's warning reaches nginx's error log, and from there (through the daemon) the site's.
    for _ in range(50):
        errors = client.call("web.site.logs", {"domain": site, "kind": "error"})["lines"]
        if any("boom" in line for line in errors):
            break
        time.sleep(0.05)
    assert any("boom" in line for line in errors)
    assert site in [s["domain"] for s in client.call("web.site.list")["sites"]]
    removed = client.call("web.site.remove", {"domain": site, "remove_files": True})
    assert removed == {"domain": site, "removed": True}
    assert get(site)[0] == 404
    assert not Path(f"/home/{alice}/sites/{site}").exists()
    assert Path(f"/home/{alice}").is_dir()
    assert not Path(f"/var/log/nginx/supercp/{site}.access.log").exists()
    assert site not in [s["domain"] for s in client.call("web.site.list")["sites"]]
    assert client.call("web.site.remove", {"domain": site})["removed"] is False


def test_a_planted_symlink_is_refused_not_followed(client, account, domain):
    alice, site = account(), domain()
    sites = Path(f"/home/{alice}/sites")
    sites.mkdir()
    pw = pwd.getpwnam(alice)
    os.chown(sites, pw.pw_uid, pw.pw_gid)
    (sites / site).symlink_to("/etc")
    with pytest.raises(Conflict) as caught:
        client.call("web.site.apply", {"domain": site, "account": alice, "php": "8.2"})
    assert caught.value.code == "path-conflict"
    assert os.stat("/etc").st_uid == 0
    assert (os.stat("/etc").st_mode & 0o7777) == 0o755


class Poller(threading.Thread):
    """Requests a site over and over; records every status that was not 200."""

    def __init__(self, host: str) -> None:
        super().__init__(daemon=True)
        self.host = host
        self.stop = threading.Event()
        self.failures: list[object] = []
        self.count = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                status = get(self.host)[0]
                if status != 200:
                    self.failures.append(status)
            except OSError as err:
                self.failures.append(err)
            self.count += 1


def test_a_change_that_would_break_nginx_is_refused_while_other_sites_keep_answering(
    client, account, domain
):
    alice, steady, new = account(), domain(), domain()
    docroot = php_site(client, alice, steady)
    put_file(alice, docroot / "index.php", "<?php echo 'steady';")
    poller = Poller(steady)
    poller.start()
    broken = Path("/etc/nginx/conf.d/zz-supercp-test-broken.conf")
    try:
        broken.write_text("this_is_not_a_directive on;\n")
        with pytest.raises(SystemFailure) as caught:
            client.call("web.site.apply", {"domain": new, "account": alice, "php": "8.2"})
        assert caught.value.code == "nginx-config-invalid"
        assert "this_is_not_a_directive" in caught.value.message
        assert not Path(f"/etc/nginx/supercp/sites/{new}.conf").exists()
        assert new not in [s["domain"] for s in client.call("web.site.list")["sites"]]
    finally:
        broken.unlink(missing_ok=True)
        time.sleep(0.3)
        poller.stop.set()
        poller.join()
    assert poller.failures == []
    assert poller.count > 0
    assert nginx_valid()
    # Once the breakage is gone, the same call goes through.
    php_site(client, alice, new)
    assert get(new)[0] in (403, 404)


def daemon_pid() -> int:
    return int(DAEMON_PID.read_text().strip())


def gone() -> bool:
    # Until the killed process is reaped, the init script still counts it as running.
    status = subprocess.run(["service", "super-daemon", "status"], capture_output=True, check=False)
    return status.returncode != 0


def restart_daemon() -> None:
    subprocess.run(["service", "super-daemon", "start"], capture_output=True, check=True)
    for _ in range(100):
        try:
            with DaemonClient(SOCKET) as c:
                c.call("system.ping")
                return
        except (OSError, SuperCPError):
            time.sleep(0.1)
    raise AssertionError("the daemon did not come back")


@pytest.mark.parametrize("delay", [0.0, 0.03, 0.1, 0.2])
def test_sigkill_in_the_middle_of_apply_then_a_retry_converges(account, domain, delay):
    alice, site = account(), domain()
    spec = {"domain": site, "account": alice, "php": "8.2", "aliases": [f"www.{site}"]}

    def call() -> None:
        try:
            with DaemonClient(SOCKET) as c:
                c.call("web.site.apply", spec)
        except (OSError, SuperCPError):
            pass  # the daemon died under it

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(delay)
    pid = daemon_pid()
    os.kill(pid, signal.SIGKILL)
    thread.join(10)
    for _ in range(100):
        if gone():
            break
        time.sleep(0.05)
    restart_daemon()
    with DaemonClient(SOCKET) as c:
        result = c.call("web.site.apply", spec)
    docroot = Path(result["site"]["docroot"])
    put_file(alice, docroot / "index.php", "<?php echo 'back';")
    assert get(site)[:2] == (200, "back")
    assert nginx_valid()
    assert not [p for p in Path("/etc/nginx/supercp/sites").iterdir() if p.suffix != ".conf"]


def test_concurrent_applies_share_reloads(account, domain):
    alice = account()
    sites = [domain() for _ in range(12)]
    start = DAEMON_LOG.stat().st_size
    results: list[object] = []

    def call(site: str) -> None:
        with DaemonClient(SOCKET) as c:
            results.append(
                c.call("web.site.apply", {"domain": site, "account": alice, "php": "8.2"})
            )

    threads = [threading.Thread(target=call, args=(s,)) for s in sites]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == len(sites)
    blocks_loaded(*sites)
    with DAEMON_LOG.open("rb") as fh:
        fh.seek(start)
        lines = fh.read().decode().splitlines()
    reloads = [line for line in lines if "nginx: reload #" in line]
    assert 1 <= len(reloads) < len(sites)
    for site in sites:
        assert get(site)[0] in (403, 404)  # served (no index yet)


def daemon_log_since(start: int) -> list[str]:
    with DAEMON_LOG.open("rb") as fh:
        fh.seek(start)
        return fh.read().decode().splitlines()


def test_a_second_apply_reloads_without_checking_the_whole_config_again(client, account, domain):
    alice, first, second = account(), domain(), domain()
    php_site(client, alice, first)
    blocks_loaded(first)
    start = DAEMON_LOG.stat().st_size
    docroot = php_site(client, alice, second)
    blocks_loaded(second)
    lines = daemon_log_since(start)
    for service in ("nginx", "php-fpm"):
        reloads = [line for line in lines if f"{service}: reload #" in line]
        assert len(reloads) == 1, lines
        assert ", whole check skipped, batch " in reloads[0], reloads
    put_file(alice, docroot / "index.php", "<?php echo 'second';")
    assert get(second)[:2] == (200, "second")


def test_a_php_site_goes_live_while_php_fpm_reloads_for_someone_else(client, account, domain):
    alice = account()
    for _ in range(3):
        site = domain()
        # An admin's reload just before ours: a signal sent while it re-executes is lost.
        os.kill(int(Path("/run/php/php8.2-fpm.pid").read_text()), signal.SIGUSR2)
        t0 = time.monotonic()
        docroot = php_site(client, alice, site)
        assert time.monotonic() - t0 < 10
        put_file(alice, docroot / "index.php", "<?php echo 'live';")
        assert get(site)[:2] == (200, "live")


def test_apply_many_applies_a_batch_with_per_site_outcomes(client, account, domain):
    alice, bob = account(), account()
    taken = domain()
    client.call("web.site.apply", {"domain": taken, "account": bob})
    sites = [domain() for _ in range(20)]
    batch = [{"domain": s, "account": alice, "php": "8.2"} for s in sites]
    batch.append({"domain": taken, "account": alice})
    results = client.call("web.site.apply_many", {"sites": batch})["results"]
    assert [r["error"] is None for r in results] == [True] * 20 + [False]
    assert results[-1]["error"]["code"] == "site-exists"
    for site in sites:
        assert get(site)[0] in (403, 404)
    again = client.call("web.site.apply_many", {"sites": batch[:-1]})["results"]
    assert [r["changed"] for r in again] == [False] * 20


def test_removing_an_account_removes_its_sites(client, account_name, domain):
    name = account_name()
    client.call("accounts.ensure", {"name": name})
    sites = [domain() for _ in range(3)]
    client.call(
        "web.site.apply_many",
        {"sites": [{"domain": s, "account": name, "php": "8.2"} for s in sites]},
    )
    assert client.call("accounts.remove", {"name": name})["removed"] is True
    listed = [s["domain"] for s in client.call("web.site.list")["sites"]]
    assert not set(sites) & set(listed)
    for site in sites:
        assert get(site)[0] == 404
        assert not Path(f"/etc/nginx/supercp/sites/{site}.conf").exists()
        assert not Path(f"/etc/php/8.2/fpm/pool.d/supercp.{site}.conf").exists()
    assert nginx_valid()


ENTRIES = Path("/var/lib/supercp/web/new")


def blocks_loaded(*names: str) -> None:
    """Wait until nginx's default server serves none of these names any more: each site's
    own server block does (the daemon answers a new site's apply before that)."""
    deadline = time.monotonic() + 30
    while any((ENTRIES / name).exists() for name in names):
        assert time.monotonic() < deadline, f"no server block for {names} after 30 s"
        time.sleep(0.01)


def test_the_default_server_serves_a_new_sites_entry_as_its_block_will(client, account, domain):
    alice, site = account(), domain()
    docroot = php_site(client, alice, site)
    put_file(
        alice,
        docroot / "index.php",
        '<?php echo "user=", posix_getpwuid(posix_geteuid())["name"], '
        '" root=", $_SERVER["DOCUMENT_ROOT"], " uri=", $_SERVER["REQUEST_URI"];',
    )
    put_file(alice, docroot / "hello.txt", "static")
    put_file(alice, docroot / "index.html", "static index")
    (docroot / ".git").mkdir()
    put_file(alice, docroot / ".git/config", "secret")
    # Entries for names no server block has, as the daemon makes them for a site nginx has
    # not loaded yet: here with the live site's files and pool.
    fresh = domain()
    spec = SiteSpec(
        domain=fresh,
        account=alice,
        php="8.2",
        docroot=f"sites/{site}/public",
        aliases=[f"www.{fresh}"],
        redirect_aliases=True,
    )
    layout = WebLayout(DaemonConfig())
    record = json.loads(layout.record(site).read_text())
    shard = record.get("shard")
    plan = replace(
        layout.plan(spec, "supercp-users", shard), socket=layout.socket("8.2", site, shard)
    )
    static_plan = layout.plan(
        spec.model_copy(update={"domain": f"s{fresh}", "php": None, "aliases": []}), ""
    )
    uid = pwd.getpwnam(alice).pw_uid
    web = pwd.getpwnam("www-data")
    for log in (plan.access_log, static_plan.access_log):
        server_files.ensure_log(log, web.pw_uid, web.pw_gid)
    try:
        default_server.open_entries(layout, plan, uid)
        default_server.open_entries(layout, static_plan, uid)
        # PHP runs as the account and sees the real document root, not the link.
        assert get(fresh)[:2] == (200, f"user={alice} root={docroot} uri=/")
        assert get(fresh, "/some/page?x=1")[:2] == (
            200,
            f"user={alice} root={docroot} uri=/some/page?x=1",
        )
        assert get(fresh, "/hello.txt")[:2] == (200, "static")
        for path in ("/.git/config", "/missing.php", "/.well-known/acme-challenge/none"):
            assert get(fresh, path)[0] == 404
        status, _, headers = get(f"www.{fresh}", "/a?b=c")
        assert (status, headers["location"]) == (301, f"http://{fresh}/a?b=c")
        # A static site: files, and its .php URIs are 404s (no pool, no source).
        assert get(f"s{fresh}", "/hello.txt")[:2] == (200, "static")
        assert get(f"s{fresh}", "/index.php")[0] == 404
        # Its index is index.html, as in its block, although an index.php lies beside it.
        assert get(f"s{fresh}")[:2] == (200, "static index")
        # The site's own access log has every request, the 404s too.
        for _ in range(50):
            lines = plan.access_log.read_text().splitlines()
            if len(lines) >= 7:
                break
            time.sleep(0.05)
        # In any order: each of nginx's workers writes its line once its request is done,
        # and a PHP request's worker may finish after the next request's, served by another.
        requests = [line.split('"')[1] for line in lines]
        assert {"GET / HTTP/1.1", "GET /some/page?x=1 HTTP/1.1"} <= set(requests[:3])
        assert len(lines) == 7
        # Names without an entry, and names that are not plain host names, get the 404.
        for host in (domain(), "-", f".tmp-{fresh}", "new", f"{fresh}.", f"{fresh.upper()}"):
            status = get(host)[0]
            assert (host, status) == (host, 200 if host.lower().rstrip(".") == fresh else 404)
    finally:
        default_server.close_entries(layout, [fresh, f"www.{fresh}", f"s{fresh}"])
        for log in (plan.access_log, static_plan.access_log):
            log.unlink(missing_ok=True)
    assert get(fresh)[0] == 404


def test_a_new_site_is_answered_once_served_and_its_block_follows(client, account, domain):
    alice, site = account(), domain()
    www = f"www.{site}"
    start = DAEMON_LOG.stat().st_size
    result = client.call(
        "web.site.apply",
        {
            "domain": site,
            "account": alice,
            "php": "8.2",
            "aliases": [www],
            "redirect_aliases": True,
        },
    )
    put_file(alice, Path(result["site"]["docroot"]) / "index.php", "<?php echo 'live';")
    assert get(site)[:2] == (200, "live")
    assert get(www)[0] == 301
    blocks_loaded(site, www)
    assert get(site)[:2] == (200, "live")
    assert get(www)[0] == 301
    assert Path(f"/etc/nginx/supercp/sites/{site}.conf").exists()
    lines = daemon_log_since(start)
    assert [line for line in lines if "served by the default server" in line], lines
    # Removed at once, entries too.
    client.call("web.site.remove", {"domain": site})
    assert get(site)[0] == 404
    assert not (ENTRIES / site).exists()
