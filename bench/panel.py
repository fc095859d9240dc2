"""Requests per second and latency of the panel's dashboard and accounts API, and its memory.

Closed-loop clients (one request in flight per keep-alive connection) send the same request
for a warm-up and then a fixed measuring period, at 1 and 32 clients:

- the dashboard ``GET /`` (an Inertia page that asks super-daemon for system.info), as a
  logged-in admin's browser loads it: the whole HTML page, with the session cookie;
- the accounts list ``GET /api/v1/accounts?per_page=50`` with an admin's Bearer token.

Then the resident memory of the installed panel, worker and super-daemon while idle. Goals
are printed as PASS/MISS; the exit status is 0 either way (a benchmark, not a test).

    python bench/panel.py           # its own panel: throw-away database, 10,000 accounts (root)
    python bench/panel.py --url https://127.0.0.1:8443 --token scp_... [--user ada]
    python bench/panel.py --json

Linux only (epoll, /proc).
"""

from __future__ import annotations

import argparse
import array
import contextlib
import html
import http.client
import ipaddress
import json
import math
import multiprocessing
import os
import re
import secrets
import select
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console
from rich.table import Table

GOAL_LIST_P99_MS = 50.0  # the accounts list at 32 clients
GOAL_RSS_MB = 250.0  # panel + worker + super-daemon together, idle
ACCOUNTS = 10_000
LIST_PATH = "/api/v1/accounts?per_page=50"
STALL_SECONDS = 30.0  # no answer on any connection for this long: the run is broken
START_SECONDS = 60.0  # for the panel or a client process to come up
MYSQL_SOCKET = "/run/mysqld/mysqld.sock"
MYSQL_PIDFILE = Path("/run/mysqld/mysqld.pid")
REPO = Path(__file__).resolve().parents[1]
# The real build if the installer made one; else the tests' fixture build (same page cost).
FRONTENDS = (Path("/opt/supercp/frontend"), REPO / "tests/web/fixtures/frontend")
# super-panel's server (supercp.web.serve) on plain HTTP at argv's address and port.
SERVE = (
    "import sys, uvicorn; from supercp.web import serve; "
    "serve.serve(uvicorn.Config(serve.APP, host=sys.argv[1], port=int(sys.argv[2]), "
    "**serve.options(int(sys.argv[3]))))"
)
_FORK = multiprocessing.get_context("fork")  # Django never runs in this process
_SPAWN = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class Service:
    """An installed service, found by its systemd cgroup or its init script's pid file."""

    label: str
    unit: str
    pidfile: Path
    # A pid file reused by some other process does not count: its command line must match.
    programs: tuple[str, ...]


SERVICES = (
    Service("panel", "supercp-panel", Path("/run/supercp-panel.pid"), ("super-panel", "uvicorn")),
    Service("worker", "supercp-worker", Path("/run/supercp-worker.pid"), ("super-worker",)),
    Service("super-daemon", "super-daemon", Path("/run/super-daemon.pid"), ("super-daemon",)),
)


