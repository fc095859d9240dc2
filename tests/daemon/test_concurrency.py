"""Per-object serialization, independence of different objects, and a clean SIGTERM.

These run the real server and dispatcher in a thread, with an extra method that only
this test registers (a slow call on a chosen object), over a real socket.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from supercp.daemon.context import Context
from supercp.daemon.registry import bind
from supercp.daemon.roles import ROOT_AND_PANEL
from supercp.protocol.client import DaemonClient
from supercp.protocol.models import Result, Spec, Strict
from tests.daemon.threaded import ThreadDaemon
from tests.rpc import RawClient


class SleepParams(Strict):
    key: str
    seconds: float


class Span(Result):
    start: float
    end: float


SLEEP: Spec[SleepParams, Span] = Spec("test.sleep", SleepParams, Span, "Sleep on an object.")


@bind(SLEEP, callers=ROOT_AND_PANEL, lock=lambda p: f"test:{p.key}")
async def sleep(ctx: Context, params: SleepParams) -> Span:
    start = time.monotonic()
    await asyncio.sleep(params.seconds)
    return Span(start=start, end=time.monotonic())


@pytest.fixture
def daemon(world_dir: Path) -> Iterator[ThreadDaemon]:
    d = ThreadDaemon(world_dir, [sleep])
    d.start()
    yield d
    if d.thread.is_alive():
        d.stop()


def slow(daemon: ThreadDaemon, key: str, seconds: float) -> Span:
    with DaemonClient(daemon.socket) as c:
        return c.invoke(SLEEP, SleepParams(key=key, seconds=seconds))


def test_calls_on_the_same_object_run_one_after_the_other(daemon):
    with ThreadPoolExecutor(3) as pool:
        spans = list(pool.map(lambda _: slow(daemon, "same", 0.3), range(3)))
    spans.sort(key=lambda s: s.start)
    for earlier, later in itertools.pairwise(spans):
        assert later.start >= earlier.end


def test_calls_on_different_objects_overlap(daemon):
    with ThreadPoolExecutor(3) as pool:
        spans = list(pool.map(lambda k: slow(daemon, k, 0.5), ["a", "b", "c"]))
    assert max(s.start for s in spans) < min(s.end for s in spans)


def test_a_slow_call_never_blocks_ping_even_on_the_same_connection(daemon):
    with RawClient(str(daemon.socket)) as c:
        c.send_json(
            {
                "jsonrpc": "2.0",
                "method": "test.sleep",
                "params": {"key": "k", "seconds": 2},
                "id": 1,
            }
        )
        started = time.monotonic()
        c.send_json({"jsonrpc": "2.0", "method": "system.ping", "id": 2})
        first = c.recv()
        assert first["id"] == 2
        assert time.monotonic() - started < 0.5
        assert c.recv()["id"] == 1


def test_locks_are_dropped_when_no_call_holds_them(daemon):
    slow(daemon, "x", 0.01)
    assert len(daemon.server.dispatcher.locks) == 0


def test_stopping_finishes_calls_in_flight_before_closing(daemon):
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(slow, daemon, "k", 1.0)
        time.sleep(0.3)
        daemon.stop()
        span = pending.result(10)
    assert span.end - span.start >= 1.0
    assert not daemon.socket.exists()


def test_sigterm_makes_the_real_daemon_exit_cleanly(test_daemon):
    test_daemon.proc.send_signal(signal.SIGTERM)
    assert test_daemon.proc.wait(15) == 0
    assert not test_daemon.socket.exists()


def test_a_second_daemon_refuses_to_steal_a_live_socket(test_daemon):
    done = subprocess.run(
        [sys.executable, "-m", "supercp.daemon.main", "--config", str(test_daemon.config)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert b"another super-daemon" in done.stderr
    with DaemonClient(test_daemon.socket) as c:
        assert c.call("system.ping") == "pong"
