"""``super-daemon setup``'s appliers (apply.Swap, converge, check_with) and its OsPaths."""

import asyncio
import os
from pathlib import Path

import pytest

from supercp.daemon.setup.apply import SetupFailed, Swap, Wanted, check_with, converge
from supercp.daemon.setup.machine import OsPaths
from supercp.protocol.errors import SystemFailure, Timeout
from tests.daemon.setup_world import OS_ENV, FakeRunner, Reloads, checker, owner_and_mode, tree

# --- apply: Swap and converge --------------------------------------------------------------


def test_a_swap_writes_only_the_files_that_differ(tmp_path):
    same, other = tmp_path / "same.conf", tmp_path / "other.conf"
    same.write_bytes(b"kept\n")
    same.chmod(0o644)
    other.write_bytes(b"old\n")
    before = same.stat().st_ino
    swap = Swap([Wanted(same, b"kept\n"), Wanted(other, b"new\n"), Wanted(tmp_path / "gone", None)])
    assert swap.apply() == [other]
    assert same.stat().st_ino == before
    assert other.read_bytes() == b"new\n"


def test_a_swap_rewrites_a_file_whose_mode_or_owner_differs(tmp_path):
    path = tmp_path / "secret.cnf"
    path.write_bytes(b"password=x\n")
    path.chmod(0o644)
    os.chown(path, 1234, 1234)
    assert Swap([Wanted(path, b"password=x\n", 0o600)]).apply() == [path]
    assert owner_and_mode(path) == (0o600, 0, 0)


def test_a_failed_check_puts_every_file_back_exactly_and_reloads_nothing(tmp_path):
    edited, link, new = tmp_path / "edited.conf", tmp_path / "link.conf", tmp_path / "d/new.conf"
    edited.write_bytes(b"old\n")
    edited.chmod(0o600)
    os.chown(edited, 1234, 4321)
    link.symlink_to("../elsewhere/target.conf")
    before = tree(tmp_path)
    reload = Reloads()
    wanted = [
        Wanted(edited, b"new\n", 0o644),
        Wanted(link, None),
        Wanted(new, b"made\n"),
    ]
    with pytest.raises(SetupFailed, match=r"nginx refused .* put back: line 3: unknown directive"):
        asyncio.run(
            converge("nginx", wanted, check=checker("line 3: unknown directive"), reload=reload)
        )
    assert tree(tmp_path) == before
    assert os.readlink(link) == "../elsewhere/target.conf"
    assert not new.exists()
    assert reload.calls == []


def test_a_failed_check_puts_back_a_link_that_a_file_replaced(tmp_path):
    link = tmp_path / "default"
    link.symlink_to("/etc/nginx/sites-available/default")
    with pytest.raises(SetupFailed):
        asyncio.run(
            converge("nginx", [Wanted(link, b"ours\n")], check=checker("bad"), reload=Reloads())
        )
    assert link.is_symlink()
    assert os.readlink(link) == "/etc/nginx/sites-available/default"


def test_a_failed_reload_puts_the_files_back_and_reloads_again(tmp_path):
    path = tmp_path / "http.conf"
    path.write_bytes(b"old\n")
    reload = Reloads(SystemFailure("reload of nginx failed (exit 1): boom"), None)
    with pytest.raises(SetupFailed, match=r"nginx failed with the new configuration, so .*boom"):
        asyncio.run(converge("nginx", [Wanted(path, b"new\n")], check=checker(None), reload=reload))
    assert path.read_bytes() == b"old\n"
    assert reload.calls == [[path], [path]]


def test_a_reload_that_fails_on_the_old_files_too_says_so(tmp_path):
    path = tmp_path / "http.conf"
    path.write_bytes(b"old\n")
    reload = Reloads(SystemFailure("first"), OSError("second"))
    with pytest.raises(SetupFailed, match=r"\(first\); the previous one is back, .*too: second"):
        asyncio.run(converge("nginx", [Wanted(path, b"new\n")], check=checker(None), reload=reload))
    assert path.read_bytes() == b"old\n"
    assert len(reload.calls) == 2


