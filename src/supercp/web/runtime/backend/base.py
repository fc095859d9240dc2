"""Django's MariaDB backend, with a health check that skips connections used a moment ago,
and DATETIME columns that arrive aware (runtime/mysql.py).

Connections are kept between requests (CONN_MAX_AGE) and Django's health check makes sure a
kept one still works before a request uses it (CONN_HEALTH_CHECKS). Django does that with a
ping at the start of every request: a round trip to MariaDB that cost as much as the
accounts list's own queries (a quarter of the request threads' time at 32 clients). A
connection made, checked or used less than FRESH_SECONDS ago is taken as it is. If MariaDB
went away in that second, the request fails as it would have had MariaDB gone away during
it, and Django closes the connection when the request ends (errors_occurred), so the next
one connects anew.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.mysql import base, operations
from django.utils import timezone

FRESH_SECONDS = 1.0


class DatabaseOperations(operations.DatabaseOperations):
    def convert_datetimefield_value(
        self, value: datetime | None, expression: Any, connection: Any
    ) -> datetime | None:
        # runtime/mysql.py reads DATETIME columns as aware UTC datetimes already.
        if value is not None and value.tzinfo is None:
            value = timezone.make_aware(value, self.connection.timezone)
        return value


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's MariaDB connection; no health check while it was used a moment ago."""

    ops_class = DatabaseOperations
    used_at = float("-inf")

    def connect(self) -> None:
        # runtime/mysql.py reads every DATETIME as UTC: what Django stores only with these.
        if not settings.USE_TZ or self.timezone_name != "UTC":
            raise ImproperlyConfigured("the panel's database connections must store UTC")
        super().connect()
        self.used_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        # Django calls this before each cursor; it pings once per request.
        now = time.monotonic()
        if self.connection is not None and now - self.used_at < FRESH_SECONDS:
            self.used_at = now
            return
        super().close_if_health_check_failed()
        if self.connection is not None:
            self.used_at = now
