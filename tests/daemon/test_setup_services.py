"""``super-daemon setup``'s MariaDB, PowerDNS and panel steps, and the directories it owns."""

import asyncio
import os
import re
from pathlib import Path

import pytest

from supercp.daemon.setup import mariadb as setup_mariadb_module
from supercp.daemon.setup.apply import SetupFailed
from supercp.daemon.setup.mariadb import setup_mariadb
from supercp.daemon.setup.panel import our_directories, setup_panel
from supercp.daemon.setup.pdns import resolver, setup_pdns
from tests.daemon.setup_world import (
    HOST,
    OS_ENV,
    SCHEMA,
    TLS_DIR,
    make_world,
    owner_and_mode,
    passwords,
    pdns_world,
    run,
    schema_loads,
)

# --- MariaDB -------------------------------------------------------------------------------


def test_setup_mariadb_generates_the_panel_password_once_and_keeps_it(tmp_path):
    w = make_world(tmp_path)
    run(setup_mariadb(w.machine))
    secret = w.machine.secrets / "mariadb-panel.cnf"
    [password] = re.findall(r"^password=([0-9a-f]{48})$", secret.read_text(), re.MULTILINE)
    assert owner_and_mode(secret) == (0o600, 0, 0)
    run(setup_mariadb(w.machine))
    assert re.findall(r"^password=(\S+)$", secret.read_text(), re.MULTILINE) == [password]
    assert f"IDENTIFIED BY '{password}'" in w.runner.sql()[-1]


def test_the_panels_copy_of_its_login_is_0640_for_the_panels_group(tmp_path):
    w = make_world(tmp_path)
    run(setup_mariadb(w.machine))
    copy = w.machine.panel_etc / "mariadb.cnf"
    assert owner_and_mode(copy) == (0o640, 0, os.getgid())
    assert "user=supercp\n" in copy.read_text()
    assert passwords(w)[0] in copy.read_text()
    assert f"mariadb --defaults-file={copy} --protocol=socket -e SELECT 1 supercp" in (
        w.runner.lines()
    )


def test_setup_mariadb_writes_its_server_settings_and_checks_them(tmp_path):
    w = make_world(tmp_path)
    run(setup_mariadb(w.machine))
    conf = w.path("/etc/mysql/mariadb.conf.d/60-supercp.cnf")
    assert "max_connections = 600" in conf.read_text()
    assert "mariadbd --help --verbose" in w.runner.lines()
    assert not [line for line in w.runner.lines() if "restart" in line]


def test_a_mariadb_refusing_the_settings_gets_the_old_file_back(tmp_path):
    w = make_world(tmp_path)
    conf = w.path("/etc/mysql/mariadb.conf.d/60-supercp.cnf")
    conf.parent.mkdir(parents=True)
    conf.write_text("[mariadbd]\nmax_connections = 300\n")
    w.runner.codes["mariadbd --help --verbose"] = 7
    w.runner.said["mariadbd --help --verbose"] = "unknown variable 'max_connections=600'"
    with pytest.raises(SetupFailed, match="unknown variable"):
        run(setup_mariadb(w.machine))
    assert conf.read_text() == "[mariadbd]\nmax_connections = 300\n"


def test_no_password_ever_appears_on_a_command_line(tmp_path):
    w = make_world(tmp_path)
    (w.path(OS_ENV["OS_PDNS_SCHEMA"])).parent.mkdir(parents=True)
    w.path(OS_ENV["OS_PDNS_SCHEMA"]).write_text(SCHEMA)
    run(setup_mariadb(w.machine))
    run(setup_pdns(w.machine))
    found = passwords(w)
    assert len(found) == 3
    for password in found:
        assert not [c.argv for c in w.runner.calls if any(password in a for a in c.argv)]
        assert any(password in sql for sql in w.runner.sql())


@pytest.mark.parametrize(
    ("have", "raised"), [("151", True), ("599", True), ("600", False), ("1000", False)]
)
def test_max_connections_is_set_only_when_lower_than_the_templates(tmp_path, have, raised):
    w = make_world(tmp_path)
    w.runner.max_connections = have
    run(setup_mariadb(w.machine))
    assert ("SET GLOBAL max_connections = 600;" in w.runner.sql()) is raised


def test_the_panels_database_and_user_are_converged_with_exactly_its_grants(tmp_path):
    w = make_world(tmp_path)
    run(setup_mariadb(w.machine))
    [password] = passwords(w)
    database, user = w.runner.sql()[-2:]
    assert database.startswith("CREATE DATABASE IF NOT EXISTS `supercp` CHARACTER SET utf8mb4")
    assert user.splitlines() == [
        f"CREATE USER IF NOT EXISTS 'supercp'@'localhost' IDENTIFIED BY '{password}';",
        f"ALTER USER 'supercp'@'localhost' IDENTIFIED BY '{password}';",
        "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'supercp'@'localhost';",
        "GRANT ALL PRIVILEGES ON `supercp`.* TO 'supercp'@'localhost';",
    ]


