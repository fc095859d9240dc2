"""runtime/threads.py: threads on demand up to a limit, idle ones given back, and slots."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from supercp.web.core import daemon
from supercp.web.runtime import threads
from supercp.web.runtime.http import PanelHandler
from supercp.web.runtime.threads import ElasticPool


def wait_until(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def drained() -> Iterator[Callable[[ElasticPool], ElasticPool]]:
    """Pools whose threads all end with the test: a pool keeps its first ``keep`` threads
    for as long as the process lives, until it is shut down."""
    pools: list[ElasticPool] = []

    def register(pool: ElasticPool) -> ElasticPool:
        pools.append(pool)
        return pool

    yield register
    for pool in pools:
        pool.shutdown()
        wait_until(lambda pool=pool: pool.threads == 0)
    for thread in threading.enumerate():
        if any(thread.name.startswith(f"{pool.name}_") for pool in pools):
            thread.join(5)


class Overlap:
    """Calls of ``work`` that sleep: how many ran at once at most, and in what order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = self.peak = 0
        self.started: list[int] = []

    def work(self, i: int, seconds: float) -> int:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.started.append(i)
        time.sleep(seconds)
        with self.lock:
            self.running -= 1
        return i


def test_two_hundred_calls_that_wait_all_run_at_once(
    drained: Callable[[ElasticPool], ElasticPool],
) -> None:
    # As 200 site creations waiting on one daemon reload do: none may wait for a thread.
    pool = drained(ElasticPool(most=256, keep=4, idle=0.2))
    barrier = threading.Barrier(200, timeout=10)
    futures = [pool.submit(barrier.wait) for _ in range(200)]
    assert sorted(f.result(timeout=15) for f in futures) == list(range(200))
    assert pool.threads == 200
    # Idle threads beyond the kept ones go, closing their connections.
    wait_until(lambda: pool.threads == 4)


def test_no_more_threads_than_the_limit_and_the_rest_queue(
    drained: Callable[[ElasticPool], ElasticPool],
) -> None:
    pool = drained(ElasticPool(most=4, keep=1, idle=5.0))
    overlap = Overlap()
    futures = [pool.submit(overlap.work, i, 0.02) for i in range(40)]
    assert [f.result(timeout=10) for f in futures] == list(range(40))
    assert overlap.peak == 4
    assert pool.threads == 4


def test_idle_threads_are_reused_before_new_ones_start(
    drained: Callable[[ElasticPool], ElasticPool],
) -> None:
    pool = drained(ElasticPool(most=64, keep=2, idle=5.0))
    for i in range(50):
        assert pool.submit(lambda x: x, i).result(timeout=5) == i
    assert pool.threads <= 2


def test_an_exception_reaches_the_caller_and_the_thread_lives_on(
    drained: Callable[[ElasticPool], ElasticPool],
) -> None:
    pool = drained(ElasticPool(most=1, keep=1, idle=5.0))

    def fail() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        pool.submit(fail).result(timeout=5)
    assert pool.submit(lambda: 42).result(timeout=5) == 42
    assert pool.threads == 1


def test_a_thread_that_exits_closes_its_own_database_connections(monkeypatch, drained) -> None:
    closed: list[str] = []

    class Connections:
        def close_all(self) -> None:
            closed.append(threading.current_thread().name)

    monkeypatch.setattr(threads, "connections", Connections())
    pool = drained(ElasticPool(most=3, keep=0, idle=0.05, name="t"))
    barrier = threading.Barrier(3, timeout=5)
    names = [
        pool.submit(lambda: (barrier.wait(), threading.current_thread().name)[1]) for _ in "abc"
    ]
    made = sorted(f.result(timeout=5) for f in names)
    wait_until(lambda: pool.threads == 0)
    assert sorted(closed) == made


def test_the_handler_answers_many_requests_that_wait_at_the_same_time(monkeypatch, drained) -> None:
    handler = PanelHandler(threads=100)
    drained(handler.pool)
    barrier = threading.Barrier(100, timeout=10)

    def respond(scope: dict[str, Any], body: Any) -> tuple[int, list[Any], bytes]:
        body.close()
        threads.leave_slot()  # as a daemon call does (core/daemon.py)
        barrier.wait()  # a daemon call that returns only once all 100 reached it
        return 201, [], b"{}"

    monkeypatch.setattr(handler, "respond", respond)

    async def one() -> int:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "path": "/api/v1/sites", "headers": [], "method": "POST"}
        await handler(scope, receive, send)
        return int(sent[0]["status"])

    async def main() -> list[int]:
        return await asyncio.gather(*(one() for _ in range(100)))

    assert asyncio.run(main()) == [201] * 100


# --- slots: how many items run at once ---------------------------------------------------------


