"""Web sites at scale: provisioning latency, a burst, rebuild, and the memory of idle sites.

Runs as root on a machine with GetSuperCP installed; it changes the real nginx and PHP-FPM
(sites under the names ``*.bench.test``, accounts ``scb*``) and removes everything it made,
also what an interrupted run left behind. A panel of its own (bench/panel.py's own_panel:
throw-away database, plain HTTP on 127.0.0.1) takes the API calls; the installed daemon
does the work.

For each size (sites already on the server, default 0, 1,000 and 10,000):

- the population is grown to the size: rows written to the panel's database, then applied
  with the panel's rebuild (``web.site.apply_many``, 500 per call), which is timed;
- provisioning, ``--samples`` times: a new hosting account through the API, then from the API
  call that creates its PHP site to the site's first HTTP 200 (site, index.php, GET through
  nginx; also shown counted from the account's call, and until the site's own server block
  serves it: nginx's default server serves a new site from its entry until then), and the
  floor beside it: the same steps by bench/site-floor.sh (useradd, pool, server block,
  ``nginx -t``, reloads) until its first 200;
- at the largest size: a burst of ``--burst`` sites created by concurrent API calls (time
  until every call is answered, and until every site's own block is loaded; nginx reloads
  counted from the new worker processes nginx started), and a rebuild of every site with
  nothing to change;
- at 1,000 sites: the resident memory (RSS, and PSS: shared pages counted once) of nginx and
  PHP-FPM with every pool idle, against the same at the start.

    python bench/sites.py [--sizes 0,1000,10000] [--samples 10] [--burst 200] [--json]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import math
import multiprocessing
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from panel import Target, own_panel, pss_mb, rss_mb
from supercp.protocol.client import DaemonClient

SOCKET = "/run/super-daemon.sock"
# A new site's entry in nginx's default server, there until the reload that loads its own
# server block is done (super-daemon's daemon/web/default_server.py, default state_dir).
ENTRIES = Path("/var/lib/supercp/web/new")
FLOOR = Path(__file__).with_name("site-floor.sh")
SUFFIX = ".bench.test"
ACCOUNT_PREFIX = "scb"
SITES_PER_ACCOUNT = 100
GOAL_P50_S = 0.5
GOAL_FLOOR_RATIO = 2.0
GOAL_BURST_S = 20.0
GOAL_REBUILD_S = 60.0
FIRST_200_TIMEOUT = 30.0
API_TIMEOUT = 600.0
# PHP-FPM ends an ondemand pool's idle workers after 10 s (the daemon's template).
IDLE_WAIT = 12.0
_SPAWN = multiprocessing.get_context("spawn")


# -- HTTP -------------------------------------------------------------------------------------


def api(target: Target, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One API call with the bench's token; a long timeout, as a burst queues in the panel."""
    headers = {"Authorization": f"Bearer {target.token}", "Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    conn = http.client.HTTPConnection(target.host, target.port, timeout=API_TIMEOUT)
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def checked(target: Target, method: str, path: str, body: Any, want: int) -> Any:
    status, answer = api(target, method, path, body)
    if status != want:
        raise RuntimeError(f"{method} {path}: {status} {answer}")
    return answer


def get_site(domain: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", 80, timeout=10)
    try:
        conn.request("GET", "/", headers={"Host": domain})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def first_200(domain: str, marker: bytes, t0: float) -> float:
    """Seconds from ``t0`` to the first 200 of the site whose body holds ``marker``."""
    deadline = t0 + FIRST_200_TIMEOUT
    while True:
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, body = get_site(domain)
            if status == 200 and marker in body:
                return time.perf_counter() - t0
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{domain}: no 200 within {FIRST_200_TIMEOUT:.0f} s")
        time.sleep(0.002)


def until_block_live(names: list[str], t0: float) -> float:
    """Seconds from ``t0`` until none of ``names`` is served by the default server any
    more: every site's own server block is loaded."""
    deadline = t0 + FIRST_200_TIMEOUT
    while any((ENTRIES / name).exists() for name in names):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"blocks not loaded within {FIRST_200_TIMEOUT:.0f} s")
        time.sleep(0.002)
    return time.perf_counter() - t0


def write_index(docroot: str, account: str) -> bytes:
    """An index.php printing a marker and its uid, owned by the account (as an upload is)."""
    marker = secrets.token_hex(8).encode()
    path = Path(docroot) / "index.php"
    path.write_bytes(b'<?php echo "' + marker + b' ", getmyuid();\n')
    os.chown(path, int(subprocess.check_output(["id", "-u", account])), -1)
    return marker


# -- what the bench made ------------------------------------------------------------------


def fresh_account() -> str:
    return f"{ACCOUNT_PREFIX}{secrets.token_hex(5)}"


def create_account(target: Target, name: str) -> None:
    body = {"name": name, "email": f"{name}@bench.test", "password": secrets.token_urlsafe(18)}
    checked(target, "POST", "/api/v1/accounts", body, 201)


def create_site(target: Target, account: str, domain: str, php: str | None) -> dict[str, Any]:
    body = {"domain": domain, "account": account, "php": php}
    answer: dict[str, Any] = checked(target, "POST", "/api/v1/sites", body, 201)
    return answer


def cleanup(php: str | None, workers: int = 512) -> tuple[int, int]:
    """Remove every bench site and account the daemon has, whoever made them, and the
    floor's leftovers; returns how many sites and accounts the daemon had."""
    if php is not None:
        subprocess.run([str(FLOOR), "cleanup", "-", "-", php], check=True)
    with DaemonClient(SOCKET, timeout=600) as c:
        sites = [s["domain"] for s in c.call("web.site.list")["sites"]]
        accounts = [a["name"] for a in c.call("accounts.list")["accounts"]]
    sites = [d for d in sites if d.endswith(SUFFIX)]
    accounts = [a for a in accounts if a.startswith(ACCOUNT_PREFIX)]

    def remove_site(domain: str) -> None:
        with DaemonClient(SOCKET, timeout=600) as c:
            c.call("web.site.remove", {"domain": domain, "remove_files": True})

    def remove_account(name: str) -> None:
        with DaemonClient(SOCKET, timeout=600) as c:
            c.call("accounts.remove", {"name": name})

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(remove_site, sites))
        list(pool.map(remove_account, accounts))
    return len(sites), len(accounts)


