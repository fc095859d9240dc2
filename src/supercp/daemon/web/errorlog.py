"""Each site's own error log, written from the errors nginx sends us tagged with the site.

Why not an ``error_log`` file in each server block: nginx keeps the files it opens in one
list and looks every new one up by name there, so 10,000 of them cost half a second at
each reload (the lookups grow with the square of the sites) and 10,000 descriptors in every
nginx process. A syslog target opens nothing at load time. So each server block logs to one
shared file (the whole record, kept even while we are down) and to our Unix datagram socket
with ``tag=s<digest>`` (layout.log_tag); this copies each message to its site's file.

Every message is one datagram whose header (up to the tag) nginx writes itself. What follows
can hold anything a client or a site's PHP chose, newlines and fake headers included, so the
site is taken from the tag alone and newlines are escaped: nothing in a message can make it
land in, or look like a line of, another site's log. Only nginx's workers (group www-data)
may send to the socket.

Best effort by design: messages sent while the daemon is down, or faster than it writes,
are only in the shared file (nginx does not wait for us); after a restart of the daemon,
so is the first message of each nginx worker that had sent to the old socket (the send
fails, nginx connects again for the next one).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
from collections.abc import Callable, Iterable
from pathlib import Path

from supercp.daemon.web.layout import WebLayout, log_tag

log = logging.getLogger(__name__)

# "<PRI>Mmm dd hh:mm:ss TAG: " as nginx writes it (with nohostname), then the message.
_HEADER = re.compile(rb"<\d{1,3}>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (s[0-9a-f]{16}): ")
_MAX_DATAGRAM = 65536


def escape(message: bytes) -> bytes:
    """One line, whatever the message held."""
    return message.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")


class ErrorLogs:
    """Receives nginx's tagged errors and appends each to its site's error log."""

    def __init__(self, layout: WebLayout, domains: Callable[[], Iterable[str]]) -> None:
        self.layout = layout
        self._domains = domains
        self._by_tag: dict[str, str] = {}
        self._indexed: set[str] = set()
        self._pending: list[bytes] = []
        self._flushing = False
        self._transport: asyncio.DatagramTransport | None = None
        self.written = 0  # messages appended since start
        self.dropped = 0  # messages no site of ours claimed

    async def start(self, gid: int) -> None:
        """Listen on the socket (replacing a stale one); only group ``gid`` may send."""
        path = self.layout.error_socket
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            path.unlink(missing_ok=True)
            sock.bind(str(path))
            os.chown(path, 0, gid)
            os.chmod(path, 0o620)
            sock.setblocking(False)
            loop = asyncio.get_running_loop()
            self._transport, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(self), sock=sock
            )
        except BaseException:
            sock.close()
            raise

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def forget(self, domain: str) -> None:
        """The site is going: its late messages must not bring its log back."""
        self._by_tag.pop(log_tag(domain), None)
        self._indexed.discard(domain)

    def _site(self, tag: str) -> str | None:
        domain = self._by_tag.get(tag)
        if domain is None:
            # A site new since we last looked (a removed one stays unknown: it was forgotten
            # after its record went).
            for name in self._domains():
                if name not in self._indexed:
                    self._indexed.add(name)
                    self._by_tag[log_tag(name)] = name
            domain = self._by_tag.get(tag)
        return domain

    def received(self, datagram: bytes) -> None:
        self._pending.append(datagram)
        if not self._flushing:
            # Whatever else arrives in this turn of the loop is written with it.
            self._flushing = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flushing = False
        batch, self._pending = self._pending, []
        self.deliver(batch)

    def deliver(self, datagrams: list[bytes]) -> None:
        """Append each message to its site's log (grouped: one open per site)."""
        lines: dict[str, list[bytes]] = {}
        for datagram in datagrams:
            match = _HEADER.match(datagram)
            domain = self._site(match.group(1).decode()) if match else None
            if match is None or domain is None:
                self.dropped += 1
                continue
            message = datagram[match.end() :].rstrip(b"\n")
            lines.setdefault(domain, []).append(escape(message) + b"\n")
        for domain, chunk in lines.items():
            try:
                _append(self.layout.log(domain, "error"), b"".join(chunk))
                self.written += len(chunk)
            except OSError as err:
                log.warning("error log of %s: %s", domain, err)


def _append(path: Path, data: bytes) -> None:
    # Opened for each batch, so a rotated log is followed at once; O_NOFOLLOW, though the
    # directory is root's and nobody else can put a link there.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o640)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, logs: ErrorLogs) -> None:
        self.logs = logs

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.logs.received(data[:_MAX_DATAGRAM])

    def error_received(self, exc: Exception) -> None:
        log.warning("nginx error socket: %s", exc)