def test_a_secrets_file_without_a_usable_password_stops_setup(tmp_path):
    w = make_world(tmp_path)
    secret = w.machine.secrets / "mariadb-panel.cnf"
    secret.parent.mkdir(parents=True)
    secret.write_text("[client]\npassword=short\n")
    with pytest.raises(SetupFailed, match="holds no usable password"):
        run(setup_mariadb(w.machine))
    assert secret.read_text() == "[client]\npassword=short\n"


def test_a_panel_login_that_does_not_work_stops_setup(tmp_path):
    w = make_world(tmp_path)
    copy = w.machine.panel_etc / "mariadb.cnf"
    login = f"mariadb --defaults-file={copy} --protocol=socket -e SELECT 1 supercp"
    w.runner.codes[login] = 1
    w.runner.said[login] = "ERROR 1045 (28000): Access denied\n"
    with pytest.raises(SetupFailed, match=r"cannot log in to MariaDB .*Access denied$"):
        run(setup_mariadb(w.machine))


def test_a_failing_sql_statement_stops_setup_with_mariadbs_message(tmp_path):
    w = make_world(tmp_path)
    sql = ["mariadb", "--protocol=socket", "-u", "root", "-N", "-B"]
    w.runner.codes[" ".join(sql)] = 1
    w.runner.said[" ".join(sql)] = "ERROR 2002 (HY000): Can't connect"
    with pytest.raises(SetupFailed, match=r"MariaDB: mariadb failed .*Can't connect"):
        asyncio.run(setup_mariadb_module.sql(w.machine, "SELECT 1;"))


# --- PowerDNS ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resolv_conf", "address"),
    [
        ("nameserver 9.9.9.9\n", "9.9.9.9"),
        ("# nameserver 127.0.0.1\nsearch example.test\nnameserver 1.1.1.1\n", "1.1.1.1"),
        ("nameserver 192.0.2.53\nnameserver 127.0.0.53\n", "192.0.2.53"),
        ("nameserver 2620:fe::fe\n", "[2620:fe::fe]:53"),
    ],
)
def test_the_resolver_is_the_first_nameserver_when_it_is_public(resolv_conf, address):
    found, why = resolver(resolv_conf)
    assert found == address
    assert why == f"ALIAS records resolve through {address}"


@pytest.mark.parametrize(
    ("resolv_conf", "reason"),
    [
        ("nameserver 127.0.0.53\nnameserver 9.9.9.9\n", "127.0.0.53 is on the loopback"),
        ("nameserver ::1\n", "::1 is on the loopback"),
        ("nameserver ::ffff:127.0.0.1\n", "::ffff:127.0.0.1 is on the loopback"),
        ("nameserver 0.0.0.0\n", "0.0.0.0 is on the loopback"),
        ("nameserver dns.example.test\n", "dns.example.test is no address"),
        ("search example.test\nnameserver\n", "names no nameserver"),
        ("", "names no nameserver"),
    ],
)
def test_there_is_no_resolver_on_the_loopback_or_without_an_address(resolv_conf, reason):
    found, why = resolver(resolv_conf)
    assert found is None
    assert reason in why


def test_setup_pdns_loads_the_schema_only_into_an_empty_database(tmp_path):
    w = pdns_world(tmp_path)
    run(setup_pdns(w.machine))
    [load] = schema_loads(w)
    assert load.input == SCHEMA.encode()
    w.runner.forget()
    w.runner.domains_tables = "1"
    run(setup_pdns(w.machine))
    assert schema_loads(w) == []


def test_setup_pdns_without_debians_schema_stops_setup(tmp_path):
    w = pdns_world(tmp_path)
    w.path(OS_ENV["OS_PDNS_SCHEMA"]).unlink()
    with pytest.raises(SetupFailed, match=r"schema\.mysql\.sql is missing"):
        run(setup_pdns(w.machine))


def test_gmysql_conf_holds_the_pdns_password_readable_by_the_pdns_group(tmp_path):
    w = pdns_world(tmp_path)
    run(setup_pdns(w.machine))
    gmysql = w.path("/etc/powerdns/pdns.d/gmysql.conf")
    secret = (w.machine.secrets / "mariadb-pdns.cnf").read_text()
    [password] = re.findall(r"^password=(\S+)$", secret, re.MULTILINE)
    assert f"gmysql-password={password}\n" in gmysql.read_text()
    assert "gmysql-socket=/run/mysqld/mysqld.sock\n" in gmysql.read_text()
    assert owner_and_mode(gmysql) == (0o640, 0, os.getgid())
    assert "include-dir=/etc/powerdns/pdns.d\n" in w.path("/etc/powerdns/pdns.conf").read_text()
    assert owner_and_mode(w.machine.panel_etc / "mariadb-dns.cnf") == (0o640, 0, os.getgid())