# -- population (in a spawned Django process, on the bench panel's database) -----------------


def _populate(config: str, plan: list[tuple[str, str]], php: str | None, ctl: Connection) -> None:
    """Write the planned (account, domain) sites as rows, then rebuild every site; report."""
    os.environ["SUPERCP_PANEL_CONFIG"] = config
    os.environ["DJANGO_SETTINGS_MODULE"] = "supercp.web.config.settings"
    import django  # noqa: PLC0415 (Django only runs in this child and the server)

    django.setup()
    from supercp.web.accounts.models import HostingAccount  # noqa: PLC0415
    from supercp.web.core.authz import Actor  # noqa: PLC0415
    from supercp.web.core.models import User  # noqa: PLC0415
    from supercp.web.sites import bulk  # noqa: PLC0415
    from supercp.web.sites.models import Site, SiteHost  # noqa: PLC0415

    accounts = {a.name: a for a in HostingAccount.objects.filter(name__startswith=ACCOUNT_PREFIX)}
    Site.objects.bulk_create(
        [Site(account=accounts[a], domain=d, php=php) for a, d in plan], batch_size=1000
    )
    ids = dict(Site.objects.filter(domain__in=[d for _, d in plan]).values_list("domain", "id"))
    SiteHost.objects.bulk_create(
        [SiteHost(name=d, site_id=ids[d], is_primary=True) for _, d in plan], batch_size=1000
    )
    actor = Actor(user=User.objects.get(username="benchadmin"))
    t0 = time.perf_counter()
    last = None
    for last in bulk.rebuild(actor):  # noqa: B007 (the last progress is the summary)
        pass
    seconds = time.perf_counter() - t0
    assert last is not None
    errors = [f"{f.domain}: {f.error.message if f.error else '?'}" for f in last.failed[:5]]
    ctl.send((seconds, last.total, last.changed, len(last.failed), errors))


def populate(config: Path, plan: list[tuple[str, str]], php: str | None) -> Rebuild:
    ours, theirs = _SPAWN.Pipe()
    child = _SPAWN.Process(target=_populate, args=(str(config), plan, php, theirs))
    child.start()
    child.join()
    if child.exitcode != 0 or not ours.poll():
        raise RuntimeError("populating the bench database failed (see above)")
    seconds, total, changed, failed, errors = ours.recv()
    if failed:
        raise RuntimeError(f"{failed} sites failed to apply, e.g. {errors}")
    return Rebuild(sites=total, changed=changed, seconds=seconds)


