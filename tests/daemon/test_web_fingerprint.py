"""The fingerprints that let a reloader skip the whole check: our per-site files are left
out, any other config file counts."""

from pathlib import Path

from supercp.daemon.config import DaemonConfig
from supercp.daemon.system.runner import SystemRunner
from supercp.daemon.web.fpm import PhpFpm
from supercp.daemon.web.layout import WebLayout
from supercp.daemon.web.nginx import Nginx


def layout(tmp_path: Path) -> WebLayout:
    result = WebLayout(DaemonConfig(root=tmp_path))
    for directory in (
        result.vhost_dir,
        result.nginx_conf.parent / "conf.d",
        result.fpm_dir("8.2") / "pool.d",
        result.fpm_dir("8.2") / "conf.d",
    ):
        directory.mkdir(parents=True)
    result.nginx_conf.write_text("events {}\n")
    return result


def test_nginx_fingerprint_ignores_our_server_blocks_and_sees_everything_else(tmp_path):
    nginx = Nginx(layout(tmp_path), SystemRunner())
    before = nginx.fingerprint()
    (nginx.layout.vhost_dir / "example.com.conf").write_text("server {}\n")
    (nginx.layout.vhost_dir / ".example.com.conf.x.tmp").write_text("")
    assert nginx.fingerprint() == before
    (nginx.layout.nginx_conf.parent / "conf.d/broken.conf").write_text("nope;\n")
    assert nginx.fingerprint() != before


def test_an_edited_nginx_conf_changes_the_fingerprint(tmp_path):
    nginx = Nginx(layout(tmp_path), SystemRunner())
    before = nginx.fingerprint()
    nginx.layout.nginx_conf.write_text("events { }\n")
    assert nginx.fingerprint() != before


def test_fpm_fingerprint_ignores_our_pools_and_sees_the_admins(tmp_path):
    fpm = PhpFpm("8.2", layout(tmp_path), SystemRunner())
    pools = fpm.layout.fpm_dir("8.2") / "pool.d"
    before = fpm.fingerprint()
    (pools / "supercp.example.com.conf").write_text("[example.com]\n")
    (pools / ".supercp.example.com.conf.x.tmp").write_text("")
    assert fpm.fingerprint() == before
    (pools / "supercp-global.conf").write_text("[global]\n")
    after = fpm.fingerprint()
    assert after != before
    (fpm.layout.fpm_dir("8.2") / "conf.d/99-supercp.ini").write_text("x=1\n")
    assert fpm.fingerprint() != after
