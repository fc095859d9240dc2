"""Reading ``pdnsutil show-zone``: a zone's keys with their DNSKEY and DS records (pure).

PowerDNS 4.7 reports each key on a line of its own, followed, for a KSK or a CSK, by its
DNSKEY and its DS records (SHA-256, then SHA-384)::

    ID = 1 (CSK), flags = 257, tag = 38983, algo = 13, bits = 256	  Active	 Published  ( ECDSAP256SHA256 )
    CSK DNSKEY = example.org. IN DNSKEY 257 3 13 3LeA…/w== ; ( ECDSAP256SHA256 )
    DS = example.org. IN DS 38983 13 2 0c84…ac4b ; ( SHA256 digest )
    DS = example.org. IN DS 38983 13 4 aa9f…4a58 ; ( SHA-384 digest )

A ZSK gets no DNSKEY line there; ``pdnsutil export-zone-dnskey`` prints it.
"""  # noqa: E501

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KEY = re.compile(
    r"^ID = (?P<id>\d+) \((?P<kind>CSK|KSK|ZSK)\), flags = (?P<flags>\d+), "
    r"tag = (?P<tag>\d+), algo = (?P<algo>\d+), bits = (?P<bits>\d+)\s+"
    r"(?P<active>Active|Inactive)(?:\s+(?P<published>Published|Unpublished))?"
    r"\s+\(\s*(?P<algorithm>[A-Z0-9-]+)\s*\)"
)
_DNSKEY = re.compile(r"^(?:CSK|KSK|ZSK) DNSKEY = \S+ IN DNSKEY (?P<rdata>[^;]+?)\s*(?:;|$)")
_DS = re.compile(r"^DS = \S+ IN DS (?P<rdata>\d+ \d+ \d+ [0-9A-Fa-f]+)\s*(?:;|$)")
# export-zone-dnskey: "example.org. IN DNSKEY 256 3 13 …"
_EXPORTED = re.compile(r"^\S+ IN DNSKEY (?P<rdata>\d+ \d+ \d+ [A-Za-z0-9+/=]+)\s*$")


@dataclass
class Key:
    """One key of a zone as show-zone reports it."""

    id: int
    kind: str
    flags: int
    tag: int
    algorithm: str
    bits: int
    active: bool
    published: bool
    dnskey: str = ""
    ds: list[str] = field(default_factory=list)


def parse_show_zone(text: str) -> list[Key]:
    """Every key in a show-zone report, in its order; none for an unsigned zone."""
    keys: list[Key] = []
    for raw in text.splitlines():
        line = raw.strip()
        m = _KEY.match(line)
        if m:
            keys.append(
                Key(
                    id=int(m["id"]),
                    kind=m["kind"].lower(),
                    flags=int(m["flags"]),
                    tag=int(m["tag"]),
                    algorithm=m["algorithm"].lower(),
                    bits=int(m["bits"]),
                    active=m["active"] == "Active",
                    published=m["published"] != "Unpublished",
                )
            )
            continue
        if not keys:
            continue
        m = _DNSKEY.match(line)
        if m:
            keys[-1].dnskey = " ".join(m["rdata"].split())
            continue
        m = _DS.match(line)
        if m:
            keys[-1].ds.append(m["rdata"].lower())
    for key in keys:
        # SHA-256 (digest type 2) first: what every registry takes.
        key.ds.sort(key=lambda ds: (ds.split()[2] != "2", int(ds.split()[2])))
    return keys


def parse_exported_dnskey(text: str) -> str:
    """The DNSKEY record's content from ``pdnsutil export-zone-dnskey``, or ""."""
    for line in text.splitlines():
        m = _EXPORTED.match(line.strip())
        if m:
            return m["rdata"]
    return ""
