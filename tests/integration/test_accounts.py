"""Hosting accounts as real Linux users, through the installed daemon and super-cli (which
goes through the installed panel's service layer and database)."""

import grp
import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

from supercp.protocol.errors import Forbidden, NotFound, ValidationFailed
from tests.integration.conftest import SUPER_CLI, user_exists


def cli(*args: str) -> tuple[int, dict]:
    done = subprocess.run([SUPER_CLI, "--json", *args], capture_output=True, check=False)
    return done.returncode, json.loads(done.stdout)


def test_super_cli_creates_a_real_user_that_id_shows(account_name):
    name = account_name()
    code, body = cli("account", "create", name)
    assert code == 0, body
    assert body["created"] is True
    pw = pwd.getpwnam(name)
    assert 20000 <= pw.pw_uid <= 59999
    assert grp.getgrgid(pw.pw_gid).gr_name == "supercp-users"
    assert pw.pw_dir == f"/home/{name}"
    assert pw.pw_shell == "/usr/sbin/nologin"
    home = os.stat(pw.pw_dir)
    assert home.st_mode & 0o7777 == 0o711
    assert home.st_uid == pw.pw_uid
    ident = subprocess.run(["id", name], capture_output=True, text=True, check=True).stdout
    assert f"uid={pw.pw_uid}({name})" in ident
    assert name in [a["name"] for a in cli("account", "list")[1]["accounts"]]

    # The panel's database has it now, so a second create is refused (nothing changes).
    code, body = cli("account", "create", name)
    assert (code, body["error"]["code"]) == (1, "account-exists")

    code, body = cli("account", "delete", name)
    assert (code, body) == (0, {"name": name, "removed": True})
    assert not user_exists(name)
    assert not os.path.exists(f"/home/{name}")


def test_removing_an_account_ends_its_processes(client, account_name):
    name = account_name()
    client.call("accounts.ensure", {"name": name})
    uid = pwd.getpwnam(name).pw_uid
    proc = subprocess.Popen(["sleep", "300"], user=uid, group=pwd.getpwnam(name).pw_gid)
    try:
        assert client.call("accounts.remove", {"name": name})["removed"] is True
        assert proc.wait(10) != 0
    finally:
        # Reaped too, whatever happened: an unreaped Popen warns when it is collected, in
        # whichever test that happens.
        proc.kill()
        proc.wait()
    assert not user_exists(name)


# As root: keep three processes of the uid alive for a while, starting another as soon as
# one is killed (as PHP-FPM's master does for a pool's workers); then end them all.
RESPAWNER = """
import os, signal, sys, time
uid, end = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
def spawn():
    pid = os.fork()
    if pid == 0:
        os.setgroups([]); os.setgid(65534); os.setuid(uid); signal.pause(); os._exit(0)
    return pid
kids = {spawn() for _ in range(3)}
print("ready", flush=True)
while time.monotonic() < end:
    pid, _ = os.waitpid(-1, 0)
    kids.discard(pid)
    kids.add(spawn())
for pid in kids:
    os.kill(pid, signal.SIGKILL)
"""


def test_removing_an_account_outlasts_a_parent_that_restarts_its_processes(client, account_name):
    name = account_name()
    client.call("accounts.ensure", {"name": name})
    uid = pwd.getpwnam(name).pw_uid
    argv = [sys.executable, "-c", RESPAWNER, str(uid), "0.5"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as respawner:
        try:
            assert respawner.stdout is not None
            assert respawner.stdout.readline() == "ready\n"
            # One kill left a fresh process for userdel to refuse the account over.
            assert client.call("accounts.remove", {"name": name})["removed"] is True
        finally:
            respawner.kill()
    assert not user_exists(name)


@pytest.mark.parametrize("name", ["root", "www-data", "mysql", "postfix", "supercp", "nobody"])
def test_system_accounts_are_refused(client, name):
    # Reserved whether or not the machine has the user (postfix comes with the mail module).
    existed = user_exists(name)
    with pytest.raises(ValidationFailed):
        client.call("accounts.ensure", {"name": name})
    with pytest.raises(ValidationFailed):
        client.call("accounts.remove", {"name": name})
    assert user_exists(name) == existed


def test_an_existing_user_the_daemon_did_not_create_is_refused(client, account_name):
    name = account_name()
    subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", name], check=True)
    try:
        with pytest.raises(Forbidden):
            client.call("accounts.ensure", {"name": name})
        with pytest.raises(Forbidden):
            client.call("accounts.remove", {"name": name})
        assert user_exists(name)
    finally:
        subprocess.run(["userdel", name], check=True)


def test_a_suspended_account_cannot_log_in_and_runs_nothing(client, account_name):
    name = account_name()
    client.call("accounts.ensure", {"name": name, "login_shell": True})
    login = ["su", "-s", "/bin/sh", "-c", "true", name]
    assert subprocess.run(login, capture_output=True, check=False).returncode == 0
    pw = pwd.getpwnam(name)
    proc = subprocess.Popen(["sleep", "300"], user=pw.pw_uid, group=pw.pw_gid)
    try:
        account = client.call("accounts.ensure", {"name": name, "suspended": True})["account"]
        assert account["suspended"] is True
        assert proc.wait(10) != 0
    finally:
        # Reaped too, whatever happened: an unreaped Popen warns when it is collected, in
        # whichever test that happens.
        proc.kill()
        proc.wait()
    denied = subprocess.run(login, capture_output=True, text=True, check=False)
    assert denied.returncode != 0
    assert "expired" in (denied.stdout + denied.stderr).lower()
    client.call("accounts.ensure", {"name": name, "login_shell": True})
    assert subprocess.run(login, capture_output=True, check=False).returncode == 0


def test_the_disk_an_accounts_home_takes_is_measured(client, account_name):
    name = account_name()
    client.call("accounts.ensure", {"name": name})
    before = client.call("accounts.disk_usage", {"name": name})
    data = Path(f"/home/{name}/data.bin")
    data.write_bytes(os.urandom(2 * 2**20))
    after = client.call("accounts.disk_usage", {"name": name})
    assert after["complete"] is True
    assert after["bytes"] - before["bytes"] >= 2 * 2**20
    assert after["entries"] == before["entries"] + 1


@pytest.mark.parametrize("name", ["root", "www-data", "nobody", "sctnosuchaccount"])
def test_only_a_managed_accounts_disk_is_measured(client, name):
    # A system account's name is refused as reserved before anything is walked.
    with pytest.raises((ValidationFailed, NotFound)) as refused:
        client.call("accounts.disk_usage", {"name": name})
    assert refused.value.code in {"not-found", "reserved-name"}
