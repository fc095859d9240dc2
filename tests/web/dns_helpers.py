"""What the DNS tests share: questions to the real PowerDNS, and PowerDNS's rows of a zone."""

from __future__ import annotations

import time

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from supercp.web.core.models import AuditEvent
from supercp.web.dns import pdns

SERVER = "127.0.0.1"
# The promise: a change answers within a second of the API call returning.
LIVE_WITHIN = 1.0


def ask(name: str, kind: str, *, dnssec: bool = False) -> dns.message.Message:
    """PowerDNS's answer to one question (over TCP when the answer was truncated)."""
    query = dns.message.make_query(name, kind, want_dnssec=dnssec)
    answer = dns.query.udp(query, SERVER, timeout=2)
    if answer.flags & dns.flags.TC:
        answer = dns.query.tcp(query, SERVER, timeout=2)
    return answer


def answers(name: str, kind: str) -> set[str]:
    """The data of the answer's RRset for name and type (empty when none)."""
    reply = ask(name, kind)
    wanted = dns.name.from_text(name)
    rdtype = dns.rdatatype.from_text(kind)
    for rrset in reply.answer:
        if rrset.name == wanted and rrset.rdtype == rdtype:
            return {r.to_text() for r in rrset}
    return set()


def until(name: str, kind: str, expected: set[str], within: float = LIVE_WITHIN) -> float:
    """Seconds until PowerDNS answered ``expected``; fails after ``within``."""
    start = time.monotonic()
    while True:
        got = answers(name, kind)
        elapsed = time.monotonic() - start
        if got == expected:
            return elapsed
        assert elapsed < within, (name, kind, got, expected)
        time.sleep(0.02)


def rows(zone: str) -> list[tuple]:
    """Every row PowerDNS has of a zone (sorted), to compare before and after."""
    with pdns.transaction() as tx:
        domain = tx.domain(zone)
        if domain is None:
            return []
        return sorted(
            (r.name, r.type or "", r.content, r.ttl, r.prio, r.auth, r.ordername or "")
            for r in tx.rows(domain.id)
        )


def snapshot(zone: str) -> tuple[list[tuple], int]:
    """A zone's rows and the audit log's length: what "nothing written" compares."""
    return rows(zone), AuditEvent.objects.count()


def rrset(reply: dns.message.Message, name: str, kind: str) -> dns.rrset.RRset:
    return reply.find_rrset(
        reply.answer, dns.name.from_text(name), dns.rdataclass.IN, dns.rdatatype.from_text(kind)
    )
