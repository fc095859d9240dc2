"""super-cli site … and rebuild, run in-process on the test database."""

from __future__ import annotations

import json
import secrets

import idna
import pytest

from supercp.cli.main import main
from supercp.web.core.authz import Actor
from supercp.web.core.models import AuditEvent
from supercp.web.sites import services
from supercp.web.sites.models import Site
from tests.web.test_sites_api import serves_php
from tests.web.test_sites_services import (
    HOSTILE_DOCROOTS,
    HOSTILE_NAMES,
    HOSTILE_PHP,
    counts,
    nothing_written,
)

pytestmark = pytest.mark.usefixtures("sites_cleanup")


def cli(capsys, *args: str) -> tuple[int, dict]:
    code = main(["--json", *args])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines
    return code, json.loads(lines[0])


def domain() -> str:
    return f"cli-{secrets.token_hex(4)}.example.test"


@pytest.mark.parametrize(
    "case",
    [
        ("domain", [n for n in HOSTILE_NAMES if n and not n.startswith("-")], "domain"),
        ("--alias", [n for n in HOSTILE_NAMES if n], "aliases"),
        ("--docroot", [d for d in HOSTILE_DOCROOTS if not d.startswith("-")], "docroot"),
        ("--php", [p for p in HOSTILE_PHP if p], "php"),
    ],
)
def test_hostile_input_is_refused_with_nothing_written(world, capsys, no_daemon, case):
    option, values, field = case
    before = counts()
    for bad in values:
        args = ["site", "create", "--account", world.bob_account.name]
        args += [bad] if option == "domain" else [domain(), option, bad]
        code, body = cli(capsys, *args)
        assert code == 1, (bad, body)
        assert body["error"]["field"] == field, (bad, body)
    assert nothing_written(before)
    assert no_daemon == []


def test_a_site_is_created_shown_listed_suspended_and_deleted(world, capsys):
    name = domain()
    code, body = cli(capsys, "site", "create", name, "--account", world.bob_account.name, "--www")
    assert code == 0, body
    site = body["site"]
    assert (site["domain"], site["account"], site["aliases"]) == (
        name,
        world.bob_account.name,
        [f"www.{name}"],
    )
    assert site["document_root"].startswith("/")
    assert site["php"] == services.php_versions(Actor.root()).default
    assert site["state"] == "active"
    assert cli(capsys, "site", "show", name)[1]["site"] == site
    listed = cli(capsys, "site", "list")[1]["sites"]
    assert [s["domain"] for s in listed] == [name]
    assert cli(capsys, "site", "suspend", name)[1]["site"]["state"] == "suspended"
    assert cli(capsys, "site", "unsuspend", name)[1]["site"]["state"] == "active"
    code, body = cli(capsys, "rebuild", "--site", name)
    assert (code, body["total"], body["applied"], body["failed"]) == (0, 1, 1, [])
    code, body = cli(capsys, "site", "delete", name, "--remove-files")
    assert (code, body["removed"]) == (0, True)
    assert not Site.objects.filter(domain=name).exists()
    assert AuditEvent.objects.filter(action="site.delete", target=name).get().actor is None


def test_a_site_made_without_php_answers_its_index_php_and_none_makes_it_static(world, capsys):
    name = domain()
    code, body = cli(capsys, "site", "create", name, "--account", world.bob_account.name)
    assert code == 0, body
    assert body["site"]["php"] is not None
    serves_php(name, body["site"]["document_root"], world.bob_account.name)
    code, body = cli(
        capsys, "site", "create", domain(), "--account", world.bob_account.name, "--php", "none"
    )
    assert (code, body["site"]["php"]) == (0, None)


def test_the_help_of_site_create_says_what_the_php_default_is(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one line per option: the phrases stay whole
    assert main(["site", "create", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "none for a static site" in text
    assert "server's default version" in text


def test_showing_a_site_that_does_not_exist_is_not_found(world, capsys):
    code, body = cli(capsys, "site", "show", "nosuch.example.test")
    assert code == 1
    assert body["error"]["code"] == "not-found"


def test_the_tables_show_an_idn_sites_a_labels_beside_its_unicode_names(world, capsys, monkeypatch):
    # Wide enough that rich keeps each name on one line of its cell.
    monkeypatch.setenv("COLUMNS", "250")
    tag = secrets.token_hex(4)
    name, alias = f"bücher-{tag}.example.test", f"café-{tag}.example.test"
    a_name, a_alias = idna.encode(name).decode(), idna.encode(alias).decode()
    code, body = cli(
        capsys, "site", "create", name, "--account", world.bob_account.name, "--alias", alias
    )
    assert code == 0, body
    assert (body["site"]["display_domain"], body["site"]["display_aliases"]) == (name, [alias])
    assert main(["site", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{name} ({a_name})" in listed
    assert f"{alias} ({a_alias})" in listed
    assert main(["site", "show", a_name]) == 0
    shown = capsys.readouterr().out
    assert f"{name} ({a_name})" in shown
    assert f"{alias} ({a_alias})" in shown


def test_the_table_shows_an_ascii_site_by_its_name_alone(world, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    name = domain()
    assert cli(capsys, "site", "create", name, "--account", world.bob_account.name)[0] == 0
    assert main(["site", "list"]) == 0
    listed = capsys.readouterr().out
    assert name in listed
    assert f"{name} (" not in listed
