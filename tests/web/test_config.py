"""Production settings: the panel.toml model, the secret key, and the secure defaults."""

from __future__ import annotations

import gc
import json
import os
import re
import socket
import subprocess
import sys
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from MySQLdb.times import DateTime_or_None
from pydantic import ValidationError

from supercp.web.config import asgi, base
from supercp.web.config.panel import PanelConfig, django_settings, load_config, read_secret_key
from supercp.web.core.models import User
from supercp.web.runtime.backend.base import FRESH_SECONDS, DatabaseWrapper
from supercp.web.runtime.mysql import datetime_or_none, utc_datetime_or_none


def test_a_missing_config_file_means_the_defaults(tmp_path):
    config = load_config(tmp_path / "absent.toml")
    assert config == PanelConfig()
    assert config.debug is False
    assert str(config.daemon_socket) == "/run/super-daemon.sock"


def test_the_config_file_is_read(tmp_path):
    path = tmp_path / "panel.toml"
    path.write_text('database_name = "panel"\nallowed_hosts = ["panel.example.test"]\n')
    config = load_config(path)
    assert config.database_name == "panel"
    assert config.allowed_hosts == ("panel.example.test",)


def test_the_path_comes_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "other.toml"
    path.write_text("debug = true\n")
    monkeypatch.setenv("SUPERCP_PANEL_CONFIG", str(path))
    assert load_config().debug is True


@pytest.mark.parametrize(
    "text",
    [
        "unknown_key = 1\n",
        'secret_key_file = "relative/key"\n',
        'database_name = "x; DROP"\n',
        'allowed_hosts = ["a b"]\n',
        "debug = 1\n",
        'tls_key = "panel.key"\n',
        "port = 0\n",
        'listen_address = "any"\n',
        "threads = 0\n",
        "workers = 4\nthreads = 256\n",
        "threads = 513\n",
        'dns_database_option_file = "mariadb-dns.cnf"\n',
        'dns_database_name = "x; DROP"\n',
        'default_php = "eight"\n',
    ],
)
def test_bad_config_is_refused(tmp_path, text):
    path = tmp_path / "panel.toml"
    path.write_text(text)
    with pytest.raises(ValidationError):
        load_config(path)


def test_the_modules_keys_sit_beside_the_panels_own_in_one_flat_file(tmp_path):
    path = tmp_path / "panel.toml"
    path.write_text(
        'database_name = "panel"\ndns_database_name = "pdns"\ndefault_php = "8.2"\n'
        'dns_database_option_file = "/etc/example/dns.cnf"\n'
    )
    config = load_config(path)
    assert config.database_name == "panel"
    made = django_settings(config)
    assert made["SUPERCP_DNS_DATABASE"] == {
        "read_default_file": "/etc/example/dns.cnf",
        "database": "pdns",
    }
    assert made["SUPERCP_DEFAULT_PHP"] == "8.2"


def test_the_shipped_panel_toml_loads_and_documents_every_key():
    shipped = Path(__file__).resolve().parents[2] / "deploy/config/panel.toml"
    assert load_config(shipped) == PanelConfig()
    text = shipped.read_text()
    # Each key is set, or shown commented out, in the file the installer ships.
    missing = [k for k in PanelConfig.model_fields if not re.search(rf"^(# )?{k} = ", text, re.M)]
    assert missing == []


def test_a_short_secret_key_is_refused(tmp_path):
    key = tmp_path / "secret_key"
    key.write_text("short\n")
    with pytest.raises(ValueError, match="at least 32"):
        read_secret_key(key)
    key.write_text("k" * 64 + "\n")
    assert read_secret_key(key) == "k" * 64


def test_passwords_are_hashed_with_argon2_in_production():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_cookies_and_headers_have_secure_defaults():
    assert base.SESSION_COOKIE_SECURE is True
    assert base.SESSION_COOKIE_HTTPONLY is True
    assert base.SESSION_COOKIE_SAMESITE == "Lax"
    assert base.CSRF_COOKIE_SECURE is True
    assert base.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert base.SESSION_COOKIE_AGE <= 12 * 3600
    assert base.X_FRAME_OPTIONS == "DENY"
    assert base.DEBUG is False


