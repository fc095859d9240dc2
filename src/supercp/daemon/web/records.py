"""The desired state of each site, one JSON record per site, and the host-name index.

A record is written before the system is touched, so a crash in the middle converges on
retry; ``committed`` turns true only once the services have reloaded with the site's
files, so a retry after a crash reloads even when the files already match.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from supercp.daemon.system.files import atomic_write
from supercp.protocol.errors import Conflict
from supercp.protocol.web import SiteSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Record:
    """A site's last requested spec and whether the services have it yet."""

    spec: SiteSpec
    committed: bool

    def dump(self) -> bytes:
        body = {"spec": self.spec.model_dump(mode="json"), "committed": self.committed}
        return json.dumps(body, sort_keys=True).encode()

    @classmethod
    def load(cls, data: bytes) -> Record:
        body = json.loads(data)
        return cls(SiteSpec.model_validate(body["spec"], strict=False), bool(body["committed"]))


def names(spec: SiteSpec) -> list[str]:
    """Every host name a site answers to."""
    return [spec.domain, *spec.aliases]


class RecordStore:
    """Records on disk plus, in memory, every site and the owner of each host name."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sites: dict[str, Record] = {}
        self.hosts: dict[str, str] = {}

    def load(self) -> None:
        """Read every record (at start); unreadable ones are logged and skipped."""
        self.sites.clear()
        self.hosts.clear()
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

    def _index(self, record: Record) -> None:
        old = self.sites.get(record.spec.domain)
        if old is not None:
            for host in names(old.spec):
                self.hosts.pop(host, None)
        self.sites[record.spec.domain] = record
        for host in names(record.spec):
            self.hosts[host] = record.spec.domain

    def _unindex(self, domain: str) -> None:
        old = self.sites.pop(domain, None)
        if old is not None:
            for host in names(old.spec):
                if self.hosts.get(host) == domain:
                    del self.hosts[host]

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