def test_setup_pdns_gives_pdns_and_the_panel_their_own_logins(tmp_path):
    w = pdns_world(tmp_path)
    run(setup_pdns(w.machine))
    statements = "".join(w.runner.sql())
    assert "GRANT SELECT ON `powerdns`.* TO 'pdns'@'localhost';" in statements
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON `powerdns`.* TO 'supercp_dns'@'localhost';" in (
        statements
    )
    assert "CREATE DATABASE IF NOT EXISTS `powerdns` CHARACTER SET latin1" in statements


def test_a_public_resolver_goes_into_supercp_resolver_conf(tmp_path):
    w = pdns_world(tmp_path, "nameserver 2620:fe::fe\n")
    run(setup_pdns(w.machine))
    conf = w.path("/etc/powerdns/pdns.d/supercp-resolver.conf").read_text()
    assert "resolver=[2620:fe::fe]:53\n" in conf


def test_a_resolver_on_the_loopback_leaves_supercp_resolver_conf_out(tmp_path):
    w = pdns_world(tmp_path)
    run(setup_pdns(w.machine))
    conf = w.path("/etc/powerdns/pdns.d/supercp-resolver.conf")
    assert conf.exists()
    w.path(OS_ENV["OS_RESOLV_CONF"]).write_text("nameserver 127.0.0.53\n")
    run(setup_pdns(w.machine))
    assert not conf.exists()
    assert any("ALIAS records answer no addresses" in line for line in w.said)


def test_setup_pdns_removes_debians_bind_backend(tmp_path):
    w = pdns_world(tmp_path)
    bind = w.path("/etc/powerdns/pdns.d/bind.conf")
    bind.parent.mkdir(parents=True)
    bind.write_text("launch+=bind\n")
    run(setup_pdns(w.machine))
    assert not bind.exists()


def test_a_failing_pdns_check_puts_the_previous_pdns_conf_back(tmp_path):
    w = pdns_world(tmp_path)
    pdns_dir = w.path("/etc/powerdns")
    (pdns_dir / "pdns.d").mkdir(parents=True)
    (pdns_dir / "pdns.conf").write_text("launch=bind\n")
    (pdns_dir / "pdns.d/bind.conf").write_text("bind-config=/etc/powerdns/named.conf\n")
    check = f"pdns_server --config-dir={pdns_dir} --config=check"
    w.runner.codes[check] = 1
    w.runner.said[check] = "Fatal error: Unknown setting 'zone-cache-refresh-interval'"
    with pytest.raises(SetupFailed, match=r"PowerDNS refused .*Unknown setting"):
        run(setup_pdns(w.machine))
    assert (pdns_dir / "pdns.conf").read_text() == "launch=bind\n"
    assert (pdns_dir / "pdns.d/bind.conf").exists()
    assert not (pdns_dir / "pdns.d/gmysql.conf").exists()
    assert not [line for line in w.runner.lines() if "pdns restart" in line]


def test_pdns_is_restarted_only_when_its_configuration_differs_from_what_it_runs(tmp_path):
    w = pdns_world(tmp_path)
    run(setup_pdns(w.machine))
    assert "service pdns restart" in w.runner.lines()
    w.runner.forget()
    run(setup_pdns(w.machine))
    assert "service pdns restart" not in w.runner.lines()
    # A restart after setup's, by hand, with a file edited in between: the stamp no longer
    # matches, so the next run restarts it onto setup's files.
    w.path("/run/pdns.install.sha256").write_text("other\n")
    w.runner.forget()
    run(setup_pdns(w.machine))
    assert "service pdns restart" in w.runner.lines()


def test_a_pdns_that_does_not_answer_stops_setup(tmp_path):
    w = pdns_world(tmp_path)
    w.runner.codes["pdns_control rping"] = 1
    w.runner.said["pdns_control rping"] = (
        "Unable to connect to remote '/run/pdns/pdns.controlsocket'"
    )
    with pytest.raises(SetupFailed, match="does not answer on its control socket: Unable"):
        run(setup_pdns(w.machine))


# --- the panel's secrets -------------------------------------------------------------------


