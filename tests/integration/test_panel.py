"""What the installer promises the panel: its files, its schema, its database login."""

from __future__ import annotations

import grp
import json
import os
import subprocess
from pathlib import Path

from supercp.web.config.panel import load_config
from tests.integration.conftest import SUPER_CLI

VENV_PYTHON = "/opt/supercp/venv/bin/python"
PANEL_ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "SUPERCP_PANEL_CONFIG": "/etc/supercp/panel.toml",
    "DJANGO_SETTINGS_MODULE": "supercp.web.config.settings",
}


def django(*args: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
    argv = [VENV_PYTHON, "-m", "django", *args]
    if user is not None:
        argv = ["runuser", "-u", user, "--", *argv]
    return subprocess.run(argv, env=PANEL_ENV, cwd="/", capture_output=True, text=True, check=False)


def owner(path: str) -> tuple[int, str, int]:
    st = os.stat(path)
    return st.st_uid, grp.getgrgid(st.st_gid).gr_name, st.st_mode & 0o7777


def test_the_panels_secrets_are_readable_by_root_and_supercp_only():
    assert owner("/etc/supercp/panel") == (0, "supercp", 0o750)
    for name in ("secret_key", "mariadb.cnf"):
        assert owner(f"/etc/supercp/panel/{name}") == (0, "supercp", 0o640)
    assert owner("/etc/supercp/secrets") == (0, "root", 0o700)


def test_the_secret_key_is_long_and_random_looking():
    key = Path("/etc/supercp/panel/secret_key").read_text().strip()
    assert len(key) >= 64
    assert len(set(key)) > 10


def test_the_panel_config_is_valid_and_not_in_debug_mode():
    config = load_config(Path("/etc/supercp/panel.toml"))
    assert config.debug is False


def test_every_migration_is_applied():
    done = django("migrate", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_panel_user_loads_the_settings_and_reaches_the_database():
    done = django("check", "--database", "default", user="supercp")
    assert done.returncode == 0, done.stderr


def test_the_panel_user_cannot_read_roots_secrets():
    done = subprocess.run(
        ["runuser", "-u", "supercp", "--", "cat", "/etc/supercp/secrets/mariadb-panel.cnf"],
        capture_output=True,
        check=False,
    )
    assert done.returncode != 0


def test_super_cli_reaches_the_panels_database():
    done = subprocess.run(
        [SUPER_CLI, "--json", "admin", "reset-password", "sctnosuchuser"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["code"] == "not-found"
