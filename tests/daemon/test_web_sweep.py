"""At start, the web manager drops server blocks and pools no site record vouches for,
and temp files a crash left behind."""

from pathlib import Path

from supercp.daemon.config import DaemonConfig
from supercp.daemon.system.accounts import AccountManager
from supercp.daemon.system.runner import SystemRunner
from supercp.daemon.web.manager import WebManager
from supercp.daemon.web.records import Record
from supercp.protocol.web import SiteSpec


def test_files_without_a_record_are_removed_and_recorded_ones_kept(tmp_path: Path) -> None:
    config = DaemonConfig(root=tmp_path)
    sites = tmp_path / "etc/nginx/supercp/sites"
    pools = tmp_path / "etc/php/8.2/fpm/pool.d"
    records = tmp_path / "var/lib/supercp/sites"
    for directory in (sites, pools, records, tmp_path / "usr/sbin"):
        directory.mkdir(parents=True)
    (tmp_path / "usr/sbin/php-fpm8.2").touch()
    spec = SiteSpec(domain="kept.example", account="alice", php="8.2")
    (records / "kept.example.json").write_bytes(Record(spec, committed=True).dump())
    for name in ("kept.example", "orphan.example"):
        (sites / f"{name}.conf").write_text("server {}\n")
        (pools / f"supercp.{name}.conf").write_text("[x]\n")
    (pools / "www.conf").write_text("[www]\n")
    (sites / ".kept.example.conf.abc.tmp").write_text("")

    runner = SystemRunner()
    WebManager(config, runner, AccountManager(config, runner))

    assert sorted(p.name for p in sites.iterdir()) == ["kept.example.conf"]
    assert sorted(p.name for p in pools.iterdir()) == ["supercp.kept.example.conf", "www.conf"]


def test_the_per_site_acme_directories_of_before_are_removed(tmp_path: Path) -> None:
    config = DaemonConfig(root=tmp_path)
    acme = tmp_path / "var/lib/supercp/acme"
    (acme / ".well-known/acme-challenge").mkdir(parents=True)
    (acme / ".well-known/acme-challenge/token").write_text("now")
    (acme / "old.example").mkdir()
    (acme / "old.example/token").write_text("before")

    runner = SystemRunner()
    WebManager(config, runner, AccountManager(config, runner))

    assert [p.name for p in acme.iterdir()] == [".well-known"]
    assert (acme / ".well-known/acme-challenge/token").read_text() == "now"