# -- nginx reloads --------------------------------------------------------------------------


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found.update(int(c) for c in (task / "children").read_text().split())
    return found


class ReloadCounter:
    """Counts nginx reloads from the new worker processes the master starts for each one."""

    def __init__(self) -> None:
        self.master = int(Path("/run/nginx.pid").read_text())
        self.start = _children(self.master)
        self.per_generation = max(1, len(self.start))
        self.seen = set(self.start)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(OSError):
                self.seen |= _children(self.master)
            time.sleep(0.001)

    def __enter__(self) -> ReloadCounter:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    @property
    def reloads(self) -> int:
        return math.ceil(len(self.seen - self.start) / self.per_generation)


# -- memory -----------------------------------------------------------------------------------


def service_rss(measure: Callable[[list[int]], float] = rss_mb) -> dict[str, float]:
    """Resident MB of nginx and PHP-FPM (master and workers): RSS, or PSS with ``pss_mb``."""
    out: dict[str, list[int]] = {"nginx": [], "php-fpm": []}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            comm = (proc / "comm").read_text().strip()
            if comm == "nginx":
                out["nginx"].append(int(proc.name))
            elif comm.startswith("php-fpm"):
                out["php-fpm"].append(int(proc.name))
    return {k: measure(v) if v else 0.0 for k, v in out.items()}


def fpm_processes() -> int:
    count = 0
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and (proc / "comm").read_text().startswith("php-fpm"):
                count += 1
    return count


# -- measurements -----------------------------------------------------------------------------


@dataclass
class Rebuild:
    sites: int
    changed: int
    seconds: float


@dataclass
class Size:
    existing: int
    grow: Rebuild | None = None
    ours: list[float] = field(default_factory=list)  # the site's API call to its first 200
    ours_with_account: list[float] = field(default_factory=list)  # the account's call first
    # The site's API call until its own server block serves it (before that nginx's
    # default server does, from the site's entry).
    block: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)


@dataclass
class Burst:
    existing: int
    sites: int
    seconds: float
    nginx_reloads: int
    # Until every site's own server block is loaded (the calls are answered before).
    block_seconds: float = 0.0


@dataclass
class Memory:
    sites: int
    fpm_processes: int
    nginx_mb: float
    fpm_mb: float
    baseline_nginx_mb: float
    baseline_fpm_mb: float
    # The same, proportional: pages nginx's workers share with their master count once.
    nginx_pss_mb: float = 0.0
    fpm_pss_mb: float = 0.0


@dataclass
class Report:
    sizes: list[Size] = field(default_factory=list)
    burst: Burst | None = None
    rebuild: Rebuild | None = None
    memory: Memory | None = None


def provision_ours(target: Target, php: str | None, made: list[str]) -> tuple[float, float, float]:
    """Seconds to the first 200 from the site's API call, and from the account's before it;
    from the site's call until its own server block serves it. The next sample starts
    after that, so no sample shares the machine with the reload of the one before."""
    account = fresh_account()
    domain = f"p-{account}{SUFFIX}"
    t0 = time.perf_counter()
    create_account(target, account)
    made.append(account)
    t1 = time.perf_counter()
    site = create_site(target, account, domain, php)
    marker = write_index(site["document_root"], account)
    with_account = first_200(domain, marker, t0)
    block = until_block_live([domain], t1)
    return with_account - (t1 - t0), with_account, block


def provision_floor(php: str) -> float:
    user = fresh_account()
    domain = f"f-{user}{SUFFIX}"
    t0 = time.perf_counter()
    subprocess.run([str(FLOOR), "add", user, domain, php], check=True)
    try:
        return first_200(domain, b"floor ", t0)
    finally:
        master = int(Path("/run/nginx.pid").read_text())
        before = _children(master)
        subprocess.run([str(FLOOR), "remove", user, domain, php], check=True)
        # The script signals nginx and returns; the next sample must not find nginx still
        # loading that (at 10,000 sites its reload doubled the next site call's time).
        nginx_reloaded(master, before)


def nginx_reloaded(master: int, before: set[int], timeout: float = 30.0) -> None:
    """Wait until nginx runs workers it did not have in ``before`` (a reload took effect)."""
    deadline = time.perf_counter() + timeout
    while not _children(master) - before:
        if time.perf_counter() > deadline:
            raise RuntimeError("nginx did not reload")
        time.sleep(0.002)


