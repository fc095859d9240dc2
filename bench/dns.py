"""DNS: from an API record change to PowerDNS's first answer that carries it, and a bulk import.

Runs as root on a machine with GetSuperCP installed (PowerDNS on its MariaDB database, the
daemon). A panel of its own (bench/panel.py's own_panel: throw-away panel database, plain
HTTP on 127.0.0.1) takes the API calls with an admin's token; it writes the real ``powerdns``
database with the installed login, and the installed daemon refreshes PowerDNS.

- For each size (zones on the server, default 10 and 10,000): the zones beyond the bench's own
  are inserted straight into PowerDNS's tables through the panel's gateway (dns/pdns.py: a
  domain, its SOA, two NS and an A record each), then ``--samples`` times a PATCH of a record
  through the API, timed from the call to the first answer of ``dig @127.0.0.1`` (dnspython,
  UDP) that carries the new address; the API call's own time beside it.
- A zone file of ``--records`` records (default 10,000: A, AAAA, TXT, MX, CNAME) imported into
  a zone with one API call (``POST /dns/zones/{zone}/import``, replace): records written per
  second, and a sample of them asked of PowerDNS afterwards.

Everything the bench made is under ``dnsbench.test`` and removed at the end, also what an
interrupted run left (``--cleanup`` does only that).

    python bench/dns.py [--sizes 10,10000] [--samples 50] [--records 10000] [--json]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

# This file has dnspython's package name, and Python puts a script's directory first on the
# path: dnspython is imported with the bench directory off the path, the bench's own modules
# after it is back.
_BENCH = Path(__file__).resolve().parent
_PATH = list(sys.path)
sys.path[:] = [p for p in _PATH if Path(p or ".").resolve() != _BENCH]
sys.modules.pop("dns", None)
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rdatatype  # noqa: E402

sys.path[:] = _PATH
from panel import Target, own_panel  # noqa: E402
from sites import checked  # noqa: E402

SOCKET = "/run/super-daemon.sock"
SUFFIX = "dnsbench.test"
GOAL_P50_S = 0.2
GOAL_IMPORT_S = 10.0
ANSWER_TIMEOUT = 10.0
MYSQL_SOCKET = "/run/mysqld/mysqld.sock"


# -- PowerDNS's database, straight (the population and the clean-up) --------------------------


def gateway() -> Any:
    """The panel's PowerDNS gateway in this process, as root over MariaDB's socket."""
    from django.conf import settings  # noqa: PLC0415 (only the gateway's settings)

    if not settings.configured:
        settings.configure(
            SUPERCP_DNS_DATABASE={
                "user": "root",
                "unix_socket": MYSQL_SOCKET,
                "database": "powerdns",
            }
        )
    from supercp.web.dns import pdns  # noqa: PLC0415

    return pdns


def zone_count() -> int:
    pdns = gateway()
    with pdns.transaction() as tx:
        tx.c.execute("SELECT COUNT(*) FROM domains")
        return int(tx.c.fetchone()[0])


def populate(total: int, batch: int = 1000) -> int:
    """Grow the server to ``total`` zones with filler zones ``f<n>.dnsbench.test``."""
    from supercp.web.dns import rectify  # noqa: PLC0415
    from supercp.web.dns.records import Record  # noqa: PLC0415

    pdns = gateway()
    missing = total - zone_count()
    made = 0
    while made < missing:
        with pdns.transaction() as tx:
            for _ in range(min(batch, missing - made)):
                name = f"f{secrets.token_hex(6)}.{SUFFIX}"
                domain_id = tx.create_domain(name, None)
                rows = [
                    Record(
                        name,
                        "SOA",
                        f"ns1.{SUFFIX} hostmaster.{SUFFIX} 2026010100 10800 3600 604800 3600",
                        3600,
                    ),
                    Record(name, "NS", f"ns1.{SUFFIX}", 3600),
                    Record(name, "NS", f"ns2.{SUFFIX}", 3600),
                    Record(f"www.{name}", "A", "192.0.2.1", 3600),
                ]
                tx.insert(
                    domain_id, [(r, rectify.order_of(r.name, r.type, name, set())) for r in rows]
                )
                made += 1
    return made


def cleanup() -> int:
    """Every zone under dnsbench.test out of PowerDNS's database."""
    pdns = gateway()
    with pdns.transaction() as tx:
        tx.c.execute("SELECT name FROM domains WHERE name LIKE %s", (f"%.{SUFFIX}",))
        names = [r[0] for r in tx.c.fetchall()]
    for start in range(0, len(names), 500):
        with pdns.transaction() as tx:
            for domain in tx.domains(names[start : start + 500]).values():
                tx.delete_domain(domain.id)
    return len(names)


