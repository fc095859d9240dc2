"""super-cli against a test daemon: one JSON object on success, an error object on failure.

`super-cli account …` goes through the panel's database as well; its tests are in
tests/web/test_cli.py, against the installed daemon.
"""

import json

import pytest

from supercp.cli.main import main


@pytest.fixture
def cli(test_daemon, capsys):
    def run(*args: str) -> tuple[int, dict]:
        code = main(["--socket", str(test_daemon.socket), "--json", *args])
        out = capsys.readouterr().out
        lines = out.strip().splitlines()
        assert len(lines) == 1, out  # exactly one JSON object on stdout
        return code, json.loads(lines[0])

    return run


def test_daemon_ping_prints_the_pong_result(cli):
    assert cli("daemon", "ping") == (0, {"result": "pong"})


def test_json_may_also_follow_the_command(test_daemon, capsys):
    assert main(["--socket", str(test_daemon.socket), "daemon", "ping", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"result": "pong"}


def test_system_info_reports_host_and_services(cli):
    code, info = cli("system", "info")
    assert code == 0
    assert info["os"] == {"id": "testos", "version_id": "1", "pretty_name": "Test OS 1"}
    assert info["memory"]["total"] > 0
    assert {s["name"] for s in info["services"]} >= {"nginx", "mariadb", "pdns", "pure-ftpd"}


def test_a_bad_name_is_refused_at_the_edge_with_the_field(cli, test_daemon):
    code, body = cli("account", "create", "Bad;Name")
    assert code == 1
    assert body["error"]["code"] == "validation"
    assert body["error"]["field"] == "name"
    assert test_daemon.audit_lines() == []  # never reached the daemon


def test_an_unreachable_daemon_is_reported_as_unavailable(capsys, tmp_path):
    code = main(["--socket", str(tmp_path / "none.sock"), "--json", "daemon", "ping"])
    assert code == 1
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "unavailable"


def test_a_usage_error_in_json_mode_is_an_error_object(capsys):
    assert main(["--json", "account", "frobnicate"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "usage"


def test_daemon_describe_lists_methods_with_schemas(cli):
    code, body = cli("daemon", "describe")
    assert code == 0
    ping = next(m for m in body["methods"] if m["name"] == "system.ping")
    assert ping["callers"] == ["panel", "root"]
    assert ping["result"] == {"type": "string"}
