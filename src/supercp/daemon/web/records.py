"""The desired state of each site, one JSON record per site, and the host-name index.

A record is written before the system is touched, so a crash in the middle converges on
retry; ``committed`` turns true only once the services have reloaded with the site's
files, so a retry after a crash reloads even when the files already match.

A PHP site's record also holds its PHP-FPM shard, chosen once when its pool is first made
(``RecordStore.shard_for``), so shards never rebalance behind a site's back.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from supercp.daemon.system.files import atomic_write
from supercp.protocol.errors import Conflict
from supercp.protocol.web import SiteSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Record:
    """A site's last requested spec, whether the services have it yet, and its shard.

    ``shard`` is the site's PHP-FPM master among those of ``spec.php``; None for a static
    site, and for a record written before shards (its pool is in Debian's pool.d).
    """

    spec: SiteSpec
    committed: bool
    shard: int | None = None

    def dump(self) -> bytes:
        body = {
            "spec": self.spec.model_dump(mode="json"),
            "committed": self.committed,
            "shard": self.shard,
        }
        return json.dumps(body, sort_keys=True).encode()

    @classmethod
    def load(cls, data: bytes) -> Record:
        body = json.loads(data)
        shard = body.get("shard")
        if shard is not None and (not isinstance(shard, int) or shard < 0):
            raise ValueError(f"bad shard {shard!r}")
        spec = SiteSpec.model_validate(body["spec"], strict=False)
        return cls(spec, bool(body["committed"]), shard)

    def placed(self) -> tuple[str, int] | None:
        """(PHP version, shard) of the site's pool, when it has one of ours."""
        if self.spec.php is None or self.shard is None:
            return None
        return self.spec.php, self.shard


def names(spec: SiteSpec) -> list[str]:
    """Every host name a site answers to."""
    return [spec.domain, *spec.aliases]


class RecordStore:
    """Records on disk plus, in memory, every site, the owner of each host name and the
    number of sites in each PHP-FPM shard."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sites: dict[str, Record] = {}
        self.hosts: dict[str, str] = {}
        # Sites per (version, shard): their records' shards, or the shard a call in flight
        # has claimed for them (so calls at once spread over shards instead of piling up).
        self.occupancy: Counter[tuple[str, int]] = Counter()
        self._claims: dict[str, tuple[str, int]] = {}

    def load(self) -> None:
        """Read every record (at start); unreadable ones are logged and skipped."""
        self.sites.clear()
        self.hosts.clear()
        self.occupancy.clear()
        self._claims.clear()
        try:
            entries = sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return
        for entry in entries:
            if not entry.endswith(".json") or entry.startswith("."):
                continue
            try:
                record = Record.load((self.directory / entry).read_bytes())
            except (OSError, ValueError, KeyError) as err:
                log.error("skipping unreadable site record %s: %s", entry, err)
                continue
            self._index(record)

    def _where(self, domain: str) -> tuple[str, int] | None:
        if domain in self._claims:
            return self._claims[domain]
        record = self.sites.get(domain)
        return None if record is None else record.placed()

    def _count(self, place: tuple[str, int] | None, step: int) -> None:
        if place is not None:
            self.occupancy[place] += step
            if self.occupancy[place] <= 0:
                del self.occupancy[place]

    def _index(self, record: Record) -> None:
        domain = record.spec.domain
        self._count(self._where(domain), -1)
        self._claims.pop(domain, None)
        old = self.sites.get(domain)
        if old is not None:
            for host in names(old.spec):
                self.hosts.pop(host, None)
        self.sites[domain] = record
        for host in names(record.spec):
            self.hosts[host] = domain
        self._count(self._where(domain), 1)

    def _unindex(self, domain: str) -> None:
        self._count(self._where(domain), -1)
        self._claims.pop(domain, None)
        old = self.sites.pop(domain, None)
        if old is not None:
            for host in names(old.spec):
                if self.hosts.get(host) == domain:
                    del self.hosts[host]

    def shard_for(self, spec: SiteSpec, size: int) -> int:
        """The site's shard for ``spec.php``: the one it has, else (claimed until its record
        is written or ``unclaim``) the shard with the fewest sites, a new one when all hold
        ``size``. Empty shards are reused before higher numbers."""
        assert spec.php is not None
        place = self._where(spec.domain)
        if place is not None and place[0] == spec.php:
            return place[1]
        counts = {k: n for (v, k), n in self.occupancy.items() if v == spec.php}
        roomy = sorted((n, k) for k, n in counts.items() if n < size)
        shard = roomy[0][1] if roomy else next(k for k in itertools.count() if k not in counts)
        self._count(place, -1)
        self._claims[spec.domain] = (spec.php, shard)
        self._count((spec.php, shard), 1)
        return shard

    def unclaim(self, domain: str) -> None:
        """Forget a claim whose record was never written (the call failed before)."""
        if domain in self._claims:
            self._count(self._claims.pop(domain), -1)
            record = self.sites.get(domain)
            self._count(None if record is None else record.placed(), 1)

    def check(self, spec: SiteSpec) -> None:
        """Refuse a site whose names belong to another site, or a domain of another account."""
        current = self.sites.get(spec.domain)
        if current is not None and current.spec.account != spec.account:
            raise Conflict(
                f"{spec.domain} is a site of another account", code="site-exists", field="domain"
            )
        if len(set(names(spec))) != len(names(spec)):
            raise Conflict("a host name is listed twice", code="domain-taken", field="aliases")
        for i, host in enumerate(names(spec)):
            owner = self.hosts.get(host)
            if owner is not None and owner != spec.domain:
                field = "domain" if i == 0 else "aliases"
                raise Conflict(
                    f"{host} already belongs to the site {owner}", code="domain-taken", field=field
                )

    def put(self, path: Path, record: Record, *, durable: bool = True) -> None:
        """Write the record (atomically, 0600) and index it."""
        atomic_write(path, record.dump(), mode=0o600, durable=durable)
        self._index(record)

    def restore(self, path: Path, domain: str, previous: Record | None) -> None:
        """Put back what was there before a failed change."""
        if previous is None:
            self.drop(path, domain)
        else:
            self.put(path, previous)

    def drop(self, path: Path, domain: str) -> None:
        path.unlink(missing_ok=True)
        self._unindex(domain)
