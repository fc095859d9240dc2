"""Round trips of ``system.ping`` over super-daemon's Unix socket, beside an echo baseline.

Every cell runs closed-loop clients (one request in flight per connection) against one
server for a warm-up and then a fixed measuring period, and reports calls per second,
p50/p99 round-trip latency and the daemon's throughput relative to a minimal asyncio echo
server measured in the same run with the same client code. Goals are printed as
PASS/MISS; the exit status is 0 either way (a benchmark, not a test).

    python bench/rpc.py                      # starts its own daemon in a temp dir (root)
    python bench/rpc.py --socket /run/super-daemon.sock   # an already running daemon
    python bench/rpc.py --seconds 5 --json

Linux only (epoll, SO_PEERCRED, /proc).
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.table import Table

Kind = Literal["echo", "daemon"]

GOAL_RATIO = 0.5  # daemon calls/s at least this share of the echo baseline's
GOAL_P99_MS = 2.0  # daemon p99 with one client below this

REQUEST = b'{"jsonrpc":"2.0","method":"system.ping","id":%d}\n'
STALL_SECONDS = 10.0  # no answer on any connection for this long: the run is broken
START_SECONDS = 20.0  # for a server or client process to come up
_UCRED = struct.Struct("3i")
_FORK = multiprocessing.get_context("fork")  # nothing runs in the parent yet that forking hurts


# -- the echo baseline ------------------------------------------------------------------


class _EchoProtocol(asyncio.Protocol):
    """Writes back every complete line.

    asyncio.Protocol rather than streams: no StreamReader buffer, no readline() coroutine
    and no writer drain per line, so it costs less per line than a streams server, and
    it is the same server model (Protocol + transport.write) as super-daemon's Connection.
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.partial = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        buf = self.partial + data if self.partial else data
        end = buf.rfind(b"\n") + 1
        if end:
            self.transport.write(buf[:end] if end < len(buf) else buf)
        self.partial = buf[end:]


async def _echo_serve(path: str) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    server = await loop.create_unix_server(_EchoProtocol, path, backlog=512)
    async with server:
        await stop.wait()


def _echo_main(path: str) -> None:
    asyncio.run(_echo_serve(path))


# -- clients ----------------------------------------------------------------------------
#
# The client is a hand-written epoll loop over non-blocking sockets, one loop per client
# process. Per round trip it makes one recv and one send, plus one epoll_wait shared by
# every connection that is ready. Measured against the echo server on a 2-core VM: 4.5 us
# of client CPU per call, against 4.7 us for an asyncio.Protocol client and 8.4 us for an
# asyncio-streams client; the echo server itself costs about 5 us per call.
#
# All connections of a cell share ONE client process by default (--client-procs). With
# one server process and one client process each gets its own core, and the echo server
# ran at 97-98% CPU (~200k calls/s on a quiet machine): the server is the bottleneck.
# With 2-4 client processes there are more runnable processes than cores; they preempt
# the server, which then idled at 60-75% CPU and served only 100-130k calls/s; a process
# per client would only add runnable processes (not tried). The daemon needs about 8x the
# CPU per call of its client, so daemon cells are server-bound with any split.


def _check_first_answer(kind: Kind, request: bytes, answer: bytes) -> str | None:
    """Why the first answer on a connection is wrong, or None. Parsed once, outside timing."""
    if kind == "echo":
        return None if answer == request else f"echo returned {answer!r}"
    try:
        msg = json.loads(answer)
    except ValueError:
        return f"daemon sent non-JSON {answer!r}"
    if msg != {"jsonrpc": "2.0", "result": "pong", "id": 0}:
        return f"daemon answered {msg!r}"
    return None