def remove_made(target: Target, accounts: list[str]) -> None:
    """The samples' accounts through the API, which removes their sites first."""
    for account in accounts:
        checked(target, "DELETE", f"/api/v1/accounts/{account}", None, 204)
    accounts.clear()


def sample(target: Target, php: str, row: Size, made: list[str], count: int) -> None:
    """``count`` provisioning samples, ours and the floor's, into ``row``."""
    for _ in range(count):
        site_only, with_account, block = provision_ours(target, php, made)
        row.ours.append(site_only)
        row.ours_with_account.append(with_account)
        row.block.append(block)
        row.floor.append(provision_floor(php))


def burst(target: Target, accounts: list[str], php: str | None, count: int) -> Burst:
    domains = [f"b{i}-{secrets.token_hex(3)}{SUFFIX}" for i in range(count)]
    with ReloadCounter() as counter, concurrent.futures.ThreadPoolExecutor(count) as pool:
        t0 = time.perf_counter()
        futures = [
            pool.submit(create_site, target, accounts[i % len(accounts)], d, php)
            for i, d in enumerate(domains)
        ]
        for future in futures:
            future.result()
        seconds = time.perf_counter() - t0
        block = until_block_live(domains, t0)
    return Burst(0, count, seconds, counter.reloads, block)


