"""What the installer promises: the daemon runs, answers, and only its callers get in."""

import grp
import json
import os
import pwd
import socket
import subprocess

from tests.integration.conftest import SOCKET, SUPER_CLI
from tests.rpc import call_as


def ping_as(user: str, extra_groups: list[str]) -> dict:
    # The user's own groups, as a login or a service manager would give them, plus extras.
    groups = os.getgrouplist(user, pwd.getpwnam(user).pw_gid)
    groups += [grp.getgrnam(g).gr_gid for g in extra_groups]
    return call_as(user, groups, SOCKET, {"jsonrpc": "2.0", "method": "system.ping", "id": 1})


def test_super_cli_json_daemon_ping_prints_pong():
    done = subprocess.run([SUPER_CLI, "--json", "daemon", "ping"], capture_output=True, check=True)
    assert json.loads(done.stdout) == {"result": "pong"}


def test_the_socket_is_0660_root_and_supercp_daemon():
    st = SOCKET.stat()
    assert st.st_mode & 0o777 == 0o660
    assert st.st_uid == 0
    assert grp.getgrgid(st.st_gid).gr_name == "supercp-daemon"


def test_supercp_daemon_group_holds_only_the_panel_user():
    group = grp.getgrnam("supercp-daemon")
    primary = [p.pw_name for p in pwd.getpwall() if p.pw_gid == group.gr_gid]
    assert sorted(set(group.gr_mem) | set(primary)) == ["supercp"]


def test_the_panel_service_user_may_call():
    assert ping_as("supercp", [])["result"] == "pong"


def test_other_users_cannot_connect():
    assert ping_as("nobody", []) == {"connect_error": 13}


def test_a_caller_that_reaches_the_socket_anyway_is_forbidden_and_audited():
    answer = ping_as("nobody", ["supercp-daemon"])
    assert answer["error"]["data"]["code"] == "forbidden"
    nobody = pwd.getpwnam("nobody").pw_uid
    with open("/var/log/supercp/audit.jsonl", encoding="utf-8") as fh:
        tail = fh.readlines()[-50:]
    assert any(
        json.loads(line)["uid"] == nobody and json.loads(line)["outcome"] == "forbidden"
        for line in tail
    )


def test_the_audit_log_is_not_world_readable():
    assert os.stat("/var/log/supercp/audit.jsonl").st_mode & 0o007 == 0


def test_system_info_describes_this_machine(client):
    info = client.call("system.info")
    assert info["hostname"] == socket.gethostname()
    assert info["os"]["id"] in {"debian", "ubuntu"}
    assert info["kernel"] == os.uname().release
    assert any(d["mount"] == "/" for d in info["disks"])
    assert {s["name"] for s in info["services"]} == {
        "nginx",
        "php-fpm",
        "mariadb",
        "postfix",
        "dovecot",
        "pdns",
        "pure-ftpd",
    }