def _recv_line(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        data += chunk
    return data


def _start_calls(ep: select.epoll, socks: list[socket.socket]) -> dict[int, list[Any]]:
    """Register every socket and send its first request; per fd [socket, id, sent, partial]."""
    conns: dict[int, list[Any]] = {}
    for sock in socks:
        sock.setblocking(False)
        ep.register(sock.fileno(), select.EPOLLIN)
        conns[sock.fileno()] = [sock, 1, time.perf_counter_ns(), b""]
        sock.send(REQUEST % 1)
    return conns


def _closed_loop(socks: list[socket.socket], t0: int, t1: int) -> tuple[bytes, int]:
    """Round trips on every socket until t1; latencies (ns) of calls answered in [t0, t1)."""
    perf = time.perf_counter_ns
    lat = array.array("q")
    errors = 0
    hard_stop = t1 + int(STALL_SECONDS * 1e9)
    with select.epoll() as ep:
        conns = _start_calls(ep, socks)
        active = len(conns)
        while active:
            events = ep.poll(STALL_SECONDS)
            if not events or perf() > hard_stop:
                raise TimeoutError("the server stopped answering")
            for fd, _ in events:
                conn = conns[fd]
                data = conn[0].recv(65536)
                now = perf()
                if not data:
                    raise ConnectionError("server closed the connection")
                data = conn[3] + data  # b"" + data is data itself: no copy in the usual case
                if data[-1] != 10:  # answer not complete yet
                    conn[3] = data
                    continue
                conn[3] = b""
                if t0 <= now < t1:
                    lat.append(now - conn[2])
                    # Same cheap check for both servers: exactly one line, no error.
                    if data.count(b"\n") != 1 or b'"error"' in data:
                        errors += 1
                elif now >= t1:
                    ep.unregister(fd)
                    active -= 1
                    continue
                conn[1] += 1
                req = REQUEST % conn[1]
                conn[2] = perf()
                if conn[0].send(req) != len(req):
                    raise ConnectionError("short send")
    return lat.tobytes(), errors


def _client_main(path: str, kind: Kind, n_conns: int, ctl: Connection) -> None:
    """One client process: connect, check one answer per connection, wait for go, run."""
    socks: list[socket.socket] = []
    try:
        for _ in range(n_conns):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
            socks.append(sock)
            first = REQUEST % 0
            sock.sendall(first)
            problem = _check_first_answer(kind, first, _recv_line(sock, STALL_SECONDS))
            if problem is not None:
                ctl.send(("error", problem))
                return
        ctl.send(("ready", None))
        if not ctl.poll(START_SECONDS):
            return
        t0, t1 = ctl.recv()
        ctl.send(("done", _closed_loop(socks, t0, t1)))
    except OSError as err:
        ctl.send(("error", f"{type(err).__name__}: {err}"))
    finally:
        for sock in socks:
            sock.close()


# -- measuring one cell -----------------------------------------------------------------


@dataclass
class Cell:
    """The figures of one (server, clients) pair."""

    server: Kind
    clients: int
    calls: int
    seconds: float
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_pct: float  # of one core
    client_cpu_pct: float  # of one core, all client processes together
    vs_echo: float | None = None


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process so far (from /proc, so it works for any pid we may read)."""
    with open(f"/proc/{pid}/stat", "rb") as fh:
        fields = fh.read().rsplit(b")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_pid(path: str) -> int:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(path)
        except OSError as err:
            raise RuntimeError(f"cannot connect to {path}: {err.strerror}") from err
        pid, _, _ = _UCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    return int(pid)


def _percentile(ordered: list[int], q: float) -> float:
    """Nearest-rank percentile of sorted ns values, in ms."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] / 1e6


def _sleep_until(deadline_ns: int) -> None:
    left = (deadline_ns - time.perf_counter_ns()) / 1e9
    if left > 0:
        time.sleep(left)


@dataclass
class Sample:
    """What one measuring period on one server produced."""

    latencies_ns: list[int]
    seconds: float
    errors: int
    server_cpu_s: float
    client_cpu_s: float


def measure(
    path: str, kind: Kind, *, clients: int, procs: int, warmup: float, seconds: float
) -> Sample:
    """One warm-up and measuring period on one server with ``clients`` connections."""
    n_procs = max(1, min(procs, clients))
    shares = [clients // n_procs + (i < clients % n_procs) for i in range(n_procs)]
    server_pid = _server_pid(path)
    workers: list[tuple[BaseProcess, Connection]] = []
    try:
        for share in shares:
            ours, theirs = _FORK.Pipe()
            worker = _FORK.Process(target=_client_main, args=(path, kind, share, theirs))
            worker.start()
            theirs.close()
            workers.append((worker, ours))
        for _, ctl in workers:
            if not ctl.poll(START_SECONDS):
                raise RuntimeError("a client process did not come up")
            status, detail = ctl.recv()
            if status != "ready":
                raise RuntimeError(f"{kind}: {detail}")
        # perf_counter is CLOCK_MONOTONIC on Linux: one clock for every process.
        t0 = time.perf_counter_ns() + int(warmup * 1e9)
        t1 = t0 + int(seconds * 1e9)
        for _, ctl in workers:
            ctl.send((t0, t1))
        client_pids = [p.pid for p, _ in workers if p.pid is not None]
        _sleep_until(t0)
        srv0 = _cpu_seconds(server_pid)
        cli0 = sum(_cpu_seconds(pid) for pid in client_pids)
        _sleep_until(t1)
        srv1 = _cpu_seconds(server_pid)
        cli1 = sum(_cpu_seconds(pid) for pid in client_pids)
        latencies: list[int] = []
        errors = 0
        for _, ctl in workers:
            if not ctl.poll(STALL_SECONDS + 5):
                raise RuntimeError("a client process did not report")
            status, detail = ctl.recv()
            if status != "done":
                raise RuntimeError(f"{kind}: {detail}")
            raw, errs = detail
            latencies.extend(array.array("q", raw))
            errors += errs
    finally:
        for proc, ctl in workers:
            ctl.close()
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()
    return Sample(latencies, seconds, errors, srv1 - srv0, cli1 - cli0)


def summarize(kind: Kind, clients: int, samples: list[Sample]) -> Cell:
    """One table row from the rounds of one (server, clients) pair."""
    latencies = sorted(ns for s in samples for ns in s.latencies_ns)
    seconds = sum(s.seconds for s in samples)
    return Cell(
        server=kind,
        clients=clients,
        calls=len(latencies),
        seconds=seconds,
        calls_per_s=len(latencies) / seconds,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        errors=sum(s.errors for s in samples),
        server_cpu_pct=100 * sum(s.server_cpu_s for s in samples) / seconds,
        client_cpu_pct=100 * sum(s.client_cpu_s for s in samples) / seconds,
    )


# -- servers ----------------------------------------------------------------------------


def _wait_accepting(path: str, alive: Any) -> None:
    """Block until ``path`` accepts a connection; ``alive()`` false means give up."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"the server for {path} exited during start-up")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(path)
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.05)
                continue
            return
    raise RuntimeError(f"nothing accepted connections on {path} in {START_SECONDS:.0f} s")


@contextlib.contextmanager
def echo_server(tmp: Path) -> Iterator[str]:
    path = str(tmp / "echo.sock")
    proc = _FORK.Process(target=_echo_main, args=(path,), daemon=True)
    proc.start()
    try:
        _wait_accepting(path, proc.is_alive)
        yield path
    finally:
        proc.terminate()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()


def _toml_str(value: Path | str) -> str:
    return json.dumps(str(value))  # a JSON string of plain text is a TOML basic string


@contextlib.contextmanager
def own_daemon(tmp: Path) -> Iterator[str]:
    """A super-daemon of our own, everything under ``tmp``, socket open to root only."""
    sock = tmp / "d.sock"
    config = tmp / "daemon.toml"
    config.write_text(
        f"socket = {_toml_str(sock)}\n"
        'socket_group = "root"\n'
        'panel_user = "nobody"\n'
        f"audit_dir = {_toml_str(tmp / 'log')}\n"
        f"state_dir = {_toml_str(tmp / 'state')}\n"
    )
    log_path = tmp / "daemon.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "supercp.daemon.main", "--config", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    try:
        try:
            _wait_accepting(str(sock), lambda: proc.poll() is None)
        except RuntimeError as err:
            raise RuntimeError(f"{err}\n{log_path.read_text(errors='replace')}") from None
        yield str(sock)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- report -----------------------------------------------------------------------------


def goals(cells: list[Cell]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cell in cells:
        if cell.server != "daemon":
            continue
        if cell.vs_echo is not None:
            out.append(
                {
                    "goal": f"daemon ≥ {GOAL_RATIO}x echo calls/s, {cell.clients} client(s)",
                    "measured": f"{cell.vs_echo:.2f}x",
                    "met": cell.vs_echo >= GOAL_RATIO,
                }
            )
        if cell.clients == 1:
            out.append(
                {
                    "goal": f"daemon p99 < {GOAL_P99_MS} ms, 1 client",
                    "measured": f"{cell.p99_ms:.3f} ms",
                    "met": cell.p99_ms < GOAL_P99_MS,
                }
            )
    return out


def print_tables(cells: list[Cell], met: list[dict[str, Any]], setup: dict[str, Any]) -> None:
    console = Console(width=max(100, shutil.get_terminal_size().columns))
    table = Table(title="system.ping round trips (closed loop, Unix socket)")
    for name in ("server", "clients", "calls/s", "p50 ms", "p99 ms", "vs echo", "errors"):
        table.add_column(name, justify="left" if name == "server" else "right")
    table.add_column("server CPU", justify="right")
    table.add_column("client CPU", justify="right")
    for c in cells:
        table.add_row(
            c.server,
            str(c.clients),
            f"{c.calls_per_s:,.0f}",
            f"{c.p50_ms:.3f}",
            f"{c.p99_ms:.3f}",
            "" if c.vs_echo is None else f"{c.vs_echo:.2f}x",
            str(c.errors),
            f"{c.server_cpu_pct:.0f}%",
            f"{c.client_cpu_pct:.0f}%",
        )
    console.print(table)
    goal_table = Table(title="Goals")
    goal_table.add_column("goal")
    goal_table.add_column("measured", justify="right")
    goal_table.add_column("")
    for g in met:
        goal_table.add_row(
            g["goal"], g["measured"], "[green]PASS[/]" if g["met"] else "[red]MISS[/]"
        )
    console.print(goal_table)
    console.print(
        f"{setup['seconds']} s per cell in {setup['rounds']} rounds, each after "
        f"{setup['warmup']} s warm-up; "
        f"{setup['client_procs']} client process(es) at most; {setup['cpus']} CPU(s); "
        f"daemon: {setup['daemon']}. CPU columns are % of one core."
    )


def run(args: argparse.Namespace, echo_path: str, daemon_path: str) -> list[Cell]:
    """Every cell; echo and daemon rounds alternate so both see the same machine."""
    cells: list[Cell] = []
    per_round = args.seconds / args.rounds
    for clients in args.clients:
        samples: dict[Kind, list[Sample]] = {"echo": [], "daemon": []}
        servers: tuple[tuple[Kind, str], ...] = (("echo", echo_path), ("daemon", daemon_path))
        for _ in range(args.rounds):
            for kind, path in servers:
                sample = measure(
                    path,
                    kind,
                    clients=clients,
                    procs=args.client_procs,
                    warmup=args.warmup,
                    seconds=per_round,
                )
                samples[kind].append(sample)
        echo = summarize("echo", clients, samples["echo"])
        daemon = summarize("daemon", clients, samples["daemon"])
        daemon.vs_echo = daemon.calls_per_s / echo.calls_per_s if echo.calls else math.nan
        cells += [echo, daemon]
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", help="benchmark this running daemon instead of starting one")
    parser.add_argument(
        "--seconds", type=float, default=3.0, help="measuring time per cell, over all rounds"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating echo/daemon rounds per cell"
    )
    parser.add_argument("--warmup", type=float, default=0.4, help="warm-up before each round")
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[1, 32], help="concurrent clients per cell"
    )
    parser.add_argument("--client-procs", type=int, default=1, help="client processes at most")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    if min(args.seconds, args.rounds, *args.clients, args.client_procs) <= 0 or args.warmup < 0:
        parser.error("--seconds, --rounds, --clients and --client-procs must be positive")
    if args.socket is None and os.geteuid() != 0:
        parser.error("starting a super-daemon needs root; or pass --socket of a running one")

    with contextlib.ExitStack() as stack:
        tmp = Path(tempfile.mkdtemp(prefix="supercp-bench-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        try:
            echo_path = stack.enter_context(echo_server(tmp))
            daemon_path = args.socket or stack.enter_context(own_daemon(tmp))
            cells = run(args, echo_path, daemon_path)
        except (RuntimeError, OSError) as err:
            print(f"benchmark failed: {err}", file=sys.stderr)
            return 1

    setup = {
        "seconds": args.seconds,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "client_procs": args.client_procs,
        "cpus": os.cpu_count(),
        "daemon": args.socket or "started by this script",
        "python": sys.version.split()[0],
    }
    met = goals(cells)
    if args.json:
        print(json.dumps({"setup": setup, "cells": [asdict(c) for c in cells], "goals": met}))
    else:
        print_tables(cells, met, setup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