def run(args: argparse.Namespace, console: Console) -> Report:
    report = Report()
    with tempfile.TemporaryDirectory(prefix="supercp-bench-sites-") as tmp_name:
        tmp = Path(tmp_name)
        with own_panel(tmp, SOCKET, 0) as target:
            php = checked(target, "GET", "/api/v1/sites/php-versions", None, 200)["default"]
            if php is None:
                raise RuntimeError("no PHP-FPM installed: nothing to measure")
            baseline = service_rss()
            population: list[tuple[str, str]] = []
            pool_accounts: list[str] = []
            samples: list[str] = []
            try:
                for size in sorted(args.sizes):
                    row = Size(existing=size)
                    grow = size - len(population)
                    if grow > 0:
                        need = math.ceil(size / SITES_PER_ACCOUNT) - len(pool_accounts)
                        for _ in range(need):
                            name = fresh_account()
                            create_account(target, name)
                            pool_accounts.append(name)
                        plan = [
                            (
                                pool_accounts[i // SITES_PER_ACCOUNT],
                                f"s{i}-{secrets.token_hex(2)}{SUFFIX}",
                            )
                            for i in range(len(population), size)
                        ]
                        console.print(f"growing to {size} sites …", style="dim")
                        row.grow = populate(tmp / "panel.toml", plan, php)
                        population += plan
                    if size >= 1000 and report.memory is None:
                        time.sleep(IDLE_WAIT)
                        now = service_rss()
                        shared = service_rss(pss_mb)
                        report.memory = Memory(
                            size,
                            fpm_processes(),
                            now["nginx"],
                            now["php-fpm"],
                            baseline["nginx"],
                            baseline["php-fpm"],
                            shared["nginx"],
                            shared["php-fpm"],
                        )
                    console.print(f"provisioning at {size} sites …", style="dim")
                    sample(target, php, row, samples, args.samples)
                    remove_made(target, samples)
                    report.sizes.append(row)
                if args.burst and pool_accounts:
                    console.print(f"burst of {args.burst} …", style="dim")
                    report.burst = burst(target, pool_accounts, php, args.burst)
                    report.burst.existing = len(population)
                elif args.burst:
                    name = fresh_account()
                    create_account(target, name)
                    pool_accounts.append(name)
                    report.burst = burst(target, pool_accounts, php, args.burst)
                console.print("rebuild …", style="dim")
                report.rebuild = populate(tmp / "panel.toml", [], php)
            finally:
                console.print("removing the bench's sites and accounts …", style="dim")
                cleanup(php)
    return report


# -- output -----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def print_report(report: Report, console: Console) -> None:
    table = Table(title="Provisioning: from the API call to the new PHP site's first HTTP 200")
    columns = (
        "sites before",
        "site call p50",
        "p95",
        "account + site p50",
        "own block p50",
        "floor p50",
        "p95",
        "site ÷ floor",
    )
    for col in columns:
        table.add_column(col, justify="right")
    for row in report.sizes:
        o50, f50 = percentile(row.ours, 0.5), percentile(row.floor, 0.5)
        table.add_row(
            f"{row.existing:,}",
            f"{o50:.3f} s",
            f"{percentile(row.ours, 0.95):.3f} s",
            f"{percentile(row.ours_with_account, 0.5):.3f} s",
            f"{percentile(row.block, 0.5):.3f} s",
            f"{f50:.3f} s",
            f"{percentile(row.floor, 0.95):.3f} s",
            f"{o50 / f50:.2f}x",
        )
    console.print(table)

    other = Table(title="Burst, rebuild and growth")
    for col in ("what", "sites", "seconds", "detail"):
        other.add_column(col, justify="right")
    for row in report.sizes:
        if row.grow is not None:
            other.add_row(
                f"apply up to {row.existing:,}",
                f"{row.grow.sites:,}",
                f"{row.grow.seconds:.1f}",
                f"{row.grow.changed:,} changed",
            )
    if report.burst is not None:
        other.add_row(
            f"burst (on {report.burst.existing:,})",
            f"{report.burst.sites}",
            f"{report.burst.seconds:.1f}",
            f"{report.burst.nginx_reloads} nginx reloads; own blocks at "
            f"{report.burst.block_seconds:.1f} s",
        )
    if report.rebuild is not None:
        other.add_row(
            "rebuild",
            f"{report.rebuild.sites:,}",
            f"{report.rebuild.seconds:.1f}",
            f"{report.rebuild.changed:,} changed",
        )
    console.print(other)

    if report.memory is not None:
        m = report.memory
        mem = Table(title=f"Memory with {m.sites:,} idle PHP sites (ondemand pools)")
        for col in ("service", "before MB", "idle RSS MB", "idle PSS MB", "processes"):
            mem.add_column(col, justify="right")
        mem.add_row(
            "nginx", f"{m.baseline_nginx_mb:.0f}", f"{m.nginx_mb:.0f}", f"{m.nginx_pss_mb:.0f}", ""
        )
        mem.add_row(
            "PHP-FPM",
            f"{m.baseline_fpm_mb:.0f}",
            f"{m.fpm_mb:.0f}",
            f"{m.fpm_pss_mb:.0f}",
            f"{m.fpm_processes}",
        )
        console.print(mem)

    goals = Table(title="Goals")
    goals.add_column("goal")
    goals.add_column("measured", justify="right")
    goals.add_column("")
    for goal, value, ok in verdicts(report):
        goals.add_row(goal, value, "PASS" if ok else "MISS")
    console.print(goals)


def verdicts(report: Report) -> list[tuple[str, str, bool]]:
    out = []
    largest = max(report.sizes, key=lambda r: r.existing, default=None)
    if largest is not None:
        p50 = percentile(largest.ours, 0.5)
        out.append(
            (
                f"p50 < {GOAL_P50_S} s at {largest.existing:,} sites",
                f"{p50:.3f} s",
                p50 < GOAL_P50_S,
            )
        )
    for row in report.sizes:
        ratio = percentile(row.ours, 0.5) / percentile(row.floor, 0.5)
        out.append(
            (
                f"p50 within {GOAL_FLOOR_RATIO:.0f}x floor at {row.existing:,}",
                f"{ratio:.2f}x",
                ratio <= GOAL_FLOOR_RATIO,
            )
        )
    if report.burst is not None:
        out.append(
            (
                f"burst of {report.burst.sites} < {GOAL_BURST_S:.0f} s",
                f"{report.burst.seconds:.1f} s",
                report.burst.seconds < GOAL_BURST_S,
            )
        )
    if report.rebuild is not None:
        out.append(
            (
                f"rebuild of {report.rebuild.sites:,} < {GOAL_REBUILD_S:.0f} s",
                f"{report.rebuild.seconds:.1f} s",
                report.rebuild.seconds < GOAL_REBUILD_S,
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", default="0,1000,10000", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cleanup", action="store_true", help="only remove what earlier runs left")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("bench/sites.py: run as root (it creates users and sites)", file=sys.stderr)
        return 1
    console = Console(stderr=args.json)
    with DaemonClient(SOCKET) as c:
        php = c.call("web.php.versions")["default"]
    removed = cleanup(php)
    if any(removed):
        console.print(f"removed leftovers: {removed[0]} sites, {removed[1]} accounts", style="dim")
    if args.cleanup:
        return 0
    report = run(args, console)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    else:
        print_report(report, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
