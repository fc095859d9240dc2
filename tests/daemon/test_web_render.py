"""The renderers against golden files (regenerate with SUPERCP_GOLDEN=update and review)."""

import os
from pathlib import Path

import pytest

from supercp.daemon.config import DaemonConfig
from supercp.daemon.web.layout import WebLayout, stem
from supercp.daemon.web.render import render_fpm_ini, render_pool, render_vhost
from supercp.protocol.web import PhpLimits, SiteSpec

GOLDEN = Path(__file__).parent / "golden" / "web"
LAYOUT = WebLayout(DaemonConfig())

CASES = {
    "php": SiteSpec(domain="example.com", account="alice", aliases=["www.example.com"], php="8.2"),
    "redirect": SiteSpec(
        domain="example.org",
        account="alice",
        aliases=["www.example.org", "example.net"],
        redirect_aliases=True,
        php="8.2",
        docroot="public_html",
        limits=PhpLimits(max_children=9, memory_limit_mb=512, upload_max_mb=100),
    ),
    "static": SiteSpec(domain="static.example", account="bob"),
    "suspended": SiteSpec(
        domain="example.com",
        account="alice",
        aliases=["www.example.com"],
        php="8.2",
        suspended=True,
    ),
}


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SUPERCP_GOLDEN") == "update":
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from its golden file"


@pytest.mark.parametrize("case", sorted(CASES))
def test_vhost_matches_its_golden_file(case):
    check(f"{case}.nginx.conf", render_vhost(LAYOUT.plan(CASES[case], "supercp-users")))


@pytest.mark.parametrize("case", ["php", "redirect"])
def test_pool_matches_its_golden_file(case):
    check(f"{case}.pool.conf", render_pool(LAYOUT.plan(CASES[case], "supercp-users")))


def test_fpm_ini_matches_its_golden_file():
    check("fpm.ini", render_fpm_ini())


def test_a_static_site_has_no_pool():
    with pytest.raises(ValueError, match="static"):
        render_pool(LAYOUT.plan(CASES["static"], "supercp-users"))


def test_long_domains_give_short_file_and_socket_names():
    domain = ".".join(["a" * 63] * 3) + "." + "b" * 61
    assert len(domain) == 253
    plan = LAYOUT.plan(SiteSpec(domain=domain, account="alice", php="8.2"), "supercp-users")
    assert len(stem(domain)) <= 200
    assert len(LAYOUT.pool("8.2", domain).name) < 241
    assert plan.socket is not None
    assert len(str(plan.socket).encode()) < 108
    assert stem(domain) != stem(domain[:-1] + "c")