# -- DNS ----------------------------------------------------------------------------------------


def addresses(name: str, kind: str = "A") -> set[str]:
    query = dns.message.make_query(name, kind)
    reply = dns.query.udp(query, "127.0.0.1", timeout=2)
    wanted = dns.rdatatype.from_text(kind)
    return {r.to_text() for rrset in reply.answer if rrset.rdtype == wanted for r in rrset}


def first_answer(name: str, value: str, t0: float) -> float:
    """Seconds from ``t0`` to PowerDNS's first answer for ``name`` holding ``value``."""
    while True:
        if value in addresses(name):
            return time.perf_counter() - t0
        if time.perf_counter() - t0 > ANSWER_TIMEOUT:
            raise RuntimeError(f"{name}: no answer with {value} within {ANSWER_TIMEOUT:.0f} s")


# -- the measurements ---------------------------------------------------------------------------


@dataclass
class Size:
    zones: int
    populate_s: float
    samples: list[float] = field(default_factory=list)
    api_samples: list[float] = field(default_factory=list)


@dataclass
class Import:
    records: int
    seconds: float
    bytes: int
    checked: int


@dataclass
class Report:
    sizes: list[Size] = field(default_factory=list)
    imported: Import | None = None


def change_latency(
    target: Target, zone: str, record_id: int, samples: int
) -> tuple[list[float], list[float]]:
    path = f"/api/v1/dns/zones/{zone}/records/{record_id}"
    owner = f"www.{zone}"
    addresses(owner)  # PowerDNS caches the old answer: the purge is part of what is timed
    total: list[float] = []
    api_only: list[float] = []
    for i in range(samples):
        value = f"198.51.{(i // 250) % 250}.{i % 250 + 1}"
        t0 = time.perf_counter()
        checked(target, "PATCH", path, {"content": value}, 200)
        api_only.append(time.perf_counter() - t0)
        total.append(first_answer(owner, value, t0))
    return total, api_only


def zone_file(zone: str, count: int) -> str:
    lines = [f"$ORIGIN {zone}.", "$TTL 3600", f"@ IN NS ns1.{SUFFIX}.", f"@ IN NS ns2.{SUFFIX}."]
    kinds = ("A", "AAAA", "TXT", "MX", "CNAME")
    for i in range(count - 2):
        kind = kinds[i % len(kinds)]
        host = f"h{i}"
        if kind == "A":
            lines.append(f"{host} IN A 10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}")
        elif kind == "AAAA":
            lines.append(f"{host} IN AAAA 2001:db8::{i:x}")
        elif kind == "TXT":
            lines.append(f'{host} IN TXT "bench record {i}"')
        elif kind == "MX":
            lines.append(f"{host} IN MX 10 mail{i}.example.net.")
        else:
            lines.append(f"{host} IN CNAME target{i}.example.net.")
    return "\n".join(lines) + "\n"


