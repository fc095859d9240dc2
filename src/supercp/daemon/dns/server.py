"""The running pdns_server: its control socket, and what it answers about a zone.

The control socket is what ``pdns_control`` speaks: connect, write one command line, read
the reply until the server closes. Speaking it directly takes 0.3 ms a command here;
running ``pdns_control`` takes 3 ms, most of it reading the configuration.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from supercp.protocol.errors import SystemFailure, Unavailable

# Where pdns_server answers (setup/templates/pdns.conf binds every address, port 53).
DNS_ADDRESS = "127.0.0.1"
DNS_PORT = 53
# A control command or a query that takes longer than this means pdns_server is stuck.
TIMEOUT = 5.0
# Tries of a control command whose connection was dropped.
_CONTROL_ATTEMPTS = 5
# Zones per purge command: PowerDNS takes any number; this keeps a command line small.
PURGE_BATCH = 100


class ZoneState(enum.Enum):
    """Whether pdns_server serves a zone, and whether it signs it."""

    ABSENT = "absent"
    UNSIGNED = "unsigned"
    SIGNED = "signed"


class Server(Protocol):
    """What the DNS manager needs from pdns_server; tests substitute a fake."""

    async def control(self, *words: str) -> str: ...

    async def zone_state(self, zone: str) -> ZoneState: ...


def _unavailable(err: Exception) -> Unavailable:
    return Unavailable(f"PowerDNS does not answer: {err}", code="pdns-unavailable")


class PdnsServer:
    """pdns_server through its control socket and its DNS port."""

    def __init__(
        self,
        socket: Path,
        address: str = DNS_ADDRESS,
        port: int = DNS_PORT,
        timeout: float = TIMEOUT,
    ) -> None:
        self.socket = socket
        self.address = address
        self.port = port
        self.timeout = timeout
        self._lock = asyncio.Lock()

    async def control(self, *words: str) -> str:
        """Send one command (``purge``, ``notify``, …) and return PowerDNS's reply."""
        line = " ".join(words)
        if "\n" in line:
            raise ValueError("a control command is one line")
        # pdns_server serves its control socket one connection at a time and drops those
        # that arrive meanwhile (seen: 50 at once, most reset), so ours queue up here and a
        # command that met someone else's (an admin's pdns_control) is tried again.
        async with self._lock:
            for attempt in range(_CONTROL_ATTEMPTS):
                try:
                    async with asyncio.timeout(self.timeout):
                        return await self._command(line)
                except TimeoutError as err:
                    raise _unavailable(err) from None
                except (ConnectionResetError, BlockingIOError, BrokenPipeError) as err:
                    if attempt == _CONTROL_ATTEMPTS - 1:
                        raise _unavailable(err) from err
                    await asyncio.sleep(0.01 * (attempt + 1))
                except OSError as err:
                    raise _unavailable(err) from err
        raise AssertionError("unreachable")

    async def _command(self, line: str) -> str:
        reader, writer = await asyncio.open_unix_connection(str(self.socket))
        try:
            writer.write(line.encode() + b"\n")
            await writer.drain()
            reply = await reader.read()
        finally:
            writer.close()
        return reply.decode("utf-8", "replace").strip()

    async def zone_state(self, zone: str) -> ZoneState:
        """Ask pdns_server for the zone's DNSKEY: the keys when it signs the zone, else
        its SOA (no data); neither when it does not serve the zone."""
        name = dns.name.from_text(zone)
        query = dns.message.make_query(name, dns.rdatatype.DNSKEY, use_edns=0, payload=1232)
        query.flags &= ~dns.flags.RD
        try:
            answer = await dns.asyncquery.udp(query, self.address, self.timeout, self.port)
            if answer.flags & dns.flags.TC:
                answer = await dns.asyncquery.tcp(query, self.address, self.timeout, self.port)
        except dns.exception.Timeout as err:
            raise _unavailable(err) from None
        except (OSError, dns.exception.DNSException) as err:
            raise _unavailable(err) from err
        if answer.rcode() != dns.rcode.NOERROR or not answer.flags & dns.flags.AA:
            return ZoneState.ABSENT
        if any(r.name == name and r.rdtype == dns.rdatatype.DNSKEY for r in answer.answer):
            return ZoneState.SIGNED
        # No keys: the zone's own SOA says it is a zone (a name inside another zone would
        # bring that zone's SOA).
        if any(r.name == name and r.rdtype == dns.rdatatype.SOA for r in answer.authority):
            return ZoneState.UNSIGNED
        return ZoneState.ABSENT


class Purger:
    """Purges zones (each with every name below it) from PowerDNS's packet and query caches.

    Group commit: zones asked for while a purge is under way go together in the next
    command, and every caller is answered when the command that carried its zone is done.
    """

    def __init__(self, server: Server) -> None:
        self.server = server
        self._pending: dict[str, asyncio.Future[None]] = {}
        self._task: asyncio.Task[None] | None = None
        # How many purge commands were sent (tests and the log look at it).
        self.commands = 0

    async def purge(self, zone: str) -> None:
        future = self._pending.get(zone)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._pending[zone] = future
        if self._task is None:
            self._task = asyncio.create_task(self._drain())
        # Shielded: a caller that goes away does not cancel the others' purge.
        await asyncio.shield(future)

    async def _drain(self) -> None:
        try:
            while self._pending:
                zones = list(self._pending)[:PURGE_BATCH]
                batch = {zone: self._pending.pop(zone) for zone in zones}
                await self._send(batch)
        finally:
            self._task = None

    async def _send(self, batch: dict[str, asyncio.Future[None]]) -> None:
        self.commands += 1
        error: Exception | None = None
        try:
            reply = await self.server.control("purge", *_suffixes(batch))
            if not reply.isdigit():
                error = SystemFailure(f"PowerDNS refused the purge: {reply}", code="pdns-failed")
        except Exception as err:  # every waiter gets it; none is lost
            error = err
        for future in batch.values():
            if future.done():
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)
                # Retrieved here so a waiter that went away leaves no "never retrieved" log.
                future.exception()


def _suffixes(zones: Iterable[str]) -> list[str]:
    # "NAME$" purges NAME and everything below it.
    return [f"{zone}$" for zone in zones]
