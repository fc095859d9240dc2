"""SO_PEERCRED: root and the panel user are served; any other uid is refused and audited."""

import grp
import json
import pwd

from tests import rpc
from tests.conftest import PANEL_USER, SOCKET_GROUP
from tests.rpc import RawClient, request


def call_as(user: str, socket_path, message: dict, *, in_socket_group: bool = True) -> dict:
    groups = [grp.getgrnam(SOCKET_GROUP).gr_gid] if in_socket_group else []
    return rpc.call_as(user, groups, socket_path, message)


PING = {"jsonrpc": "2.0", "method": "system.ping", "id": 1}


def test_the_panel_user_may_ping(test_daemon):
    assert call_as(PANEL_USER, test_daemon.socket, PING)["result"] == "pong"


def test_a_stranger_in_the_socket_group_is_forbidden_and_audited(test_daemon):
    answer = call_as("nobody", test_daemon.socket, PING)
    assert answer["error"]["code"] == -32001
    assert answer["error"]["data"]["code"] == "forbidden"
    nobody = pwd.getpwnam("nobody").pw_uid
    records = [json.loads(line) for line in test_daemon.audit_lines()]
    assert any(r["uid"] == nobody and r["outcome"] == "forbidden" for r in records)


def test_a_stranger_learns_nothing_about_which_methods_exist(test_daemon):
    answer = call_as("nobody", test_daemon.socket, {**PING, "method": "no.such"})
    assert answer["error"]["data"]["code"] == "forbidden"


def test_a_user_outside_the_socket_group_cannot_even_connect(test_daemon):
    # games: neither root, nor the panel user, nor in nogroup (nobody has it as primary).
    answer = call_as("games", test_daemon.socket, PING, in_socket_group=False)
    assert answer == {"connect_error": 13}  # EACCES: the socket is 0660


def test_the_socket_is_0660_and_owned_by_root_and_the_socket_group(test_daemon):
    st = test_daemon.socket.stat()
    assert st.st_mode & 0o777 == 0o660
    assert st.st_uid == 0
    assert st.st_gid == grp.getgrnam(SOCKET_GROUP).gr_gid


def test_the_audit_log_has_one_line_per_call_with_secrets_redacted(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.call(request("system.ping"))
        c.call(request("accounts.ensure", {"name": "alice", "password": "hunter2"}))
    records = [json.loads(line) for line in test_daemon.audit_lines()]
    assert {"time", "uid", "pid", "method", "params", "outcome", "duration_ms"} <= set(records[0])
    assert records[0]["method"] == "system.ping"
    assert records[0]["outcome"] == "ok"
    assert records[1]["outcome"] == "validation"
    assert records[1]["params"] == {"name": "alice", "password": "[redacted]"}
    assert "hunter2" not in test_daemon.audit.read_text()
