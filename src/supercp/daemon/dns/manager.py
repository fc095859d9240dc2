"""Zones in PowerDNS: cache purges, NOTIFY, rectify and DNSSEC keys.

The panel writes zones, records and metadata into PowerDNS's tables itself; nothing here
writes them. What needs root is what PowerDNS's own tools do: ``pdnsutil`` (keys, rectify)
with the server's configuration, which holds the backend's password, and the control socket
(purge, notify). Every method first makes sure pdns_server serves the zone, and answers
``zone-not-found`` otherwise.
"""

from __future__ import annotations

import logging
from pathlib import Path

from supercp.daemon.config import DaemonConfig
from supercp.daemon.dns.keys import Key, parse_exported_dnskey, parse_show_zone
from supercp.daemon.dns.server import PdnsServer, Purger, Server, ZoneState
from supercp.daemon.system.runner import Runner
from supercp.protocol.dns import Algorithm, DnssecKey, DnssecState, RefreshResult
from supercp.protocol.errors import Conflict, NotFound

log = logging.getLogger(__name__)

# pdnsutil's names for the protocol's algorithms.
_PDNSUTIL_ALGORITHM: dict[Algorithm, str] = {"ecdsap256sha256": "ecdsa256", "ed25519": "ed25519"}
# What PowerDNS says when it queued a NOTIFY ("Failed to add to the queue - see log" if not).
_NOTIFY_QUEUED = "Added to queue"


class DnsManager:
    """PowerDNS's side of the panel's zones."""

    def __init__(self, config: DaemonConfig, runner: Runner, server: Server | None = None) -> None:
        self.runner = runner
        # pdnsutil reads pdns.conf and pdns.d/ there, as pdns_server does.
        self.config_dir: Path = config.host_path("/etc/powerdns")
        self.server: Server = server or PdnsServer(config.host_path("/run/pdns/pdns.controlsocket"))
        self.purger = Purger(self.server)

    async def refresh(self, zone: str) -> RefreshResult:
        """Purge the zone's cached answers, rectify it if signed, NOTIFY its secondaries.

        A zone pdns_server no longer serves (the panel just deleted it) is purged all the
        same, so the deletion shows at once, and then answered ``zone-not-found``.
        """
        signed = await self._require(zone) is ZoneState.SIGNED
        if signed:
            await self._pdnsutil("rectify-zone", zone)
            await self.purger.purge(zone)
        notified = await self._notify(zone)
        return RefreshResult(zone=zone, rectified=signed, notified=notified)

    async def rectify(self, zone: str) -> RefreshResult:
        """Recompute the zone's ordername and auth columns (and empty non-terminals)."""
        await self._require(zone)
        await self._pdnsutil("rectify-zone", zone)
        await self.purger.purge(zone)
        return RefreshResult(zone=zone, rectified=True, notified=False)

    async def secure(self, zone: str, algorithm: Algorithm) -> DnssecState:
        """Sign the zone with one combined signing key (a KSK with no ZSK) of ``algorithm``.

        Idempotent: a zone already signed with an active key of that algorithm is left
        alone. A zone signed with another algorithm is refused (``dnssec-algorithm-differs``):
        changing it is an algorithm rollover, done by hand (docs/dns.md).
        """
        await self._require(zone)
        active = [key for key in await self._keys(zone) if key.active]
        if not active:
            await self._pdnsutil(
                "add-zone-key", zone, "ksk", "active", "published", _PDNSUTIL_ALGORITHM[algorithm]
            )
            log.info("dns: %s signed with a new %s key", zone, algorithm)
        elif not any(key.algorithm == algorithm for key in active):
            have = ", ".join(sorted({key.algorithm for key in active}))
            raise Conflict(
                f"{zone} is signed with {have}; changing the algorithm is a rollover "
                "(see docs/dns.md)",
                code="dnssec-algorithm-differs",
                field="algorithm",
            )
        await self._settle(zone)
        return await self._state(zone)

    async def unsecure(self, zone: str) -> DnssecState:
        """Remove every key of the zone (pdnsutil disable-dnssec), then rectify it."""
        await self._require(zone)
        await self._pdnsutil("disable-dnssec", zone)
        log.info("dns: %s no longer signed", zone)
        await self._settle(zone)
        return await self._state(zone)

    async def dnssec(self, zone: str) -> DnssecState:
        """Whether the zone is signed, with each key's DNSKEY and DS records."""
        await self._require(zone)
        return await self._state(zone)

    async def _require(self, zone: str) -> ZoneState:
        # Purged first: an answer cached before the zone was written must not hide it.
        await self.purger.purge(zone)
        state = await self.server.zone_state(zone)
        if state is ZoneState.ABSENT:
            raise NotFound(f"PowerDNS has no zone {zone}", code="zone-not-found", field="zone")
        return state

    async def _settle(self, zone: str) -> None:
        # After keys changed: fix the NSEC order, drop cached answers, tell the secondaries.
        await self._pdnsutil("rectify-zone", zone)
        await self.purger.purge(zone)
        await self._notify(zone)

    async def _notify(self, zone: str) -> bool:
        reply = await self.server.control("notify", zone)
        if reply.startswith(_NOTIFY_QUEUED):
            return True
        log.warning("dns: PowerDNS did not queue a NOTIFY for %s: %s", zone, reply)
        return False

    async def _keys(self, zone: str) -> list[Key]:
        done = await self._pdnsutil("show-zone", zone)
        keys = parse_show_zone(done)
        for key in keys:
            if not key.dnskey:
                # A ZSK (from a rollover by hand): show-zone prints no DNSKEY for it.
                exported = await self._pdnsutil("export-zone-dnskey", zone, str(key.id))
                key.dnskey = parse_exported_dnskey(exported)
        return keys

    async def _state(self, zone: str) -> DnssecState:
        keys = await self._keys(zone)
        return DnssecState(
            zone=zone,
            secured=any(key.active for key in keys),
            keys=[
                DnssecKey(
                    id=key.id,
                    kind=key.kind,
                    algorithm=key.algorithm,
                    bits=key.bits,
                    dnskey=key.dnskey,
                    ds=key.ds,
                    active=key.active,
                    published=key.published,
                )
                for key in keys
            ],
        )

    async def _pdnsutil(self, *args: str) -> str:
        done = await self.runner.run(["pdnsutil", f"--config-dir={self.config_dir}", *args])
        return done.stdout
