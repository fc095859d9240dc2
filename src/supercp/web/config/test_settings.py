"""Settings for the test suite: MariaDB's root over the unix socket, a fixed secret key.

pytest-django creates the database test_supercp_<run> and drops it afterwards; <run> is
fixed per test run (and inherited by its child processes), so two runs on one machine do
not drop each other's tables. Accounts the tests create go through the real daemon at
/run/super-daemon.sock.

The pages load a small fixture build (tests/web/fixtures/frontend: a Vite manifest and two
tiny assets) instead of the real frontend, so the view tests need neither Node nor a build;
the integration tests check the real build as the installed panel serves it.
"""

from __future__ import annotations

import os
from pathlib import Path

from supercp.web.config.base import *  # noqa: F403  (Django reads settings as module globals)
from supercp.web.config.base import frontend_version, mariadb, vite

SECRET_KEY = "supercp-tests-only-" + "x" * 40  # a fixture, not a secret
ALLOWED_HOSTS = ["testserver", "localhost"]
SUPERCP_PANEL_ORIGINS = ["https://testserver:8443"]
_RUN = os.environ.setdefault("SUPERCP_TEST_RUN", str(os.getpid()))
DATABASES = {
    "default": mariadb("supercp_tests", {"user": "root", "unix_socket": "/run/mysqld/mysqld.sock"})
    | {
        "TEST": {
            "CHARSET": "utf8mb4",
            "COLLATION": "utf8mb4_unicode_ci",
            "NAME": f"test_supercp_{_RUN}",
        }
    }
}
# PowerDNS's real database, which the real PowerDNS answers from: the DNS tests make zones
# under random names in .supercp-test and remove them afterwards (tests/web/conftest.py).
SUPERCP_DNS_DATABASE = {
    "user": "root",
    "unix_socket": "/run/mysqld/mysqld.sock",
    "database": "powerdns",
}
# Hashing with argon2's production cost would dominate the run time; the production list
# is checked by a test of its own.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

FIXTURE_FRONTEND = Path(__file__).resolve().parents[4] / "tests/web/fixtures/frontend"
# Served as it is (no collectstatic in the tests).
STATIC_ROOT = FIXTURE_FRONTEND
STATICFILES_DIRS: list[Path] = []
DJANGO_VITE = vite(FIXTURE_FRONTEND)
INERTIA_VERSION = frontend_version(FIXTURE_FRONTEND)