def test_the_secret_key_is_generated_once_and_never_replaced(tmp_path):
    w = make_world(tmp_path)
    cert, key = Path(TLS_DIR, "panel.crt"), Path(TLS_DIR, "panel.key")
    run(setup_panel(w.machine, cert, key))
    secret_key = w.machine.panel_etc / "secret_key"
    first = secret_key.read_text()
    assert re.fullmatch(r"[0-9a-f]{64}\n", first)
    assert owner_and_mode(secret_key) == (0o640, 0, os.getgid())
    run(setup_panel(w.machine, cert, key))
    assert secret_key.read_text() == first
    secret_key.write_text("an admin's own key\n")
    run(setup_panel(w.machine, cert, key))
    assert secret_key.read_text() == "an admin's own key\n"


def test_an_empty_secret_key_is_generated_again(tmp_path):
    w = make_world(tmp_path)
    secret_key = w.machine.panel_etc / "secret_key"
    secret_key.parent.mkdir(parents=True)
    secret_key.write_text("")
    run(setup_panel(w.machine, Path(TLS_DIR, "panel.crt"), Path(TLS_DIR, "panel.key")))
    assert re.fullmatch(r"[0-9a-f]{64}\n", secret_key.read_text())


def test_a_missing_certificate_in_our_directory_is_made_self_signed(tmp_path):
    w = make_world(tmp_path)
    cert, key = Path(TLS_DIR, "panel.crt"), Path(TLS_DIR, "panel.key")
    run(setup_panel(w.machine, cert, key))
    [openssl] = [c.argv for c in w.runner.calls if c.argv[0] == "openssl"]
    assert openssl[:5] == ("openssl", "req", "-x509", "-newkey", "ec")
    assert f"/CN={HOST}" in openssl
    assert f"subjectAltName=DNS:{HOST},IP:127.0.0.1,IP:::1" in openssl
    assert w.path(str(key)).read_text() == "made by -keyout\n"
    assert w.path(str(cert)).read_text() == "made by -out\n"
    for path in (cert, key):
        assert owner_and_mode(w.path(str(path))) == (0o640, 0, os.getgid())
        assert f"runuser -u supercp -- test -r {path}" in w.runner.lines()
    tls = w.path(TLS_DIR)
    assert owner_and_mode(tls) == (0o750, 0, os.getgid())
    assert sorted(p.name for p in tls.iterdir()) == ["panel.crt", "panel.key"]
    w.runner.forget()
    run(setup_panel(w.machine, cert, key))
    assert not [c for c in w.runner.calls if c.argv[0] == "openssl"]


def test_a_configured_certificate_that_exists_is_used_as_it_is(tmp_path):
    w = make_world(tmp_path)
    cert, key = Path("/etc/ssl/panel/fullchain.pem"), Path("/etc/ssl/panel/privkey.pem")
    w.path(str(cert)).parent.mkdir(parents=True)
    w.path(str(cert)).write_text("chain\n")
    w.path(str(key)).write_text("key\n")
    run(setup_panel(w.machine, cert, key))
    assert not [c for c in w.runner.calls if c.argv[0] == "openssl"]
    assert w.path(str(cert)).read_text() == "chain\n"


def test_missing_tls_files_outside_our_directory_stop_setup(tmp_path):
    w = make_world(tmp_path)
    cert, key = Path("/etc/ssl/panel/fullchain.pem"), Path(TLS_DIR, "panel.key")
    with pytest.raises(SetupFailed, match=r"names /etc/ssl/panel/fullchain\.pem and .*must exist"):
        run(setup_panel(w.machine, cert, key))
    assert not [c for c in w.runner.calls if c.argv[0] == "openssl"]


def test_a_certificate_the_panel_cannot_read_stops_setup(tmp_path):
    w = make_world(tmp_path)
    cert, key = Path(TLS_DIR, "panel.crt"), Path(TLS_DIR, "panel.key")
    w.runner.codes[f"runuser -u supercp -- test -r {key}"] = 1
    with pytest.raises(SetupFailed, match=f"supercp cannot read {key}"):
        run(setup_panel(w.machine, cert, key))


def test_our_directories_are_root_s_and_readable_by_the_panel_only_where_meant(tmp_path):
    w = make_world(tmp_path)
    stray = w.machine.secrets / "mariadb-panel.cnf"
    stray.parent.mkdir(parents=True)
    stray.write_text("password=x\n")
    stray.chmod(0o644)
    our_directories(w.machine)
    assert owner_and_mode(w.machine.secrets) == (0o700, 0, 0)
    assert owner_and_mode(stray) == (0o600, 0, 0)
    assert owner_and_mode(w.machine.panel_etc) == (0o750, 0, os.getgid())
    assert owner_and_mode(w.machine.state_dir / "panel")[0] == 0o750