def test_with_two_slots_two_items_run_at_once_in_the_order_they_came(
    drained: Callable[[ElasticPool], ElasticPool],
) -> None:
    pool = drained(ElasticPool(most=64, keep=4, idle=5.0, running=2))
    overlap = Overlap()
    futures = [pool.submit(overlap.work, i, 0.005) for i in range(60)]
    assert [f.result(timeout=10) for f in futures] == list(range(60))
    assert overlap.peak == 2
    assert overlap.started == list(range(60))
    # The two slot holders took every item: no thread per request.
    assert pool.threads == 2


def test_items_that_leave_their_slot_all_wait_at_once(
    drained: Callable[[ElasticPool], ElasticPool],
) -> None:
    # As 200 site creations do in their daemon call (core/daemon.py leaves the slot).
    pool = drained(ElasticPool(most=256, keep=4, idle=0.2, running=2))
    barrier = threading.Barrier(200, timeout=10)

    def call() -> int:
        threads.leave_slot()
        return barrier.wait()

    futures = [pool.submit(call) for _ in range(200)]
    assert sorted(f.result(timeout=15) for f in futures) == list(range(200))
    # Afterwards the pool is back to two runners, and its idle threads go.
    futures = [pool.submit(lambda i: i, i) for i in range(20)]
    assert [f.result(timeout=5) for f in futures] == list(range(20))
    wait_until(lambda: pool.threads == 4)


def test_a_thread_back_from_its_wait_does_not_take_a_third_slot(
    drained: Callable[[ElasticPool], ElasticPool],
) -> None:
    pool = drained(ElasticPool(most=16, keep=16, idle=5.0, running=2))
    overlap = Overlap()
    release = threading.Event()

    def waits_then_works() -> None:
        threads.leave_slot()
        release.wait(5)

    waiting = [pool.submit(waits_then_works) for _ in range(6)]
    busy = [pool.submit(overlap.work, i, 0.01) for i in range(40)]
    release.set()
    busy += [pool.submit(overlap.work, i, 0.01) for i in range(40)]
    for future in waiting + busy:
        future.result(timeout=10)
    assert overlap.peak <= 2
    # Threads that came back from waiting are parked or reused, not multiplied.
    assert pool.threads <= 8


def test_leaving_outside_a_pool_does_nothing() -> None:
    threads.leave_slot()  # super-cli, the worker: no slot to give up


def test_a_daemon_call_gives_up_the_requests_slot(tmp_path, settings, drained) -> None:
    # 20 requests in a pool of 2 slots call a daemon that answers once all 20 are waiting.
    path = tmp_path / "daemon.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(64)
    settings.SUPERCP_DAEMON_SOCKET = path

    def serve() -> None:
        pending: list[tuple[socket.socket, Any]] = []
        while len(pending) < 20:
            conn, _ = server.accept()
            line = conn.makefile("rb").readline()
            pending.append((conn, json.loads(line)["id"]))
        for conn, rid in pending:
            conn.sendall(json.dumps({"jsonrpc": "2.0", "id": rid, "result": "pong"}).encode())
            conn.sendall(b"\n")
            conn.close()

    server_thread = threading.Thread(target=serve, daemon=True)
    server_thread.start()
    pool = drained(ElasticPool(most=64, keep=4, idle=5.0, running=2))

    def request() -> Any:
        with daemon.client() as client:
            return client.call("system.ping")

    futures = [pool.submit(request) for _ in range(20)]
    try:
        assert [f.result(timeout=10) for f in futures] == ["pong"] * 20
    finally:
        # Shut down, not only closed: that wakes an accept() still waiting in the thread.
        server.shutdown(socket.SHUT_RDWR)
        server.close()
        server_thread.join(10)


def test_run_for_answers_on_the_loop_with_the_result_or_the_exception(
    drained: Callable[[ElasticPool], ElasticPool],
) -> None:
    pool = drained(ElasticPool(most=2, keep=1, idle=5.0))

    def fail() -> None:
        raise KeyError("x")

    async def main() -> tuple[Any, str, str]:
        loop = asyncio.get_running_loop()
        result = await pool.run_for(loop, lambda x: (x, threading.current_thread().name), 7)
        with pytest.raises(KeyError):
            await pool.run_for(loop, fail)
        return result[0], result[1], threading.current_thread().name

    value, ran_on, awaited_on = asyncio.run(main())
    assert value == 7
    assert ran_on.startswith("panel-http_")
    assert awaited_on == "MainThread"


def test_run_for_skips_an_item_whose_waiter_was_cancelled_before_it_ran(
    drained: Callable[[ElasticPool], ElasticPool],
) -> None:
    pool = drained(ElasticPool(most=1, keep=1, idle=5.0))
    gate = threading.Event()
    ran: list[int] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        busy = pool.run_for(loop, gate.wait, 5)  # holds the only thread
        queued = pool.run_for(loop, ran.append, 1)
        queued.cancel()
        gate.set()
        await busy
        # An item after the cancelled one: once it ran, the cancelled one was passed over.
        await pool.run_for(loop, ran.append, 2)

    asyncio.run(main())
    assert ran == [2]
