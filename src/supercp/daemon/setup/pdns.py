"""Setup of PowerDNS: its database and schema, its logins, and its configuration, whole."""

from __future__ import annotations

import hashlib
import ipaddress
from pathlib import Path

from supercp.daemon.setup.apply import SetupFailed, Wanted, check_with, converge
from supercp.daemon.setup.machine import Machine, template
from supercp.daemon.setup.mariadb import Login, converge_user, copy_for_panel, password_of, sql

PDNS_DB = "powerdns"
PDNS = Login("pdns", PDNS_DB, "PowerDNS", "mariadb-pdns.cnf")
# The panel's login for PowerDNS's tables: rows only, no schema changes.
PANEL_DNS = Login("supercp_dns", PDNS_DB, "the panel (DNS)", "mariadb-dns.cnf")
# What pdns_server, and pdnsutil (run by super-daemon as root with the same config), write.
# Nothing else: zones, records and their metadata are the panel's to write.
PDNS_GRANTS = [
    f"SELECT ON `{PDNS_DB}`.*",
    # The primary records the serial it sent NOTIFY for; a secondary zone's last check.
    f"UPDATE (notified_serial, last_check) ON `{PDNS_DB}`.domains",
    # Rectify: ordername and auth of each record, plus the empty non-terminals it adds and
    # drops (rows of type NULL, e.g. _domainkey under selector._domainkey).
    f"INSERT, DELETE, UPDATE (ordername, auth) ON `{PDNS_DB}`.records",
    # secure-zone, disable-dnssec and key rollovers: the keys, and the metadata
    # disable-dnssec clears (NSEC3PARAM, PRESIGNED).
    f"INSERT, UPDATE, DELETE ON `{PDNS_DB}`.cryptokeys",
    f"INSERT, UPDATE, DELETE ON `{PDNS_DB}`.domainmetadata",
]
PANEL_DNS_GRANTS = [f"SELECT, INSERT, UPDATE, DELETE ON `{PDNS_DB}`.*"]
# The configuration the running pdns_server was started with (it has no reload).
STAMP = "/run/pdns.install.sha256"


def resolver(resolv_conf: str) -> tuple[str | None, str]:
    """The resolver ALIAS records are expanded through, or None and why there is none.

    The machine's first nameserver, unless that is on the loopback, where port 53 is
    pdns_server's own (local-address 0.0.0.0 takes 127.0.0.53 too, so systemd-resolved's stub
    cannot be it either).
    """
    first = next(
        (
            f[1]
            for f in (line.split() for line in resolv_conf.splitlines())
            if f[:1] == ["nameserver"] and len(f) > 1
        ),
        None,
    )
    if first is None:
        return None, "/etc/resolv.conf names no nameserver"
    try:
        address = ipaddress.ip_address(first)
    except ValueError:
        return None, f"the nameserver {first} is no address PowerDNS can use"
    mapped = getattr(address, "ipv4_mapped", None)
    if address.is_loopback or address.is_unspecified or (mapped and mapped.is_loopback):
        return None, f"the nameserver {first} is on the loopback, where port 53 is PowerDNS's own"
    if address.version == 6:
        return f"[{address}]:53", f"ALIAS records resolve through [{address}]:53"
    return str(address), f"ALIAS records resolve through {address}"


async def _database(m: Machine) -> None:
    # Debian's schema (latin1 tables: names are A-labels, and utf8mb4 would overflow its
    # indexes), loaded once into an empty database; later runs leave the tables, and so the
    # zones, alone.
    await sql(
        m,
        f"CREATE DATABASE IF NOT EXISTS `{PDNS_DB}` CHARACTER SET latin1 "
        "COLLATE latin1_swedish_ci;",
    )
    tables = await sql(
        m,
        "SELECT COUNT(*) FROM information_schema.tables "
        "WHERE table_schema = 'powerdns' AND table_name = 'domains';",
    )
    if tables.strip() == "0":
        schema = m.path(m.os.pdns_schema)
        try:
            statements = schema.read_text()
        except FileNotFoundError:
            raise SetupFailed(f"{schema} is missing (package pdns-backend-mysql)") from None
        await sql(m, statements, PDNS_DB)
        m.note(f"loaded PowerDNS's schema into {PDNS_DB}")


def _config_hash(pdns_dir: Path) -> str:
    digest = hashlib.sha256()
    files = [pdns_dir / "pdns.conf", *sorted((pdns_dir / "pdns.d").glob("*"))]
    for path in files:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


async def setup_pdns(m: Machine) -> None:
    """The database and logins, then pdns.conf and pdns.d, then pdns_server running them."""
    m.step(f"PowerDNS (gmysql, database {PDNS_DB})")
    await _database(m)
    pdns_password = password_of(m, PDNS)
    await converge_user(m, PDNS, pdns_password, PDNS_GRANTS)
    dns_password = password_of(m, PANEL_DNS)
    await converge_user(m, PANEL_DNS, dns_password, PANEL_DNS_GRANTS)
    await copy_for_panel(m, PANEL_DNS, dns_password, "mariadb-dns.cnf")

    pdns_dir = m.path(m.os.pdns_dir)
    try:
        resolv_conf = m.path(m.os.resolv_conf).read_text()
    except FileNotFoundError:
        resolv_conf = ""
    address, why = resolver(resolv_conf)
    wanted = [
        Wanted(pdns_dir / "pdns.conf", template("pdns.conf", pdns_dir=str(m.os.pdns_dir))),
        # The backend's login, readable by pdns_server (which runs as pdns).
        Wanted(
            pdns_dir / "pdns.d/gmysql.conf",
            template(
                "gmysql.conf", password=pdns_password, mariadb_socket=str(m.os.mariadb_socket)
            ),
            0o640,
            0,
            m.ids.group(m.os.pdns_user),
        ),
        Wanted(
            pdns_dir / "pdns.d/supercp-resolver.conf",
            None if address is None else template("supercp-resolver.conf", resolver=address),
        ),
        # launch=gmysql only: Debian's bind backend goes, with its config.
        Wanted(pdns_dir / "pdns.d/bind.conf", None),
    ]
    m.note(why if address else f"ALIAS records answer no addresses: {why} (see docs/dns.md)")
    stamp = m.path(STAMP)

    async def live(changed: list[Path] | None = None) -> None:
        # Restart only when what pdns_server reads at start differs from what it runs.
        want = _config_hash(pdns_dir)
        started = await m.init.ensure_running("pdns")
        try:
            ran = stamp.read_text().strip()
        except FileNotFoundError:
            ran = ""
        if started:
            m.note("started pdns")
        elif ran != want:
            await m.init.act("pdns", "restart")
            m.note("restarted pdns (configuration changed)")
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(want + "\n")

    check_argv = ["pdns_server", f"--config-dir={pdns_dir}", "--config=check"]
    changed = await converge(
        "PowerDNS", wanted, check=lambda: check_with(m.runner, check_argv), reload=live
    )
    if not changed:
        await live()
    for argv, what in [
        (["pdns_control", "rping"], "pdns does not answer on its control socket"),
        (["pdnsutil", "list-all-zones"], f"pdnsutil cannot read {PDNS_DB}"),
    ]:
        done = await m.runner.run(argv, check=False)
        if done.returncode != 0:
            raise SetupFailed(f"{what}: {(done.stderr or done.stdout).strip()[-500:]}")
    m.note(f"PowerDNS answers on port 53 from {PDNS_DB}; the panel's login works")