def test_responses_carry_the_security_headers(client):
    response = client.get("/api/v1/openapi.json")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_settings_take_the_database_login_from_the_option_file(tmp_path):
    key = tmp_path / "secret_key"
    key.write_text("k" * 64 + "\n")
    config = tmp_path / "panel.toml"
    config.write_text(
        f'secret_key_file = "{key}"\n'
        'database_option_file = "/etc/example/db.cnf"\n'
        'allowed_hosts = ["panel.example.test"]\n'
    )
    script = (
        "import json; from django.conf import settings as s; "
        # The column converters (functions) are no JSON.
        "s.DATABASES['default']['OPTIONS'].pop('conv'); "
        "print(json.dumps([s.SECRET_KEY, s.ALLOWED_HOSTS, s.DEBUG, s.DATABASES['default'], "
        "s.SUPERCP_DNS_DATABASE]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **os.environ,
            "SUPERCP_PANEL_CONFIG": str(config),
            "DJANGO_SETTINGS_MODULE": "supercp.web.config.settings",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    secret, hosts, debug, database, dns = json.loads(done.stdout)
    assert (secret, debug) == ("k" * 64, False)
    # The configured names, then the machine's own (the installer's URL and certificate).
    assert hosts[0] == "panel.example.test"
    assert socket.gethostname() in hosts
    assert database["OPTIONS"]["read_default_file"] == "/etc/example/db.cnf"
    assert "PASSWORD" not in database or not database["PASSWORD"]
    assert "USER" not in database or not database["USER"]
    # A module's setting, from its panel.toml keys (here their defaults).
    assert dns == {
        "read_default_file": "/etc/supercp/panel/mariadb-dns.cnf",
        "database": "powerdns",
    }


def test_the_panel_listens_on_8443_with_the_installers_certificate_by_default():
    config = PanelConfig()
    assert (config.listen_address, config.port) == ("0.0.0.0", 8443)
    assert str(config.tls_certificate) == "/etc/supercp/panel/tls/panel.crt"
    assert str(config.tls_key) == "/etc/supercp/panel/tls/panel.key"


def test_the_csrf_cookie_and_header_are_the_ones_inertia_uses():
    assert base.CSRF_COOKIE_NAME == "XSRF-TOKEN"
    assert base.CSRF_HEADER_NAME == "HTTP_X_XSRF_TOKEN"
    # Inertia's client reads the cookie, so it cannot be HttpOnly; it stays Secure.
    assert getattr(base, "CSRF_COOKIE_HTTPONLY", False) is False


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-25 05:46:39",
        "2026-11-25 05:46:39.123456",
        "2026-11-25 05:46:39.12",
        "2026-11-25 05:46:39.",
        "0000-00-00 00:00:00",
        "2026-02-30 00:00:00",
        "2026-11-25 05:46:39.1234567",
        "2026-11-25 05:46:39+01:00",
        "2026-11-25",
    ],
)
def test_datetime_columns_read_as_mysqldb_reads_them(text):
    # runtime/mysql.py's faster parsers: the same value for anything MariaDB may send, naive
    # for TIMESTAMP columns and in UTC for DATETIME ones.
    theirs = DateTime_or_None(text)
    assert datetime_or_none(text) == theirs
    assert type(datetime_or_none(text)) is type(theirs)
    ours = utc_datetime_or_none(text)
    if isinstance(theirs, datetime):
        assert isinstance(ours, datetime)
        assert ours.tzinfo is UTC
        assert ours == theirs.replace(tzinfo=UTC)
    else:
        assert ours == theirs
        assert type(ours) is type(theirs)


@pytest.mark.django_db
def test_datetimes_come_back_aware_in_utc_through_sql_and_the_orm():
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST('2026-01-02 03:04:05.5' AS DATETIME(6))")
        assert cursor.fetchone() == (datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=UTC),)
    # Stored from another zone, read back in UTC: the same instant.
    joined = datetime(2026, 7, 1, 12, 0, 0, 250, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    user = User.objects.create(username="tzcheck", date_joined=joined)
    again = User.objects.get(pk=user.pk).date_joined
    assert again == joined
    assert again.tzinfo is UTC
    assert again.hour == 10


def test_a_connection_that_would_not_store_utc_is_refused(own_connections):
    other = connections.create_connection("default")
    other.settings_dict = {**other.settings_dict, "TIME_ZONE": "Europe/Paris"}
    with pytest.raises(ImproperlyConfigured, match="UTC"):
        other.connect()
    assert other.connection is None


@pytest.fixture
def own_connections(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Connections of the test's own, outside the transaction that a django_db test runs
    in (which must not be closed, and a transactional test would empty the tables)."""
    with django_db_blocker.unblock():
        yield


def test_a_kept_connection_is_pinged_only_when_unused_for_a_second(own_connections, monkeypatch):
    kept = connections.create_connection("default")
    assert isinstance(kept, DatabaseWrapper)
    pings: list[bool] = []
    real = kept.is_usable

    def is_usable() -> bool:
        pings.append(True)
        return real()

    monkeypatch.setattr(kept, "is_usable", is_usable)

    def next_request(idle: float) -> None:
        # What request_started does to a kept connection, then the request's first cursor,
        # after the connection was idle this long.
        kept.close_if_unusable_or_obsolete()
        kept.used_at -= idle
        with kept.cursor() as cursor:
            cursor.execute("SELECT 1")

    try:
        kept.ensure_connection()
        next_request(0.0)
        assert pings == []
        next_request(FRESH_SECONDS + 0.5)
        assert pings == [True]
        next_request(0.0)
        assert pings == [True]
    finally:
        kept.close()


def test_a_dead_connection_idle_for_a_second_is_replaced_before_use(own_connections):
    kept, killer = (connections.create_connection("default") for _ in range(2))
    assert isinstance(kept, DatabaseWrapper)
    try:
        with kept.cursor() as cursor:
            cursor.execute("SELECT CONNECTION_ID()")
            (kept_id,) = cursor.fetchone()
        first = kept.connection
        with killer.cursor() as cursor:
            cursor.execute(f"KILL {int(kept_id)}")
        kept.close_if_unusable_or_obsolete()  # the next request starts
        kept.used_at -= FRESH_SECONDS + 0.5
        with kept.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert kept.connection is not first
    finally:
        kept.close()
        killer.close()


def test_what_the_asgi_app_loaded_is_left_out_of_full_collections():
    assert asgi.application is not None
    # Django, the apps and the URLconf (every view and API schema): tens of thousands.
    assert gc.get_freeze_count() > 20_000