def test_converge_checks_and_reloads_nothing_when_no_file_differs(tmp_path):
    path = tmp_path / "http.conf"
    path.write_bytes(b"same\n")
    path.chmod(0o644)
    checked: list[bool] = []

    async def check() -> str | None:
        checked.append(True)
        return None

    reload = Reloads()
    assert (
        asyncio.run(converge("nginx", [Wanted(path, b"same\n")], check=check, reload=reload)) == []
    )
    assert checked == []
    assert reload.calls == []


def test_a_write_that_fails_midway_puts_back_what_was_written_before_it(tmp_path):
    first = tmp_path / "first.conf"
    first.write_bytes(b"old\n")
    blocker = tmp_path / "not-a-dir"
    blocker.write_bytes(b"")
    with pytest.raises(OSError, match="not-a-dir"):
        asyncio.run(
            converge(
                "nginx",
                [Wanted(first, b"new\n"), Wanted(blocker / "second.conf", b"x\n")],
                check=checker(None),
                reload=Reloads(),
            )
        )
    assert first.read_bytes() == b"old\n"


def test_a_checker_that_times_out_puts_the_files_back(tmp_path):
    path = tmp_path / "http.conf"
    path.write_bytes(b"old\n")

    async def check() -> str | None:
        raise Timeout("nginx did not finish in time")

    reload = Reloads()
    with pytest.raises(Timeout):
        asyncio.run(converge("nginx", [Wanted(path, b"new\n")], check=check, reload=reload))
    assert path.read_bytes() == b"old\n"
    assert reload.calls == []


def test_check_with_reports_the_checkers_message_or_else_its_exit_code(tmp_path):
    runner = FakeRunner()
    runner.codes = {"nginx -t -q": 1, "php-fpm8.2 -t": 78}
    runner.said = {"nginx -t -q": "nginx: [emerg] unknown directive\nnginx: test failed\n"}
    assert asyncio.run(check_with(runner, ["nginx", "-t", "-q"])) == (
        "nginx: [emerg] unknown directive"
    )
    assert asyncio.run(check_with(runner, ["php-fpm8.2", "-t"])) == "php-fpm8.2 exited 78"
    assert asyncio.run(check_with(runner, ["true"])) is None


# --- OsPaths -------------------------------------------------------------------------------


def test_os_paths_read_every_os_variable():
    paths = OsPaths.from_environ(OS_ENV)
    assert paths.nginx_conf_d == Path("/etc/nginx/conf.d")
    assert paths.pdns_user == "pdns"
    assert paths.resolv_conf == Path("/etc/resolv.conf")


@pytest.mark.parametrize("missing", ["OS_NGINX_CONF_D", "OS_PDNS_USER", "OS_RESOLV_CONF"])
def test_os_paths_name_the_first_missing_os_variable(missing):
    env = {k: v for k, v in OS_ENV.items() if k != missing}
    with pytest.raises(SetupFailed, match=f"^{missing} is not set"):
        OsPaths.from_environ(env)


def test_os_paths_name_the_first_of_several_missing_os_variables():
    env = {k: v for k, v in OS_ENV.items() if k not in ("OS_MARIADB_SOCKET", "OS_LOGROTATE_D")}
    with pytest.raises(SetupFailed, match=r"^OS_MARIADB_SOCKET is not set: run setup through"):
        OsPaths.from_environ(env)


def test_os_paths_take_an_empty_os_variable_for_a_missing_one():
    with pytest.raises(SetupFailed, match=r"^OS_NGINX_CONF_D is not set"):
        OsPaths.from_environ({})
    with pytest.raises(SetupFailed, match=r"^OS_MARIADB_SOCKET is not set"):
        OsPaths.from_environ({**OS_ENV, "OS_MARIADB_SOCKET": ""})
