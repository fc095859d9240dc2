"""accounts.* through the daemon, applied by the real useradd/userdel to a temporary root."""

import json
import os

import pytest

from supercp.daemon.system.accounts import processes_of
from supercp.protocol.accounts import (
    ENSURE,
    LIST,
    REMOVE,
    EnsureParams,
    ListParams,
    RemoveParams,
)
from supercp.protocol.client import DaemonClient
from supercp.protocol.errors import Conflict, Forbidden, InvalidParams, ValidationFailed
from tests.conftest import UID_MAX, UID_MIN


@pytest.fixture
def client(test_daemon):
    with DaemonClient(test_daemon.socket) as c:
        yield c


def passwd(test_daemon) -> dict[str, list[str]]:
    lines = (test_daemon.root / "etc/passwd").read_text().splitlines()
    return {f[0]: f for f in (line.split(":") for line in lines)}


def test_ensure_creates_a_user_in_the_managed_range_with_a_private_home(test_daemon, client):
    result = client.invoke(ENSURE, EnsureParams(name="alice"))
    assert result.created
    entry = passwd(test_daemon)["alice"]
    assert UID_MIN <= int(entry[2]) <= UID_MAX
    assert entry[3] == "900"  # supercp-users
    assert entry[5] == "/home/alice"
    assert entry[6] == "/usr/sbin/nologin"
    home = os.lstat(test_daemon.root / "home/alice")
    assert home.st_mode & 0o7777 == 0o711
    assert (home.st_uid, home.st_gid) == (int(entry[2]), 900)
    assert result.account.uid == int(entry[2])


def test_ensure_is_idempotent_and_converges_drift(test_daemon, client):
    first = client.invoke(ENSURE, EnsureParams(name="alice"))
    (test_daemon.root / "home/alice").chmod(0o777)
    again = client.invoke(ENSURE, EnsureParams(name="alice"))
    assert not again.created
    assert again.account == first.account
    assert os.lstat(test_daemon.root / "home/alice").st_mode & 0o7777 == 0o711
    assert list(passwd(test_daemon)).count("alice") == 1


def test_ensure_gives_a_login_shell_only_when_asked_and_can_take_it_back(test_daemon, client):
    assert client.invoke(ENSURE, EnsureParams(name="bob", login_shell=True)).account.shell == (
        "/bin/bash"
    )
    assert passwd(test_daemon)["bob"][6] == "/bin/bash"
    client.invoke(ENSURE, EnsureParams(name="bob"))
    assert passwd(test_daemon)["bob"][6] == "/usr/sbin/nologin"


@pytest.mark.parametrize("name", ["root", "www-data", "nobody", "postfix", "supercp", "mysql"])
def test_ensure_refuses_system_names(test_daemon, client, name):
    with pytest.raises(ValidationFailed) as caught:
        client.invoke(ENSURE, EnsureParams(name=name))
    assert caught.value.code == "reserved-name"
    assert caught.value.field == "name"


def test_ensure_refuses_an_existing_user_it_did_not_create(test_daemon, client):
    before = (test_daemon.root / "etc/passwd").read_text()
    for name in ("carol", "mallory"):  # mallory even has a uid in range and the right group
        with pytest.raises(Forbidden) as caught:
            client.invoke(ENSURE, EnsureParams(name=name))
        assert caught.value.code == "unmanaged-account"
    assert (test_daemon.root / "etc/passwd").read_text() == before


def test_remove_refuses_accounts_it_does_not_manage(test_daemon, client):
    for name in ("carol", "mallory"):
        with pytest.raises(Forbidden):
            client.invoke(REMOVE, RemoveParams(name=name))
    with pytest.raises(ValidationFailed):
        client.invoke(REMOVE, RemoveParams(name="root"))
    assert {"carol", "mallory", "root"} <= set(passwd(test_daemon))


def test_remove_deletes_user_and_home_and_is_idempotent(test_daemon, client):
    client.invoke(ENSURE, EnsureParams(name="alice"))
    (test_daemon.root / "home/alice/file").write_text("x")
    assert client.invoke(REMOVE, RemoveParams(name="alice")).removed
    assert "alice" not in passwd(test_daemon)
    assert not (test_daemon.root / "home/alice").exists()
    assert not client.invoke(REMOVE, RemoveParams(name="alice")).removed


def test_remove_can_keep_the_home(test_daemon, client):
    client.invoke(ENSURE, EnsureParams(name="alice"))
    client.invoke(REMOVE, RemoveParams(name="alice", keep_home=True))
    assert (test_daemon.root / "home/alice").is_dir()


def test_a_symlink_where_the_home_belongs_is_refused_not_followed(test_daemon, client):
    (test_daemon.root / "home/eve").symlink_to("/etc")
    with pytest.raises(Conflict) as caught:
        client.invoke(ENSURE, EnsureParams(name="eve"))
    assert caught.value.code == "home-conflict"
    assert os.stat("/etc").st_mode & 0o7777 == 0o755


