"""``super-daemon setup``'s nginx and PHP-FPM step (setup_web) against a temporary root."""

import os
import re

import pytest

from supercp.daemon.setup.apply import SetupFailed
from supercp.daemon.setup.web import setup_web
from tests.daemon.setup_world import (
    OS_ENV,
    debian_default_site,
    make_world,
    owner_and_mode,
    run,
    tree,
)


def test_setup_web_on_an_empty_root_writes_our_files_and_checks_them(tmp_path):
    w = make_world(tmp_path)
    run(setup_web(w.machine))
    supercp = w.path("/etc/nginx/supercp")
    assert (supercp / "http.conf").read_text().startswith("# GetSuperCP: http-level settings")
    assert "include /etc/nginx/supercp/sites/*.conf;" in (
        w.path("/etc/nginx/conf.d/supercp.conf").read_text()
    )
    assert "listen 80 default_server;" in (supercp / "default-server.conf").read_text()
    pool = w.path("/etc/php/8.2/fpm/pool.d/supercp-global.conf")
    assert "process_control_timeout = 10s" in pool.read_text()
    assert "/var/log/nginx/supercp/*.log" in w.path("/etc/logrotate.d/supercp-sites").read_text()
    assert re.fullmatch(
        r'ULIMIT="-n \d+" # GetSuperCP: .*\n', w.path("/etc/default/nginx").read_text()
    )
    lines = w.runner.lines()
    assert "nginx -t -q" in lines
    assert f"{w.root}/usr/sbin/php-fpm8.2 -t" in lines
    # The new open-file limit needs new masters (Debian's init scripts, no systemd).
    assert "service nginx restart" in lines
    assert "service php8.2-fpm restart" in lines
    assert owner_and_mode(w.path("/var/log/nginx/supercp")) == (0o750, 0, os.getgid())


@pytest.mark.parametrize(
    "link", ["/etc/nginx/sites-available/default", "../sites-available/default"]
)
def test_setup_web_removes_debians_default_site_link_for_our_default_server(tmp_path, link):
    w = make_world(tmp_path)
    site = debian_default_site(w, link)
    run(setup_web(w.machine))
    assert not site.is_symlink()
    assert not site.exists()
    assert w.path(OS_ENV["OS_NGINX_DEFAULT_SITE_TARGET"]).exists()
    assert w.path("/etc/nginx/supercp/default-server.conf").exists()


def test_setup_web_keeps_an_admins_own_default_site_and_writes_no_default_server(tmp_path):
    w = make_world(tmp_path)
    site = w.path(OS_ENV["OS_NGINX_DEFAULT_SITE"])
    site.parent.mkdir(parents=True)
    site.write_text("server { listen 80 default_server; root /srv/alice; }\n")
    run(setup_web(w.machine))
    assert site.read_text() == "server { listen 80 default_server; root /srv/alice; }\n"
    assert not w.path("/etc/nginx/supercp/default-server.conf").exists()


def test_setup_web_keeps_an_admins_link_to_a_site_of_their_own(tmp_path):
    w = make_world(tmp_path)
    site = debian_default_site(w, "/etc/nginx/sites-available/alice")
    run(setup_web(w.machine))
    assert os.readlink(site) == "/etc/nginx/sites-available/alice"
    assert not w.path("/etc/nginx/supercp/default-server.conf").exists()


@pytest.mark.parametrize("systemd", [False, True])
def test_a_second_setup_web_writes_nothing_and_checks_and_reloads_nothing(tmp_path, systemd):
    w = make_world(tmp_path, systemd=systemd)
    debian_default_site(w)
    run(setup_web(w.machine))
    before = tree(w.root)
    w.runner.forget()
    run(setup_web(w.machine))
    assert tree(w.root) == before
    lines = w.runner.lines()
    assert not [line for line in lines if " -t" in line]
    assert not [line for line in lines if re.search(r"reload|restart", line)]
    assert "    nginx and PHP-FPM settings unchanged" in w.said


