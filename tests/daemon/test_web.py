"""web.* at the daemon's boundary (a temporary root): hostile input never gets in."""

import os
from pathlib import Path

import pytest

from supercp.protocol.client import DaemonClient
from supercp.protocol.errors import InvalidParams, NotFound
from supercp.protocol.web import SITE_LIST

LONG_LABEL = "a" * 64 + ".example"
HOSTILE_NAMES = [
    "example.com; rm -rf /",
    "example.com\r\nHost: evil",
    "example.com\n",
    "ex$(id).com",
    "ex`id`.com",
    "example.com}",
    "{example.com",
    "exa mple.com",
    "../etc/passwd",
    "/etc/passwd",
    "example.com\x00.evil",
    "EXAMPLE.com",
    "example",
    ".example.com",
    "example..com",
    "-example.com",
    "example.com.",
    "*.example.com",
    "exämple.com",
    LONG_LABEL,
    ("a" * 60 + ".") * 5 + "com",  # 308 characters: over 253
    "",
]
HOSTILE_DOCROOTS = [
    "../bob",
    "sites/../../bob",
    "/etc",
    "/home/bob/public",
    "public/",
    "public//x",
    ".ssh",
    "public/.hidden",
    "public;rm -rf",
    "public\nroot /",
    "public\x00",
    "public}",
    "{public",
    "a/b/c/d/e/f/g/h/i",  # nine segments
    "a" * 65,
    "",
]
HOSTILE_PHP = ["8.2; id", "8", "82", "8.2\n", "../8.2", "8.2.1", "x.y", "10.0", "", "8.2 "]
HOSTILE_ACCOUNTS = ["Alice", "alice;id", "../alice", "alice\n", "", "a" * 40]


@pytest.fixture
def client(test_daemon):
    with DaemonClient(test_daemon.socket) as c:
        yield c


def nothing_written(root: Path) -> None:
    for sub in ("etc/nginx", "etc/php", "var/lib/supercp/sites", "var/log/nginx", "home"):
        path = root / sub
        found = [os.path.join(d, f) for d, _, files in os.walk(path) for f in files]
        assert found == [], found
    assert os.listdir(root / "home") == []


def apply(client: DaemonClient, **fields: object) -> object:
    params = {"domain": "example.com", "account": "alice", **fields}
    return client.call("web.site.apply", params)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_domain_is_refused_and_nothing_is_written(test_daemon, client, name):
    with pytest.raises(InvalidParams) as caught:
        apply(client, domain=name)
    assert caught.value.field == "domain"
    for method in ("web.site.remove", "web.site.suspend", "web.site.logs"):
        with pytest.raises(InvalidParams):
            client.call(method, {"domain": name})
    nothing_written(test_daemon.root)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_alias_is_refused_and_nothing_is_written(test_daemon, client, name):
    with pytest.raises(InvalidParams) as caught:
        apply(client, aliases=["www.example.com", name])
    assert caught.value.field == "aliases.1"
    nothing_written(test_daemon.root)


HOSTILE_FIELDS = [
    *(("docroot", v) for v in HOSTILE_DOCROOTS),
    *(("php", v) for v in HOSTILE_PHP),
    *(("account", v) for v in HOSTILE_ACCOUNTS),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE_FIELDS)
def test_a_hostile_docroot_php_or_account_is_refused_and_nothing_is_written(
    test_daemon, client, field, value
):
    with pytest.raises(InvalidParams) as caught:
        apply(client, **{"php": "8.2", field: value})
    assert caught.value.field == field
    nothing_written(test_daemon.root)


@pytest.mark.parametrize(
    "fields",
    [
        {"config": "server { }"},
        {"path": "/etc/nginx/nginx.conf"},
        {"limits": {"max_children": 0}},
        {"limits": {"memory_limit_mb": 10**6}},
        {"limits": {"php_admin_value": "x"}},
        {"aliases": ["www.example.com"] * 51},
        {"suspended": "yes"},
    ],
)
def test_unknown_fields_and_out_of_range_limits_are_refused(test_daemon, client, fields):
    with pytest.raises(InvalidParams):
        apply(client, **fields)
    nothing_written(test_daemon.root)


def test_a_batch_with_one_hostile_site_is_refused_whole(test_daemon, client):
    sites = [{"domain": "ok.example", "account": "alice"}, {"domain": "x;y", "account": "alice"}]
    with pytest.raises(InvalidParams) as caught:
        client.call("web.site.apply_many", {"sites": sites})
    assert caught.value.field == "sites.1.domain"
    nothing_written(test_daemon.root)


def test_unknown_sites_are_reported_as_such(test_daemon, client):
    assert client.invoke(SITE_LIST, None).sites == []
    assert client.call("web.site.remove", {"domain": "nowhere.example"})["removed"] is False
    with pytest.raises(NotFound):
        client.call("web.site.suspend", {"domain": "nowhere.example"})
    with pytest.raises(NotFound):
        client.call("web.site.logs", {"domain": "nowhere.example"})