def test_list_shows_only_managed_accounts(test_daemon, client):
    client.invoke(ENSURE, EnsureParams(name="zed"))
    client.invoke(ENSURE, EnsureParams(name="alice"))
    assert [a.name for a in client.invoke(LIST).accounts] == ["alice", "zed"]


def test_list_gives_only_the_names_asked_for_that_it_manages(test_daemon, client):
    for name in ("zed", "alice", "bob"):
        client.invoke(ENSURE, EnsureParams(name=name))
    # carol is a user it did not create, nobody is no user at all: both left out.
    asked = ListParams(names=["zed", "carol", "nobody", "alice", "zed"])
    assert [a.name for a in client.invoke(LIST, asked).accounts] == ["alice", "zed"]
    assert client.invoke(LIST, ListParams(names=[])).accounts == []
    assert client.call("accounts.list", {"names": None})["accounts"][2]["name"] == "zed"
    with pytest.raises(InvalidParams):
        client.call("accounts.list", {"names": ["../etc"]})


def test_a_crash_between_marker_and_useradd_converges_on_retry(test_daemon, client):
    # The marker is written first; simulate a daemon killed right after it.
    markers = test_daemon.root / "var/lib/supercp/accounts"
    markers.mkdir(parents=True)
    (markers / "alice.json").write_text(json.dumps({"name": "alice"}))
    assert client.invoke(ENSURE, EnsureParams(name="alice")).created
    assert "alice" in passwd(test_daemon)


def test_a_crash_after_userdel_converges_on_retry(test_daemon, client):
    client.invoke(ENSURE, EnsureParams(name="alice"))
    lines = (test_daemon.root / "etc/passwd").read_text().splitlines()
    kept = [line for line in lines if not line.startswith("alice:")]
    (test_daemon.root / "etc/passwd").write_text("\n".join(kept) + "\n")
    assert client.invoke(REMOVE, RemoveParams(name="alice")).removed
    assert not (test_daemon.root / "home/alice").exists()
    assert client.invoke(LIST).accounts == []


def test_hostile_names_never_reach_the_system(test_daemon, client):
    before = (test_daemon.root / "etc/passwd").read_text()
    for name in ["a;id", "a b", "../../etc", "alice\n", "-r", "a\x00b", "A", "a" * 33]:
        with pytest.raises(InvalidParams) as caught:
            client.call("accounts.ensure", {"name": name})
        assert caught.value.field == "name"
    assert (test_daemon.root / "etc/passwd").read_text() == before


def shadow_expiry(test_daemon, name: str) -> str:
    for line in (test_daemon.root / "etc/shadow").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return fields[7]
    raise KeyError(name)


def test_suspension_is_desired_state_recorded_as_account_expiry(test_daemon, client):
    client.invoke(ENSURE, EnsureParams(name="alice"))
    assert shadow_expiry(test_daemon, "alice") == ""
    result = client.invoke(ENSURE, EnsureParams(name="alice", suspended=True))
    assert result.account.suspended
    assert shadow_expiry(test_daemon, "alice") == "1"
    assert client.invoke(LIST).accounts[0].suspended
    assert client.invoke(ENSURE, EnsureParams(name="alice", suspended=True)).account.suspended
    assert not client.invoke(ENSURE, EnsureParams(name="alice")).account.suspended
    assert shadow_expiry(test_daemon, "alice") == ""


def test_a_create_only_ensure_refuses_a_name_the_system_has_already(test_daemon, client):
    assert client.invoke(ENSURE, EnsureParams(name="alice", create_only=True)).created
    before = (test_daemon.root / "etc/passwd").read_text()
    # Its own account (which a plain ensure would converge) and one it did not create.
    for name in ("alice", "carol"):
        with pytest.raises(Conflict) as caught:
            client.invoke(ENSURE, EnsureParams(name=name, create_only=True, login_shell=True))
        assert (caught.value.code, caught.value.field) == ("account-exists", "name")
    assert (test_daemon.root / "etc/passwd").read_text() == before


def test_processes_of_a_uid_are_the_live_ones_with_it_as_real_effective_or_saved_uid(tmp_path):
    def proc(pid: str, state: str, uids: str) -> None:
        (tmp_path / pid).mkdir()
        (tmp_path / pid / "status").write_text(f"Name:\tx\nState:\t{state}\nUid:\t{uids}\n")

    proc("10", "S (sleeping)", "20001\t20001\t20001\t20001")
    proc("11", "R (running)", "0\t20001\t0\t0")  # effective
    proc("12", "S (sleeping)", "0\t0\t20001\t0")  # saved
    proc("13", "S (sleeping)", "0\t0\t0\t20001")  # fs uid only: userdel ignores it too
    proc("14", "Z (zombie)", "20001\t20001\t20001\t20001")
    proc("15", "S (sleeping)", "20002\t20002\t20002\t20002")
    (tmp_path / "16").mkdir()  # gone before its status was read
    (tmp_path / "self").mkdir()
    assert sorted(processes_of(20001, tmp_path)) == [10, 11, 12]
