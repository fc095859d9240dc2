"""DNS's keys in panel.toml: where PowerDNS's database is, which the panel writes zones into."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from django.conf import settings
from pydantic import Field

from supercp.web.modules import ModuleConfig

# MySQLdb.connect's arguments for PowerDNS's database (pdns.py); the tests give MariaDB's root.
DATABASE = "SUPERCP_DNS_DATABASE"


class DnsConfig(ModuleConfig):
    """PowerDNS's database and the option file with the panel's login for it (user
    supercp_dns: rows of that database only)."""

    dns_database_option_file: Path = Path("/etc/supercp/panel/mariadb-dns.cnf")
    dns_database_name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,64}$")] = "powerdns"

    def django_settings(self) -> dict[str, object]:
        login = {"read_default_file": str(self.dns_database_option_file)}
        return {DATABASE: {**login, "database": self.dns_database_name}}


def database() -> dict[str, object]:
    """MySQLdb.connect's arguments for PowerDNS's database, as the settings have them."""
    value: dict[str, object] = getattr(settings, DATABASE)
    return dict(value)
