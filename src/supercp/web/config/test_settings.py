"""Settings for the test suite: MariaDB's root over the unix socket, a fixed secret key.

pytest-django creates the database test_supercp_tests (from the name below) and drops it
afterwards. Accounts the tests create go through the real daemon at /run/super-daemon.sock.
"""

from __future__ import annotations

from supercp.web.config.base import *  # noqa: F403  (Django reads settings as module globals)
from supercp.web.config.base import mariadb

SECRET_KEY = "supercp-tests-only-" + "x" * 40  # a fixture, not a secret
ALLOWED_HOSTS = ["testserver", "localhost"]
DATABASES = {
    "default": mariadb("supercp_tests", {"user": "root", "unix_socket": "/run/mysqld/mysqld.sock"})
}
# Hashing with argon2's production cost would dominate the run time; the production list
# is checked by a test of its own.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