def test_a_failing_nginx_check_puts_the_old_http_conf_and_the_default_site_link_back(tmp_path):
    w = make_world(tmp_path)
    site = debian_default_site(w)
    http = w.path("/etc/nginx/supercp/http.conf")
    http.parent.mkdir(parents=True)
    http.write_text("# the previous release's http.conf\n")
    w.runner.codes["nginx -t -q"] = 1
    w.runner.said["nginx -t -q"] = "nginx: [emerg] unknown directive in http.conf:9"
    with pytest.raises(SetupFailed, match=r"unknown directive in http\.conf:9"):
        run(setup_web(w.machine))
    assert http.read_text() == "# the previous release's http.conf\n"
    assert os.readlink(site) == OS_ENV["OS_NGINX_DEFAULT_SITE_TARGET"]
    assert not w.path("/etc/nginx/supercp/default-server.conf").exists()
    assert not w.path("/etc/nginx/conf.d/supercp.conf").exists()
    assert not [line for line in w.runner.lines() if re.search(r"reload|restart", line)]


def test_a_failing_php_fpm_check_puts_everything_back_too(tmp_path):
    w = make_world(tmp_path)
    fpm_check = f"{w.root}/usr/sbin/php-fpm8.2 -t"
    w.runner.codes[fpm_check] = 78
    w.runner.said[fpm_check] = "ERROR: [pool www] unknown entry"
    with pytest.raises(SetupFailed, match=r"\[pool www\] unknown entry"):
        run(setup_web(w.machine))
    assert not w.path("/etc/php/8.2/fpm/pool.d/supercp-global.conf").exists()
    assert not w.path("/etc/nginx/supercp/http.conf").exists()


def test_on_systemd_setup_web_adds_open_file_drop_ins_and_restarts_the_services(tmp_path):
    w = make_world(tmp_path, systemd=True)
    run(setup_web(w.machine))
    units = w.path("/etc/systemd/system")
    for unit in ["nginx", "php8.2-fpm", "supercp-php-fpm@"]:
        drop_in = units / f"{unit}.service.d/supercp-open-files.conf"
        assert "LimitNOFILE=524288" in drop_in.read_text()
    assert not w.path("/etc/default/nginx").exists()
    lines = w.runner.lines()
    assert "systemctl daemon-reload" in lines
    assert "systemctl restart nginx" in lines
    assert "systemctl restart php8.2-fpm" in lines
    assert lines.index("systemctl daemon-reload") < lines.index("systemctl restart nginx")


def test_a_change_without_a_new_limit_only_reloads(tmp_path):
    w = make_world(tmp_path, systemd=True)
    run(setup_web(w.machine))
    w.path("/etc/nginx/supercp/http.conf").write_text("# edited by hand\n")
    w.runner.forget()
    run(setup_web(w.machine))
    lines = w.runner.lines()
    assert "systemctl reload nginx" in lines
    assert "systemctl reload php8.2-fpm" in lines
    assert not [line for line in lines if "restart" in line or "daemon-reload" in line]


def test_without_systemd_our_ulimit_line_replaces_the_old_one_and_keeps_the_admins(tmp_path):
    w = make_world(tmp_path)
    defaults = w.path("/etc/default/nginx")
    defaults.parent.mkdir(parents=True)
    defaults.write_text(
        'DAEMON_OPTS="-g daemon on;"\n'
        'ULIMIT="-n 4096" # GetSuperCP: one error log per site, two while nginx reloads\n'
    )
    w.machine.rebuild_stamp.parent.mkdir(parents=True)
    w.machine.rebuild_stamp.write_text("abc\n")
    run(setup_web(w.machine))
    lines = defaults.read_text().splitlines()
    assert lines[0] == 'DAEMON_OPTS="-g daemon on;"'
    assert len(lines) == 2
    assert re.fullmatch(r'ULIMIT="-n \d+" # GetSuperCP: .*', lines[1])
    assert (
        lines[1] != 'ULIMIT="-n 4096" # GetSuperCP: one error log per site, two while nginx reloads'
    )
    # Debian's php-fpm init script stopped the daemon's shard masters: the sites' rebuild
    # after setup starts them again.
    assert not w.machine.rebuild_stamp.exists()


def test_setup_web_starts_a_service_that_does_not_run(tmp_path):
    w = make_world(tmp_path)
    w.runner.stopped.add("nginx")
    run(setup_web(w.machine))
    lines = w.runner.lines()
    assert "service nginx start" in lines
    # Not running: it reads the new files when it starts, so no restart.
    assert "service nginx restart" not in lines


def test_setup_web_without_php_fpm_stops_setup(tmp_path):
    w = make_world(tmp_path)
    (w.root / "usr/sbin/php-fpm8.2").unlink()
    with pytest.raises(SetupFailed, match="no php-fpm is installed"):
        run(setup_web(w.machine))
