"""What the panel keeps about DNS: who owns each zone, the templates, the server's defaults.

The zones' records are PowerDNS's (database ``powerdns``, see pdns.py); these rows say whose
each zone is, and what new zones are made of.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from supercp.protocol import web as rpc
from supercp.web.accounts.models import HostingAccount


def _list() -> list[Any]:
    return []


class Zone(models.Model):
    """A zone the panel manages: its name and owner; its records live in PowerDNS."""

    # A-label form, lower case, no trailing dot: PowerDNS's domains.name.
    name = models.CharField(max_length=rpc.HOSTNAME_MAX, unique=True)
    # For people (Unicode where it has punycode labels), kept for searching.
    display_name = models.CharField(max_length=rpc.HOSTNAME_MAX, default="")
    # None: the administrators' own zone (no customer sees it).
    account = models.ForeignKey(
        HostingAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="zones"
    )
    # This zone's own secondary servers (addresses); the server-wide ones are added to them
    # in PowerDNS's ALSO-NOTIFY and ALLOW-AXFR-FROM metadata.
    secondaries = models.JSONField(default=_list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class NameClaim(models.Model):
    """A name, or a name above one, that a request took (dns/ownership.claiming).

    The row is only there to be locked: a request that takes a name locks its row for
    update, and the rows of the names above it for share, from its checks until it commits.
    Rows stay (one per name ever claimed, and per name above one).
    """

    name = models.CharField(max_length=rpc.HOSTNAME_MAX, primary_key=True)

    def __str__(self) -> str:
        return self.name


class ZoneTemplate(models.Model):
    """The records a new zone starts with, with placeholders (see templates.py)."""

    name = models.CharField(max_length=64, unique=True)
    description = models.CharField(max_length=200, default="", blank=True)
    # [{"name": "@", "type": "A", "content": "{ipv4}", "ttl": null}, ...]
    records = models.JSONField(default=_list)
    # The template of zones created without naming one (sites' zones too); exactly one.
    is_default = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class DnsSettings(models.Model):
    """The server-wide DNS defaults, one row (id 1), edited by administrators."""

    # The zones' NS records and the SOA's primary (the first); none: this machine's name.
    nameservers = models.JSONField(default=_list)
    # The SOA's contact as an e-mail address; {zone} stands for the zone's name.
    soa_contact = models.CharField(max_length=254, default="hostmaster@{zone}")
    # The addresses {ipv4} and {ipv6} in templates; "" leaves those records out.
    ipv4 = models.CharField(max_length=15, default="", blank=True)
    ipv6 = models.CharField(max_length=39, default="", blank=True)
    # The TTL of new records, and the SOA's timers.
    ttl = models.PositiveIntegerField(default=3600)
    soa_refresh = models.PositiveIntegerField(default=10800)
    soa_retry = models.PositiveIntegerField(default=3600)
    soa_expire = models.PositiveIntegerField(default=604800)
    # The negative-answer TTL (RFC 2308).
    soa_minimum = models.PositiveIntegerField(default=3600)
    # Secondary servers of every zone (addresses); each zone may add its own.
    secondaries = models.JSONField(default=_list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "DNS settings"