def bulk_import(target: Target, count: int) -> Import:
    zone = f"import{secrets.token_hex(4)}.{SUFFIX}"
    checked(target, "POST", "/api/v1/dns/zones", {"name": zone}, 201)
    text = zone_file(zone, count)
    t0 = time.perf_counter()
    done = checked(target, "POST", f"/api/v1/dns/zones/{zone}/import", {"zone_file": text}, 200)
    seconds = time.perf_counter() - t0
    if done["records"] != count:
        raise RuntimeError(f"imported {done['records']} records, not {count}")
    sample = [i for i in range(0, count - 2, max(1, (count - 2) // 50)) if i % 5 == 0]
    for i in sample:
        want = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        if addresses(f"h{i}.{zone}") != {want}:
            raise RuntimeError(f"h{i}.{zone} does not answer {want}")
    checked(target, "DELETE", f"/api/v1/dns/zones/{zone}", None, 204)
    return Import(count, seconds, len(text.encode()), len(sample))


def run(args: argparse.Namespace, console: Console) -> Report:
    report = Report()
    left = cleanup()
    if left:
        console.print(f"removed {left} zone(s) an earlier run left", style="dim")
    with (
        tempfile.TemporaryDirectory(prefix="dnsbench.") as tmp,
        own_panel(Path(tmp), SOCKET, 0) as target,
    ):
        zone = f"bench{secrets.token_hex(4)}.{SUFFIX}"
        checked(target, "POST", "/api/v1/dns/zones", {"name": zone}, 201)
        made = checked(
            target,
            "POST",
            f"/api/v1/dns/zones/{zone}/records",
            {"name": "www", "type": "A", "content": "198.51.100.1", "ttl": 60},
            201,
        )
        try:
            for size in args.sizes:
                t0 = time.perf_counter()
                added = populate(size)
                populated = time.perf_counter() - t0
                zones = zone_count()
                console.print(
                    f"{zones} zones on the server ({added} added in {populated:.1f} s); "
                    f"{args.samples} changes…",
                    style="dim",
                )
                total, api_only = change_latency(target, zone, made["id"], args.samples)
                report.sizes.append(Size(zones, populated, total, api_only))
            console.print(f"importing a zone of {args.records} records…", style="dim")
            report.imported = bulk_import(target, args.records)
        finally:
            checked(target, "DELETE", f"/api/v1/dns/zones/{zone}", None, 204)
            cleanup()
    return report


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def verdicts(report: Report) -> list[tuple[str, str, bool]]:
    out = []
    for size in report.sizes:
        p50 = percentile(size.samples, 0.5)
        out.append(
            (
                f"change → answer p50 at {size.zones} zones < {ms(GOAL_P50_S)} ms",
                f"{ms(p50)} ms",
                p50 < GOAL_P50_S,
            )
        )
    if report.imported is not None:
        seconds = report.imported.seconds
        out.append(
            (
                f"{report.imported.records}-record import < {GOAL_IMPORT_S:.0f} s",
                f"{seconds:.2f} s",
                seconds < GOAL_IMPORT_S,
            )
        )
    return out


def print_report(report: Report, console: Console) -> None:
    table = Table(title="API record change → first answer from PowerDNS (dnspython, UDP)")
    for column in (
        "zones",
        "samples",
        "p50 ms",
        "p95 ms",
        "max ms",
        "API call p50 ms",
        "API call p95 ms",
    ):
        table.add_column(column, justify="right")
    for size in report.sizes:
        table.add_row(
            str(size.zones),
            str(len(size.samples)),
            ms(percentile(size.samples, 0.5)),
            ms(percentile(size.samples, 0.95)),
            ms(max(size.samples)),
            ms(percentile(size.api_samples, 0.5)),
            ms(percentile(size.api_samples, 0.95)),
        )
    console.print(table)
    if report.imported is not None:
        imported = report.imported
        table = Table(title="Zone file import (one API call, replace)")
        for column in ("records", "file kB", "seconds", "records/s", "answers checked"):
            table.add_column(column, justify="right")
        table.add_row(
            str(imported.records),
            f"{imported.bytes / 1024:.0f}",
            f"{imported.seconds:.2f}",
            f"{imported.records / imported.seconds:,.0f}",
            str(imported.checked),
        )
        console.print(table)
    goals = Table(title="Goals")
    for column in ("goal", "measured", ""):
        goals.add_column(column)
    for goal, measured, ok in verdicts(report):
        goals.add_row(goal, measured, "[green]PASS[/]" if ok else "[red]MISS[/]")
    console.print(goals)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10, 10_000]
    )
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--cleanup", action="store_true", help="only remove what a run left")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    console = Console(stderr=args.json)
    if args.cleanup:
        console.print(f"removed {cleanup()} zone(s)")
        return 0
    report = run(args, console)
    if args.json:
        sys.stdout.write(json.dumps(asdict(report), indent=2) + "\n")
    else:
        print_report(report, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
