"""Zone templates and the SOA: what a new zone is made of, as pure functions.

A template is a list of records whose name and content may hold placeholders:

- ``{zone}``: the zone's name (``mail.{zone}``);
- ``{ipv4}``, ``{ipv6}``: the server's addresses from the DNS settings; a record that uses
  one that is not set is left out (a server without IPv6 gets no AAAA records);
- ``{ns}``: one record per name server of the settings (``@ NS {ns}``).

Each rendered record is checked like one typed by a user, so a template that renders a
broken record is refused when the administrator saves it, not when a customer uses it.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from typing import Any

from supercp.protocol.errors import ValidationFailed
from supercp.web.dns import records, rules
from supercp.web.dns.records import Record
from supercp.web.dns.zonefile import Soa

PLACEHOLDERS = ("{zone}", "{ipv4}", "{ipv6}", "{ns}")
MAX_TEMPLATE_RECORDS = 100
# The default template: the apex and www on this server, mail at this server too, and the SPF
# and DMARC records the mail module will fill in later (DKIM comes with it).
DEFAULT_RECORDS: list[dict[str, Any]] = [
    {"name": "@", "type": "NS", "content": "{ns}", "ttl": None},
    {"name": "@", "type": "A", "content": "{ipv4}", "ttl": None},
    {"name": "@", "type": "AAAA", "content": "{ipv6}", "ttl": None},
    {"name": "www", "type": "A", "content": "{ipv4}", "ttl": None},
    {"name": "www", "type": "AAAA", "content": "{ipv6}", "ttl": None},
    {"name": "mail", "type": "A", "content": "{ipv4}", "ttl": None},
    {"name": "mail", "type": "AAAA", "content": "{ipv6}", "ttl": None},
    {"name": "@", "type": "MX", "content": "10 mail.{zone}", "ttl": None},
    {"name": "@", "type": "TXT", "content": "v=spf1 mx a -all", "ttl": None},
    {"name": "_dmarc", "type": "TXT", "content": "v=DMARC1; p=none", "ttl": None},
]
_PLACEHOLDER = re.compile(r"\{[a-z0-9]*\}")


@dataclass(frozen=True)
class Defaults:
    """The values templates and SOAs are rendered with (from DnsSettings)."""

    nameservers: list[str]
    soa_contact: str
    ipv4: str
    ipv6: str
    ttl: int
    soa_refresh: int
    soa_retry: int
    soa_expire: int
    soa_minimum: int


def machine_nameserver() -> str:
    """This machine's name, the name server of a panel whose settings name none."""
    name = socket.getfqdn().lower().rstrip(".")
    return name if "." in name else "localhost.localdomain"


def nameservers(defaults: Defaults) -> list[str]:
    return defaults.nameservers or [machine_nameserver()]


def rname(contact: str, zone: str, field: str = "soa_contact") -> str:
    """The SOA's RNAME from an e-mail address: dots of the local part escaped (RFC 1912 2.2)."""
    address = contact.replace("{zone}", zone)
    local, at, domain = address.rpartition("@")
    if not at or not local or not records.MAILBOX.fullmatch(local):
        raise ValidationFailed(
            f"'{records.shown(contact)}' is not an e-mail address",
            code="invalid-contact",
            field=field,
        )
    host = records.target(domain, field)
    return local.replace(".", "\\.").lower() + "." + host


def soa(zone: str, defaults: Defaults, serial: int) -> Soa:
    """A new zone's SOA."""
    return Soa(
        mname=nameservers(defaults)[0],
        rname=rname(defaults.soa_contact, zone),
        serial=serial,
        refresh=defaults.soa_refresh,
        retry=defaults.soa_retry,
        expire=defaults.soa_expire,
        minimum=defaults.soa_minimum,
        ttl=defaults.ttl,
    )


def check_entries(raw: Any, field: str = "records") -> list[dict[str, Any]]:
    """A template's records as stored: a list of {name, type, content, ttl}."""
    if not isinstance(raw, list) or len(raw) > MAX_TEMPLATE_RECORDS:
        raise ValidationFailed(
            f"a template is a list of at most {MAX_TEMPLATE_RECORDS} records", field=field
        )
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(raw):
        where = f"{field}.{i}"
        if not isinstance(entry, dict) or set(entry) - {"name", "type", "content", "ttl"}:
            raise ValidationFailed("a record has name, type, content and ttl", field=where)
        name, kind, text, ttl = (entry.get(k) for k in ("name", "type", "content", "ttl"))
        if not (isinstance(name, str) and isinstance(kind, str) and isinstance(text, str)):
            raise ValidationFailed("name, type and content are text", field=where)
        if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool)):
            raise ValidationFailed("ttl is a number or null", field=where)
        for value in (name, text):
            for found in _PLACEHOLDER.findall(value):
                if found not in PLACEHOLDERS:
                    raise ValidationFailed(
                        f"unknown placeholder {found} (known: {', '.join(PLACEHOLDERS)})",
                        code="invalid-template",
                        field=where,
                    )
        out.append({"name": name, "type": kind, "content": text, "ttl": ttl})
    return out


def render(entries: list[dict[str, Any]], zone: str, defaults: Defaults) -> list[Record]:
    """A template's records for ``zone``; each checked as if typed (errors name the entry)."""
    out: list[Record] = []
    values = {"{zone}": zone, "{ipv4}": defaults.ipv4, "{ipv6}": defaults.ipv6}
    for i, entry in enumerate(entries):
        texts = (entry["name"], entry["content"])
        if any(k in t and not values[k] for k in ("{ipv4}", "{ipv6}") for t in texts):
            continue
        servers = nameservers(defaults) if any("{ns}" in t for t in texts) else [""]
        for server in servers:
            name, content = (_fill(t, values, server) for t in texts)
            try:
                record = records.build(
                    zone, name, entry["type"], content, entry["ttl"], default_ttl=defaults.ttl
                )
            except ValidationFailed as err:
                raise ValidationFailed(
                    f"template record {i + 1} ({entry['name']} {entry['type']}): {err.message}",
                    code=err.code,
                    field=f"records.{i}.{err.field}" if err.field else f"records.{i}",
                ) from None
            if record not in out:
                out.append(record)
    return out


def _fill(text: str, values: dict[str, str], server: str) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text.replace("{ns}", server)


def check_template(entries: list[dict[str, Any]], defaults: Defaults) -> None:
    """Refuse a template that would make a broken zone (rendered for example.com)."""
    sample = Defaults(
        nameservers=nameservers(defaults),
        soa_contact=defaults.soa_contact,
        ipv4=defaults.ipv4 or "192.0.2.1",
        ipv6=defaults.ipv6 or "2001:db8::1",
        ttl=defaults.ttl,
        soa_refresh=defaults.soa_refresh,
        soa_retry=defaults.soa_retry,
        soa_expire=defaults.soa_expire,
        soa_minimum=defaults.soa_minimum,
    )
    rendered = render(entries, "example.com", sample)
    if not any(r.type == "NS" and r.name == "example.com" for r in rendered):
        raise ValidationFailed(
            "a template needs NS records at the apex (@ NS {ns})",
            code="invalid-template",
            field="records",
        )
    rules.check_zone("example.com", rendered, name_field="records", type_field="records")
