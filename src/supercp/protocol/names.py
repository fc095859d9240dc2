"""Validated names shared by every layer (the edge and the daemon check the same rules)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

# A hosting account's Linux user name. pydantic's patterns use Rust regex semantics, where
# `$` is end of text only, so a trailing newline cannot slip through.
ACCOUNT_NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"
AccountName = Annotated[str, StringConstraints(pattern=ACCOUNT_NAME_PATTERN)]

# The services the daemon may query, reload or restart: an allow-list, nothing else.
ServiceName = Literal["nginx", "php-fpm", "mariadb", "postfix", "dovecot", "pdns", "pure-ftpd"]
SERVICE_NAMES: tuple[ServiceName, ...] = (
    "nginx",
    "php-fpm",
    "mariadb",
    "postfix",
    "dovecot",
    "pdns",
    "pure-ftpd",
)
