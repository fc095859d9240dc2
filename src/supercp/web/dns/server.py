"""The server-wide DNS settings (one row) and the checks of secondary servers, which the
zone, record and settings services all use."""

from __future__ import annotations

import ipaddress

from supercp.protocol.errors import ValidationFailed
from supercp.web.core import hostnames
from supercp.web.dns import pdns, templates
from supercp.web.dns.models import DnsSettings

MAX_SECONDARIES = 20


def settings_row() -> DnsSettings:
    """The DNS settings (the row is made with defaults on first use)."""
    found, _ = DnsSettings.objects.get_or_create(id=1)
    return found


def defaults_of(row: DnsSettings) -> templates.Defaults:
    return templates.Defaults(
        nameservers=list(row.nameservers),
        soa_contact=row.soa_contact,
        ipv4=row.ipv4,
        ipv6=row.ipv6,
        ttl=row.ttl,
        soa_refresh=row.soa_refresh,
        soa_retry=row.soa_retry,
        soa_expire=row.soa_expire,
        soa_minimum=row.soa_minimum,
    )


def check_secondaries(raw: list[str], field: str = "secondaries") -> list[str]:
    """Secondary servers: IP addresses, each once, sorted."""
    if len(raw) > MAX_SECONDARIES:
        raise ValidationFailed(f"at most {MAX_SECONDARIES} secondary servers", field=field)
    found: set[str] = set()
    for value in raw:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise ValidationFailed(
                f"'{hostnames.shown(value)}' is not an IP address",
                code="invalid-address",
                field=field,
            ) from None
        if not _another_server(address):
            raise ValidationFailed(
                f"'{hostnames.shown(value)}' is not the address of another server (a secondary "
                "is not this machine, a broadcast, multicast or link-local address)",
                code="invalid-address",
                field=field,
            )
        found.add(str(address))
    return sorted(found, key=lambda a: (":" in a, a))


def _another_server(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """An address PowerDNS can NOTIFY and let transfer a zone: one host elsewhere."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return False
        address = address.ipv4_mapped or address
    return not (
        address.is_unspecified
        or address.is_loopback
        or address.is_multicast
        or address.is_link_local
        or address.is_reserved
    )


def apply_secondaries(tx: pdns.Tx, domain_ids: list[int], addresses: list[str]) -> None:
    for kind in ("ALSO-NOTIFY", "ALLOW-AXFR-FROM"):
        tx.set_metadata(domain_ids, kind, addresses)
