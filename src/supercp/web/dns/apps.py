from __future__ import annotations

from django.apps import AppConfig


class DnsConfig(AppConfig):
    """DNS zones and records (PowerDNS)."""

    name = "supercp.web.dns"
    label = "dns"
