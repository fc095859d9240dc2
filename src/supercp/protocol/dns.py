"""Namespace ``dns``: what PowerDNS needs from root: DNSSEC keys, rectify, cache purge, NOTIFY.

The panel writes PowerDNS's own tables (database ``powerdns``, gmysql backend) directly; zones
and records never pass through the daemon. After each write the panel calls
``dns.zone.refresh`` so that PowerDNS answers the new data at once. DNSSEC keys are made and
dropped by ``pdnsutil``, which only root may run against the server's configuration.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from supercp.protocol.models import Result, Spec, Strict
from supercp.protocol.web import Hostname

# The signing algorithm for new keys: ECDSA P-256 (13) is what registries and validators
# support everywhere; Ed25519 (15) is smaller but not yet accepted by every registry.
Algorithm = Literal["ecdsap256sha256", "ed25519"]


class ZoneParams(Strict):
    """One zone, by its name (A-label form, no trailing dot)."""

    zone: Hostname


class SecureParams(Strict):
    """Sign a zone: one combined signing key (CSK) of the given algorithm."""

    zone: Hostname
    algorithm: Algorithm = "ecdsap256sha256"


class RefreshResult(Result):
    """What ``dns.zone.refresh`` did: caches are always purged.

    A zone PowerDNS no longer serves (just deleted) is purged too, then answered
    ``zone-not-found``: after a deletion, that error is the expected outcome.
    """

    zone: str
    # True when the zone is signed and its ordername/auth columns were rectified.
    rectified: bool
    # True when PowerDNS queued a NOTIFY for the zone: it goes to the addresses in the zone's
    # ALSO-NOTIFY metadata (none: nothing is sent, PowerDNS only logs that).
    notified: bool


class DnssecKey(Result):
    """One key of a signed zone, as PowerDNS reports it (inactive ones during a rollover)."""

    id: int
    # "csk", "ksk" or "zsk".
    kind: str
    algorithm: str
    bits: int
    # The DNSKEY record's content: "257 3 13 <base64>".
    dnskey: str
    # The DS records a registrar needs, "<tag> <alg> <digest type> <digest>", SHA-256 first;
    # none for a ZSK.
    ds: list[str]
    # Signs the zone (inactive: a key being rolled in or out).
    active: bool = True
    # Its DNSKEY is in the zone's answers.
    published: bool = True


class DnssecState(Result):
    """Whether a zone is signed, and its keys."""

    zone: str
    # True when at least one key is active.
    secured: bool
    keys: list[DnssecKey] = Field(default_factory=list)


ZONE_REFRESH: Spec[ZoneParams, RefreshResult] = Spec(
    "dns.zone.refresh",
    ZoneParams,
    RefreshResult,
    "Purge PowerDNS's caches for a zone, rectify it if signed, and NOTIFY its secondaries.",
)
ZONE_SECURE: Spec[SecureParams, DnssecState] = Spec(
    "dns.zone.secure", SecureParams, DnssecState, "Sign a zone with DNSSEC and rectify it."
)
ZONE_UNSECURE: Spec[ZoneParams, DnssecState] = Spec(
    "dns.zone.unsecure", ZoneParams, DnssecState, "Drop a zone's DNSSEC keys and rectify it."
)
ZONE_RECTIFY: Spec[ZoneParams, RefreshResult] = Spec(
    "dns.zone.rectify", ZoneParams, RefreshResult, "Recompute a zone's ordername and auth."
)
ZONE_DNSSEC: Spec[ZoneParams, DnssecState] = Spec(
    "dns.zone.dnssec", ZoneParams, DnssecState, "Whether a zone is signed; its keys and DS."
)
