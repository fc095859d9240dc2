"""PowerDNS's own tables (database ``powerdns``, gmysql schema), read and written with SQL.

Why not Django's ORM: these tables are PowerDNS's, not the panel's (no migrations of ours,
no foreign keys, names and content in PowerDNS's forms), the tests must write the real
database that the real PowerDNS answers from (a pytest-django test database would be one it
never reads), and a bulk import wants multi-row INSERTs in one transaction. So this module
holds a few connections of its own (login from ``SUPERCP_DNS_DATABASE``: the option file
``/etc/supercp/panel/mariadb-dns.cnf``, user ``supercp_dns``, rows of ``powerdns`` only) and
the only SQL of the DNS app. Nothing here checks rights or input: ``services.py`` does.

Every change is one transaction (``transaction()``), which locks the zone's ``domains`` row
first, so two changes of one zone take turns and each gets its own SOA serial.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

# mysqlclient ships no types (types-mysqlclient has them, where installed).
import MySQLdb  # type: ignore[import-untyped,unused-ignore]

from supercp.protocol.errors import Unavailable
from supercp.web.dns import config
from supercp.web.dns.records import Record
from supercp.web.dns.rectify import Order

log = logging.getLogger(__name__)

# Connections kept open: a change holds one for a few milliseconds, so a handful serve the
# panel's 32 request threads; more would only take MariaDB connections from the panel.
POOL_SIZE = 8
# Rows per INSERT statement of a bulk import (well under max_allowed_packet's 16 MB).
INSERT_BATCH = 2000


@dataclass(frozen=True)
class Domain:
    """A ``domains`` row."""

    id: int
    name: str
    type: str


@dataclass(frozen=True)
class Row:
    """A ``records`` row; ``type`` None is an empty non-terminal (rectify's)."""

    id: int
    name: str
    type: str | None
    content: str
    ttl: int
    prio: int
    auth: bool
    ordername: str | None
    disabled: bool

    def record(self) -> Record:
        assert self.type is not None
        return Record(self.name, self.type, self.content, self.ttl, self.prio)


_DOMAIN = "SELECT id, name, type FROM domains WHERE name = %s"
_DOMAIN_LOCKED = _DOMAIN + " FOR UPDATE"
_DELETE_ALL = "DELETE FROM records WHERE domain_id = %s"
_DELETE_BUT_SOA = _DELETE_ALL + " AND (type IS NULL OR type <> 'SOA')"


class _Pool:
    """At most POOL_SIZE connections, each used by one thread at a time."""

    def __init__(self) -> None:
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(POOL_SIZE)

    def _connect(self) -> Any:
        options = config.database()
        try:
            conn = MySQLdb.connect(
                charset="utf8mb4",
                autocommit=False,
                init_command="SET SESSION sql_mode='STRICT_TRANS_TABLES'",
                **options,
            )
        except MySQLdb.Error as err:
            log.error("cannot connect to PowerDNS's database: %s", err)
            raise Unavailable(
                "PowerDNS's database cannot be reached", code="dns-database"
            ) from None
        with conn.cursor() as c:
            c.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        return conn

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        self._slots.acquire()
        conn = None
        try:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is not None:
                try:
                    conn.ping()
                except MySQLdb.Error:
                    with contextlib.suppress(MySQLdb.Error):
                        conn.close()
                    conn = None
            if conn is None:
                conn = self._connect()
            yield conn
        except MySQLdb.OperationalError as err:
            # A lost connection is not put back.
            if conn is not None:
                with contextlib.suppress(MySQLdb.Error):
                    conn.close()
                conn = None
            log.error("PowerDNS's database failed: %s", err)
            raise Unavailable("PowerDNS's database failed", code="dns-database") from None
        finally:
            if conn is not None:
                with self._lock:
                    self._idle.append(conn)
            self._slots.release()

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(MySQLdb.Error):
                conn.close()


_pool = _Pool()


@contextlib.contextmanager
def transaction() -> Iterator[Tx]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with _pool.connection() as conn:
        try:
            with conn.cursor() as cursor:
                yield Tx(cursor)
            conn.commit()
        except BaseException:
            with contextlib.suppress(MySQLdb.Error):
                conn.rollback()
            raise


def close() -> None:
    """Close the idle connections (tests and the benchmark, between phases)."""
    _pool.close_all()


def _rows(cursor: Any) -> list[tuple[Any, ...]]:
    return list(cursor.fetchall())


class Tx:
    """The statements of one transaction."""

    def __init__(self, cursor: Any) -> None:
        self.c = cursor

    # --- zones ----------------------------------------------------------------------------------

    def domain(self, name: str, *, lock: bool = False) -> Domain | None:
        self.c.execute(_DOMAIN_LOCKED if lock else _DOMAIN, (name,))
        found = self.c.fetchone()
        return Domain(int(found[0]), found[1], found[2]) if found else None

    def domains(self, names: Sequence[str]) -> dict[str, Domain]:
        if not names:
            return {}
        marks = ", ".join(["%s"] * len(names))
        # Only placeholders are put into these statements, never values (here and below).
        self.c.execute(
            f"SELECT id, name, type FROM domains WHERE name IN ({marks})",  # noqa: S608
            tuple(names),
        )
        return {r[1]: Domain(int(r[0]), r[1], r[2]) for r in _rows(self.c)}

    def create_domain(self, name: str, account: str | None) -> int:
        self.c.execute(
            "INSERT INTO domains (name, type, account) VALUES (%s, 'MASTER', %s)",
            (name, account),
        )
        return int(self.c.lastrowid)

    def set_account(self, domain_id: int, account: str | None) -> None:
        self.c.execute("UPDATE domains SET account = %s WHERE id = %s", (account, domain_id))

    def delete_domain(self, domain_id: int) -> None:
        """The zone and everything PowerDNS keeps of it (the schema has no foreign keys)."""
        for table in ("records", "domainmetadata", "cryptokeys", "comments"):
            self.c.execute(f"DELETE FROM {table} WHERE domain_id = %s", (domain_id,))  # noqa: S608
        self.c.execute("DELETE FROM domains WHERE id = %s", (domain_id,))

    def signed(self, domain_ids: Sequence[int]) -> set[int]:
        """Which of these zones have DNSSEC keys."""
        if not domain_ids:
            return set()
        marks = ", ".join(["%s"] * len(domain_ids))
        self.c.execute(
            f"SELECT DISTINCT domain_id FROM cryptokeys WHERE domain_id IN ({marks})",  # noqa: S608
            tuple(domain_ids),
        )
        return {int(r[0]) for r in _rows(self.c)}

    def counts(self, domain_ids: Sequence[int]) -> dict[int, int]:
        """Records per zone (empty non-terminals not counted)."""
        if not domain_ids:
            return {}
        marks = ", ".join(["%s"] * len(domain_ids))
        self.c.execute(
            "SELECT domain_id, COUNT(*) FROM records WHERE type IS NOT NULL AND "  # noqa: S608
            f"domain_id IN ({marks}) GROUP BY domain_id",
            tuple(domain_ids),
        )
        return {int(r[0]): int(r[1]) for r in _rows(self.c)}

    def soas(self, domain_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
        """The SOA content and TTL of each zone."""
        if not domain_ids:
            return {}
        marks = ", ".join(["%s"] * len(domain_ids))
        self.c.execute(
            "SELECT domain_id, content, ttl FROM records WHERE type = 'SOA' AND "  # noqa: S608
            f"domain_id IN ({marks})",
            tuple(domain_ids),
        )
        return {int(r[0]): (r[1], int(r[2] or 0)) for r in _rows(self.c)}

    # --- records --------------------------------------------------------------------------------

    def rows(self, domain_id: int) -> list[Row]:
        """Every row of a zone, empty non-terminals included."""
        self.c.execute(
            "SELECT id, name, type, content, ttl, prio, auth, ordername, disabled "
            "FROM records WHERE domain_id = %s ORDER BY name, type, id",
            (domain_id,),
        )
        return [_row(r) for r in _rows(self.c)]

    def row(self, domain_id: int, record_id: int) -> Row | None:
        self.c.execute(
            "SELECT id, name, type, content, ttl, prio, auth, ordername, disabled "
            "FROM records WHERE domain_id = %s AND id = %s AND type IS NOT NULL",
            (domain_id, record_id),
        )
        found = self.c.fetchone()
        return _row(found) if found else None

    def insert_one(self, domain_id: int, record: Record, order: Order) -> int:
        """Insert one record; its id."""
        self.insert(domain_id, [(record, order)])
        return int(self.c.lastrowid)

    def insert(self, domain_id: int, rows: Iterable[tuple[Record, Order]]) -> None:
        """Insert records, INSERT_BATCH rows per statement."""
        pending = list(rows)
        for start in range(0, len(pending), INSERT_BATCH):
            batch = pending[start : start + INSERT_BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, 0, %s, %s)"] * len(batch))
            params: list[Any] = []
            for record, order in batch:
                params += [
                    domain_id,
                    record.name,
                    record.type,
                    record.content,
                    record.ttl,
                    record.prio,
                    order.ordername,
                    int(order.auth),
                ]
            self.c.execute(
                "INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, "  # noqa: S608
                f"ordername, auth) VALUES {values}",
                params,
            )

    def insert_ents(self, domain_id: int, names: Iterable[tuple[str, Order]]) -> None:
        pending = list(names)
        for start in range(0, len(pending), INSERT_BATCH):
            batch = pending[start : start + INSERT_BATCH]
            values = ", ".join(["(%s, %s, NULL, NULL, NULL, NULL, 0, %s, %s)"] * len(batch))
            params: list[Any] = []
            for name, order in batch:
                params += [domain_id, name, order.ordername, int(order.auth)]
            self.c.execute(
                "INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, "  # noqa: S608
                f"ordername, auth) VALUES {values}",
                params,
            )

    def update(self, domain_id: int, record_id: int, record: Record) -> None:
        self.c.execute(
            "UPDATE records SET name = %s, type = %s, content = %s, ttl = %s, prio = %s "
            "WHERE domain_id = %s AND id = %s",
            (
                record.name,
                record.type,
                record.content,
                record.ttl,
                record.prio,
                domain_id,
                record_id,
            ),
        )

    def set_ttl(self, domain_id: int, name: str, kind: str, ttl: int) -> None:
        """One TTL for a whole RRset (RFC 2181 5.2)."""
        self.c.execute(
            "UPDATE records SET ttl = %s WHERE domain_id = %s AND name = %s AND type = %s",
            (ttl, domain_id, name, kind),
        )

    def set_orders(self, changes: Sequence[tuple[int, Order]]) -> None:
        if changes:
            self.c.executemany(
                "UPDATE records SET auth = %s, ordername = %s WHERE id = %s",
                [(int(o.auth), o.ordername, rid) for rid, o in changes],
            )

    def delete(self, domain_id: int, record_ids: Sequence[int]) -> None:
        for start in range(0, len(record_ids), INSERT_BATCH):
            batch = record_ids[start : start + INSERT_BATCH]
            marks = ", ".join(["%s"] * len(batch))
            self.c.execute(
                f"DELETE FROM records WHERE domain_id = %s AND id IN ({marks})",  # noqa: S608
                (domain_id, *batch),
            )

    def delete_all(self, domain_id: int, *, keep_soa: bool = True) -> None:
        self.c.execute(_DELETE_BUT_SOA if keep_soa else _DELETE_ALL, (domain_id,))

    def soa(self, domain_id: int) -> tuple[int, str, int] | None:
        """The zone's SOA row: id, content, TTL."""
        self.c.execute(
            "SELECT id, content, ttl FROM records WHERE domain_id = %s AND type = 'SOA' "
            "ORDER BY id LIMIT 1",
            (domain_id,),
        )
        found = self.c.fetchone()
        return (int(found[0]), found[1], int(found[2] or 0)) if found else None

    def set_soa(self, record_id: int, content: str, ttl: int) -> None:
        self.c.execute(
            "UPDATE records SET content = %s, ttl = %s WHERE id = %s", (content, ttl, record_id)
        )

    # --- metadata -------------------------------------------------------------------------------

    def metadata(self, domain_id: int, kind: str) -> list[str]:
        self.c.execute(
            "SELECT content FROM domainmetadata WHERE domain_id = %s AND kind = %s ORDER BY id",
            (domain_id, kind),
        )
        return [r[0] for r in _rows(self.c)]

    def set_metadata(self, domain_ids: Sequence[int], kind: str, values: Sequence[str]) -> None:
        """Replace one kind of metadata of these zones with ``values`` (each zone the same)."""
        for start in range(0, len(domain_ids), INSERT_BATCH):
            batch = domain_ids[start : start + INSERT_BATCH]
            marks = ", ".join(["%s"] * len(batch))
            self.c.execute(
                f"DELETE FROM domainmetadata WHERE kind = %s AND domain_id IN ({marks})",  # noqa: S608
                (kind, *batch),
            )
            if values:
                rows = [(d, kind, v) for d in batch for v in values]
                self.c.executemany(
                    "INSERT INTO domainmetadata (domain_id, kind, content) VALUES (%s, %s, %s)",
                    rows,
                )


def _row(r: tuple[Any, ...]) -> Row:
    return Row(
        id=int(r[0]),
        name=r[1],
        type=r[2],
        content=r[3] or "",
        ttl=int(r[4] or 0),
        prio=int(r[5] or 0),
        auth=bool(r[6]),
        ordername=r[7],
        disabled=bool(r[8]),
    )