# -- processes ----------------------------------------------------------------------------


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _exe(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def _tree(root: int) -> list[int]:
    """``root`` and its descendants running the same program (uvicorn's workers, say).

    Programs it runs for a moment (super-daemon's init scripts, useradd) are not part of
    what the service keeps in memory.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    exe = _exe(root)
    found, todo = [root], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if _exe(pid) == exe:
            found.append(pid)
            todo += children.get(pid, [])
    return found


def service_pids(service: Service) -> list[int]:
    """The service's processes; empty when it is not running."""
    cgroup = Path(f"/sys/fs/cgroup/system.slice/{service.unit}.service/cgroup.procs")
    if cgroup.exists():
        return [int(p) for p in cgroup.read_text().split()]
    try:
        pid = int(service.pidfile.read_text().strip())
    except (OSError, ValueError):
        return []
    if not any(p in _cmdline(pid) for p in service.programs):
        return []
    return _tree(pid)


def rss_mb(pids: list[int]) -> float:
    """Resident memory summed over ``pids`` (shared pages count once per process)."""
    kib = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    kib += int(line.split()[1])
    return kib / 1024


def pss_mb(pids: list[int]) -> float:
    """Proportional set size summed over ``pids``: a page shared by n processes counts 1/n
    in each, so forked workers that share their master's pages are not counted twice."""
    kib = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    kib += int(line.split()[1])
    return kib / 1024


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of processes so far, with that of the children they have reaped.

    The children count because super-daemon runs an init script per service for the
    dashboard: that work is the dashboard's, and the daemon's own CPU would not show it.
    """
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def pidfile_pid(path: Path) -> list[int]:
    try:
        return [int(path.read_text().strip())]
    except (OSError, ValueError):
        return []


def socket_peer(path: str) -> list[int]:
    """The process listening on a Unix socket (a daemon we may not have started)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(path)
        except OSError:
            return []
        pid, _, _ = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    return [pid]


# -- the panel under test ---------------------------------------------------------------------


@dataclass
class Target:
    """Where to send requests, and with which credentials."""

    host: str
    port: int
    tls: bool
    token: str
    session: str | None = None  # the session cookie; None: no dashboard cells
    no_session: str = "no login"  # why there is none, shown in the dashboard's cells
    panel_pids: list[int] = field(default_factory=list)  # whose CPU is reported
    daemon_pids: list[int] = field(default_factory=list)
    accounts: int | None = None  # what the list API says it holds

    @property
    def authority(self) -> str:
        """host:port as the Host header and URLs write it."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.authority}"


def _connection(target: Target) -> http.client.HTTPConnection:
    if target.tls:
        # Loopback only, and the installed panel has a self-signed certificate.
        context = ssl._create_unverified_context()  # noqa: S323
        return http.client.HTTPSConnection(target.host, target.port, context=context, timeout=30)
    return http.client.HTTPConnection(target.host, target.port, timeout=30)


def fetch(
    target: Target, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, SimpleCookie, bytes]:
    """One request outside the measurements: its status, the cookies it set and its body."""
    conn = _connection(target)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        cookies: SimpleCookie = SimpleCookie()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookies.load(value)
        return response.status, cookies, response.read()
    finally:
        conn.close()


def log_in(target: Target, user: str, password: str) -> None:
    """Sign in as a browser does (CSRF cookie, then the form as JSON); sets target.session."""
    status, cookies, _ = fetch(target, "GET", "/login", {})
    if status != 200 or "XSRF-TOKEN" not in cookies:
        target.no_session = f"no page (GET /login: {status})"
        return
    csrf = cookies["XSRF-TOKEN"].value
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"XSRF-TOKEN={csrf}",
        "X-XSRF-TOKEN": csrf,
        "X-Inertia": "true",
        # Django checks these on HTTPS.
        "Origin": target.origin,
        "Referer": f"{target.origin}/login",
    }
    body = json.dumps({"username": user, "password": password}).encode()
    status, cookies, _ = fetch(target, "POST", "/login", headers, body)
    if "supercp_session" not in cookies:
        target.no_session = f"no login (POST /login: {status})"
        return
    session = cookies["supercp_session"].value
    status, _, page = fetch(target, "GET", "/", {"Cookie": f"supercp_session={session}"})
    if status != 200 or b"Dashboard/Index" not in page:
        target.no_session = f"no page (GET /: {status})"
        return
    target.session = session


def daemon_error(target: Target) -> str | None:
    """What the dashboard says about super-daemon: None when it had the system facts."""
    assert target.session is not None
    _, _, page = fetch(target, "GET", "/", {"Cookie": f"supercp_session={target.session}"})
    found = re.search(rb'<script data-page="app" type="application/json">(.*?)</script>', page)
    if found is None:
        return "no page object"
    props = json.loads(html.unescape(found.group(1).decode()))["props"]
    return None if props.get("system") else str(props.get("daemon_error"))


def _mariadb(sql: str) -> None:
    subprocess.run(["mariadb", f"--socket={MYSQL_SOCKET}", "-uroot", "-e", sql], check=True)


def _seed(config: str, count: int, ctl: Connection) -> None:
    """In a spawned process: the admin, its token and ``count`` accounts, straight to the DB."""
    os.environ["SUPERCP_PANEL_CONFIG"] = config
    os.environ["DJANGO_SETTINGS_MODULE"] = "supercp.web.config.settings"
    import django  # noqa: PLC0415 (Django only ever runs in this child and the server)

    django.setup()
    from django.contrib.auth.hashers import make_password  # noqa: PLC0415

    from supercp.web.accounts.models import HostingAccount  # noqa: PLC0415
    from supercp.web.core import services  # noqa: PLC0415
    from supercp.web.core.models import Role, User  # noqa: PLC0415
    from supercp.web.plans.services import default_plan  # noqa: PLC0415

    password = secrets.token_urlsafe(18)
    admin = User.objects.create_user("benchadmin", "", password, role=Role.ADMIN)
    # List data only: no Linux users, and one unusable password hash (no argon2 10,000 times).
    unusable = make_password(None)
    names = [f"acct{i:05d}" for i in range(count)]
    User.objects.bulk_create(
        [User(username=n, email=f"{n}@example.test", password=unusable) for n in names],
        batch_size=1000,
    )
    ids = dict(User.objects.filter(role=Role.CUSTOMER).values_list("username", "id"))
    plan = default_plan()
    HostingAccount.objects.bulk_create(
        [HostingAccount(name=n, user_id=ids[n], plan=plan) for n in names],
        batch_size=1000,
    )
    ctl.send((password, services.issue_token(admin, "bench").plaintext))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def own_panel(tmp: Path, daemon_socket: str, count: int, workers: int = 1) -> Iterator[Target]:
    """A panel of our own on 127.0.0.1 over plain HTTP, with a database of its own."""
    database = f"supercp_bench_{os.getpid()}"
    (tmp / "secret_key").write_text(secrets.token_urlsafe(48) + "\n")
    (tmp / "mariadb.cnf").write_text(f"[client]\nuser = root\nsocket = {MYSQL_SOCKET}\n")
    (tmp / "static").mkdir()
    frontend = next(f for f in FRONTENDS if (f / ".vite/manifest.json").exists())
    config = tmp / "panel.toml"
    config.write_text(
        "".join(
            f"{key} = {json.dumps(str(value))}\n"  # a JSON string of plain text is TOML too
            for key, value in {
                "secret_key_file": tmp / "secret_key",
                "database_option_file": tmp / "mariadb.cnf",
                "database_name": database,
                "daemon_socket": daemon_socket,
                "frontend_dir": frontend,
                "static_root": tmp / "static",
            }.items()
        )
        + 'allowed_hosts = ["127.0.0.1"]\n'
    )
    env = {
        **os.environ,
        "SUPERCP_PANEL_CONFIG": str(config),
        "DJANGO_SETTINGS_MODULE": "supercp.web.config.settings",
    }
    _mariadb(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    server: subprocess.Popen[bytes] | None = None
    try:
        migrate = [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"]
        subprocess.run(migrate, env=env, check=True, cwd=tmp)
        ours, theirs = _SPAWN.Pipe()
        seeder = _SPAWN.Process(target=_seed, args=(str(config), count, theirs))
        seeder.start()
        seeder.join()
        if seeder.exitcode != 0 or not ours.poll():
            raise RuntimeError("seeding the bench database failed")
        password, token = ours.recv()
        port = _free_port()
        # super-panel as the installer starts it (its uvicorn options and worker processes),
        # without TLS.
        argv = [sys.executable, "-c", SERVE, "127.0.0.1", str(port), str(workers)]
        log_path = tmp / "panel.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(argv, env=env, cwd=tmp, stdout=log, stderr=log)
        _wait_listening(port, lambda: server is not None and server.poll() is None, log_path)
        target = Target(
            "127.0.0.1",
            port,
            tls=False,
            token=token,
            panel_pids=_tree(server.pid),
            daemon_pids=socket_peer(daemon_socket),
        )
        log_in(target, "benchadmin", password)
        # Now that every worker process is up and has answered.
        target.panel_pids = _tree(server.pid)
        yield target
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        _mariadb(f"DROP DATABASE IF EXISTS `{database}`")


def _wait_listening(port: int, alive: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"the panel exited during start-up:\n{log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the panel did not listen on port {port} in {START_SECONDS:.0f} s")


def running_panel(url: str, token: str, user: str | None, daemon_socket: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--url {url}: want http(s)://127.0.0.1:PORT")
    host = parts.hostname
    address = socket.gethostbyname(host) if host == "localhost" else host
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError("--url must be on this machine (127.0.0.1, localhost or [::1])")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    installed = service_pids(SERVICES[0])
    target = Target(
        host,
        port,
        parts.scheme == "https",
        token,
        panel_pids=installed,
        daemon_pids=socket_peer(daemon_socket),
    )
    password = os.environ.get("SUPERCP_BENCH_PASSWORD")
    if user is None or password is None:
        target.no_session = "no login (--user and $SUPERCP_BENCH_PASSWORD)"
    else:
        log_in(target, user, password)
    return target


# -- clients ------------------------------------------------------------------------------
#
# One client process with a hand-written epoll loop over non-blocking keep-alive sockets, as in
# bench/rpc.py: per request one send, one recv (plus whatever TLS needs) and a share of one
# epoll_wait, tens of microseconds of client CPU against milliseconds of server CPU per request,
# so the client is not what is measured even when both share 2 cores. http.client in 32
# threads would spend several times that per request, all of it under one GIL.

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[ \t]*chunked", re.IGNORECASE)


def response_end(buf: bytes) -> int:
    """The length of the complete HTTP/1.1 response at the start of ``buf``; 0: not yet."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return 0
    body = head_end + 4
    length = _CONTENT_LENGTH.search(buf, 0, head_end + 2)
    if length is not None:
        end = body + int(length.group(1))
        return end if len(buf) >= end else 0
    if _CHUNKED.search(buf, 0, head_end + 2) is None:
        return body  # no body (204, 304)
    pos = body
    while True:
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return 0
        size = int(buf[pos:line_end].split(b";")[0], 16)
        if size == 0:
            trailer_end = buf.find(b"\r\n\r\n", line_end)
            return trailer_end + 4 if trailer_end >= 0 else 0
        pos = line_end + 2 + size + 2
        if pos > len(buf):
            return 0


def _connect(target: Target) -> socket.socket:
    sock = socket.create_connection((target.host, target.port), timeout=STALL_SECONDS)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if target.tls:
        context = ssl._create_unverified_context()  # noqa: S323 (loopback, self-signed)
        return context.wrap_socket(sock, server_hostname=target.host)
    return sock


def _read(sock: socket.socket) -> bytes | None:
    """What has arrived; b"" when the server closed, None when nothing is readable yet."""
    try:
        data = sock.recv(262144)
    except (BlockingIOError, ssl.SSLWantReadError):
        return None
    # TLS may hold decrypted bytes that epoll cannot see.
    while isinstance(sock, ssl.SSLSocket) and sock.pending():
        data += sock.recv(sock.pending())
    return data


def _answer(sock: socket.socket, request: bytes) -> bytes:
    sock.sendall(request)
    buf = b""
    while not (end := response_end(buf)):
        chunk = sock.recv(262144)
        if not chunk:
            raise ConnectionError("the panel closed the connection")
        buf += chunk
    return buf[:end]


def _closed_loop(socks: list[socket.socket], request: bytes, t0: int, t1: int) -> tuple[Any, ...]:
    """Requests on every socket until t1; latencies (ns) of answers in [t0, t1), non-200s."""
    perf = time.perf_counter_ns
    lat = array.array("q")
    errors: dict[int, int] = {}
    hard_stop = t1 + int(STALL_SECONDS * 1e9)
    with select.epoll() as ep:
        conns: dict[int, list[Any]] = {}  # fd: [socket, sent at, buffer]
        for sock in socks:
            sock.setblocking(False)
            ep.register(sock.fileno(), select.EPOLLIN)
            conns[sock.fileno()] = [sock, perf(), b""]
            sock.sendall(request)
        active = len(conns)
        while active:
            events = ep.poll(STALL_SECONDS)
            if not events or perf() > hard_stop:
                raise TimeoutError("the panel stopped answering")
            for fd, _ in events:
                conn = conns[fd]
                data = _read(conn[0])
                if data is None:
                    continue
                if not data:
                    raise ConnectionError("the panel closed a connection")
                buf = conn[2] + data
                end = response_end(buf)
                if not end:
                    conn[2] = buf
                    continue
                now = perf()
                conn[2] = b""
                if t0 <= now < t1:
                    lat.append(now - conn[1])
                    status = int(buf[9:12])
                    if status != 200 or end != len(buf):
                        errors[status] = errors.get(status, 0) + 1
                elif now >= t1:
                    ep.unregister(fd)
                    active -= 1
                    continue
                conn[1] = perf()
                conn[0].sendall(request)
    return lat.tobytes(), errors


def _client_main(target: Target, request: bytes, n: int, ctl: Connection) -> None:
    """One client process: connect, check one answer per connection, wait for go, run."""
    socks: list[socket.socket] = []
    try:
        for _ in range(n):
            sock = _connect(target)
            socks.append(sock)
            first = _answer(sock, request)
            if int(first[9:12]) != 200:
                ctl.send(("error", first[:300].decode(errors="replace")))
                return
        ctl.send(("ready", None))
        if not ctl.poll(START_SECONDS):
            return
        t0, t1 = ctl.recv()
        ctl.send(("done", _closed_loop(socks, request, t0, t1)))
    except OSError as err:
        ctl.send(("error", f"{type(err).__name__}: {err}"))
    finally:
        for sock in socks:
            sock.close()


# -- measuring ----------------------------------------------------------------------------


@dataclass
class Cell:
    """The figures of one (page, clients) pair; ``skipped`` says why there are none."""

    page: str
    clients: int
    requests: int = 0
    seconds: float = 0.0
    requests_per_s: float = 0.0
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    errors: dict[int, int] = field(default_factory=dict)
    panel_cpu_pct: float | None = None  # of one core, all the panel's processes
    daemon_cpu_pct: float | None = None  # with the programs it ran
    mariadb_cpu_pct: float | None = None
    client_cpu_pct: float = 0.0
    skipped: str | None = None


def _percentile(ordered: list[int], q: float) -> float:
    """Nearest-rank percentile of sorted ns values, in ms."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] / 1e6


def _sleep_until(deadline_ns: int) -> None:
    left = (deadline_ns - time.perf_counter_ns()) / 1e9
    if left > 0:
        time.sleep(left)


def measure(
    target: Target, page: str, request: bytes, clients: int, *, warmup: float, seconds: float
) -> Cell:
    ours, theirs = _FORK.Pipe()
    worker = _FORK.Process(target=_client_main, args=(target, request, clients, theirs))
    worker.start()
    theirs.close()
    try:
        if not ours.poll(START_SECONDS):
            raise RuntimeError("the client process did not come up")
        status, detail = ours.recv()
        if status != "ready":
            raise RuntimeError(f"{page}: {detail}")
        # perf_counter is CLOCK_MONOTONIC on Linux: one clock for every process.
        t0 = time.perf_counter_ns() + int(warmup * 1e9)
        t1 = t0 + int(seconds * 1e9)
        ours.send((t0, t1))
        groups = {
            "panel": target.panel_pids,
            "daemon": target.daemon_pids,
            "mariadb": pidfile_pid(MYSQL_PIDFILE),
            "client": [worker.pid] if worker.pid is not None else [],
        }
        _sleep_until(t0)
        before = {k: cpu_seconds(v) for k, v in groups.items() if v}
        _sleep_until(t1)
        after = {k: cpu_seconds(v) for k, v in groups.items() if v}
        if not ours.poll(STALL_SECONDS + 5):
            raise RuntimeError("the client process did not report")
        status, detail = ours.recv()
        if status != "done":
            raise RuntimeError(f"{page}: {detail}")
    finally:
        ours.close()
        worker.join(5)
        if worker.is_alive():
            worker.kill()
            worker.join()
    raw, errors = detail
    latencies = sorted(array.array("q", raw))
    pct = {k: 100 * (after[k] - before[k]) / seconds for k in after}
    return Cell(
        page=page,
        clients=clients,
        requests=len(latencies),
        seconds=seconds,
        requests_per_s=len(latencies) / seconds,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        errors=errors,
        panel_cpu_pct=pct.get("panel"),
        daemon_cpu_pct=pct.get("daemon"),
        mariadb_cpu_pct=pct.get("mariadb"),
        client_cpu_pct=pct.get("client", 0.0),
    )


def run(args: argparse.Namespace, target: Target) -> list[Cell]:
    host = f"Host: {target.authority}\r\n"
    pages = {
        "dashboard": None
        if target.session is None
        else f"GET / HTTP/1.1\r\n{host}Cookie: supercp_session={target.session}\r\n\r\n",
        "accounts API": f"GET {LIST_PATH} HTTP/1.1\r\n{host}"
        f"Authorization: Bearer {target.token}\r\nAccept: application/json\r\n\r\n",
    }
    cells: list[Cell] = []
    for page, request in pages.items():
        for clients in args.clients:
            if request is None:
                cells.append(Cell(page, clients, skipped=target.no_session))
            else:
                cells.append(
                    measure(
                        target,
                        page,
                        request.encode(),
                        clients,
                        warmup=args.warmup,
                        seconds=args.seconds,
                    )
                )
    return cells


@dataclass
class Memory:
    """One service's resident memory while idle; ``processes`` 0 means not running."""

    service: str
    processes: int
    rss_mb: float | None


def installed_memory() -> list[Memory]:
    out = []
    for service in SERVICES:
        pids = service_pids(service)
        out.append(Memory(service.label, len(pids), rss_mb(pids) if pids else None))
    return out


# -- report -------------------------------------------------------------------------------


def goals(cells: list[Cell], memory: list[Memory]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in cells:
        if c.page == "accounts API" and c.clients == 32 and c.skipped is None:
            out.append(
                {
                    "goal": f"accounts list p99 < {GOAL_LIST_P99_MS:.0f} ms, 32 clients",
                    "measured": f"{_ms(c.p99_ms)} ms",
                    "met": c.p99_ms < GOAL_LIST_P99_MS,
                }
            )
    missing = [m.service for m in memory if m.rss_mb is None]
    total = sum(m.rss_mb or 0.0 for m in memory)
    out.append(
        {
            "goal": f"panel + worker + super-daemon RSS < {GOAL_RSS_MB:.0f} MB, idle",
            "measured": f"not running: {', '.join(missing)}" if missing else f"{total:.0f} MB",
            "met": None if missing else total < GOAL_RSS_MB,
        }
    )
    return out


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def _ms(value: float) -> str:
    # No answer came back within the measuring period: every request took longer.
    return "none" if math.isnan(value) else f"{value:.1f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def print_tables(
    cells: list[Cell], memory: list[Memory], met: list[dict[str, Any]], setup: dict[str, Any]
) -> None:
    console = Console(width=max(120, shutil.get_terminal_size().columns))
    table = Table(title=f"Panel requests (closed loop, keep-alive, {setup['scheme']})")
    for name in ("page", "clients", "req/s", "p50 ms", "p99 ms", "non-200"):
        table.add_column(name, justify="left" if name == "page" else "right")
    for name in ("panel CPU", "daemon CPU", "MariaDB CPU", "client CPU"):
        table.add_column(name, justify="right")
    for c in cells:
        if c.skipped is not None:
            table.add_row(c.page, str(c.clients), f"[yellow]{c.skipped}[/]", *[""] * 7)
            continue
        errors = ", ".join(f"{n}x {s}" for s, n in sorted(c.errors.items())) or "0"
        table.add_row(
            c.page,
            str(c.clients),
            f"{c.requests_per_s:,.0f}",
            _ms(c.p50_ms),
            _ms(c.p99_ms),
            errors,
            _pct(c.panel_cpu_pct),
            _pct(c.daemon_cpu_pct),
            _pct(c.mariadb_cpu_pct),
            _pct(c.client_cpu_pct),
        )
    console.print(table)
    mem = Table(title="Resident memory, idle")
    mem.add_column("service")
    mem.add_column("processes", justify="right")
    mem.add_column("RSS MB", justify="right")
    for m in memory:
        rss = "[yellow]not running[/]" if m.rss_mb is None else f"{m.rss_mb:.1f}"
        mem.add_row(m.service, str(m.processes), rss)
    console.print(mem)
    goal_table = Table(title="Goals")
    goal_table.add_column("goal")
    goal_table.add_column("measured", justify="right")
    goal_table.add_column("")
    verdict = {True: "[green]PASS[/]", False: "[red]MISS[/]", None: "[yellow]n/a[/]"}
    for g in met:
        goal_table.add_row(g["goal"], g["measured"], verdict[g["met"]])
    console.print(goal_table)
    console.print(
        f"{setup['seconds']} s per cell after {setup['warmup']} s warm-up; panel: "
        f"{setup['panel']}; accounts in its database: {setup['accounts']}; dashboard's "
        f"system facts: {setup['dashboard_daemon']}; {setup['cpus']} CPU(s). CPU columns "
        "are % of one core."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="benchmark this running panel (127.0.0.1) instead")
    parser.add_argument("--token", help="with --url: an admin's API token")
    parser.add_argument(
        "--user", help="with --url: sign in as this user (password in $SUPERCP_BENCH_PASSWORD)"
    )
    parser.add_argument("--daemon-socket", default="/run/super-daemon.sock")
    parser.add_argument("--accounts", type=int, default=ACCOUNTS, help="accounts to seed")
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per cell")
    parser.add_argument("--warmup", type=float, default=0.5, help="warm-up before each cell")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 32])
    parser.add_argument(
        "--workers", type=int, default=1, help="its own panel's worker processes (panel.toml)"
    )
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    if min(args.seconds, args.accounts, *args.clients) <= 0 or args.warmup < 0:
        parser.error("--seconds, --accounts and --clients must be positive")
    if args.url is not None and args.token is None:
        parser.error("--url needs --token (an admin's API token for the accounts list)")
    if args.url is None and os.geteuid() != 0:
        parser.error("starting a panel needs root (MariaDB's root login); or pass --url")

    # Idle: before this script puts any load on anything.
    memory = installed_memory()
    with contextlib.ExitStack() as stack:
        tmp = Path(tempfile.mkdtemp(prefix="supercp-bench-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        try:
            if args.url is None:
                target = stack.enter_context(
                    own_panel(tmp, args.daemon_socket, args.accounts, args.workers)
                )
                time.sleep(1.0)  # after start-up and sign-in, before any load
                pids = target.panel_pids
                memory.append(Memory("panel (this run's own, idle)", len(pids), rss_mb(pids)))
            else:
                target = running_panel(args.url, args.token, args.user, args.daemon_socket)
            auth = {"Authorization": f"Bearer {target.token}"}
            status, _, body = fetch(target, "GET", LIST_PATH, auth)
            if status != 200:
                raise RuntimeError(f"GET {LIST_PATH} answered {status}: {body[:300]!r}")
            target.accounts = json.loads(body)["total"]
            facts = "n/a" if target.session is None else daemon_error(target) or "yes"
            cells = run(args, target)
            if args.url is None:
                pids = target.panel_pids
                memory.append(Memory("panel (this run's own, after load)", len(pids), rss_mb(pids)))
        except (RuntimeError, OSError, ValueError, subprocess.CalledProcessError) as err:
            print(f"benchmark failed: {err}", file=sys.stderr)
            return 1

    setup = {
        "seconds": args.seconds,
        "warmup": args.warmup,
        "cpus": os.cpu_count(),
        "scheme": "HTTPS" if target.tls else "plain HTTP",
        "panel": args.url
        or f"started by this script (super-panel's server, {args.workers} worker(s), plain HTTP, "
        "own database)",
        "accounts": target.accounts,
        "dashboard_daemon": facts,
        "python": sys.version.split()[0],
    }
    met = goals(cells, [m for m in memory if not m.service.startswith("panel (this")])
    if args.json:
        print(
            json.dumps(
                {
                    "setup": setup,
                    # NaN (no answer in the period) is not JSON: null.
                    "cells": [{k: _finite(v) for k, v in asdict(c).items()} for c in cells],
                    "memory": [asdict(m) for m in memory],
                    "goals": met,
                }
            )
        )
    else:
        print_tables(cells, memory, met, setup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
