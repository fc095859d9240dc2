"""config/threads.py: threads on demand up to a limit, and idle ones given back."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from supercp.web.config import threads
from supercp.web.config.http import PanelHandler
from supercp.web.config.threads import ElasticPool


def wait_until(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_two_hundred_calls_that_wait_all_run_at_once() -> None:
    # As 200 site creations waiting on one daemon reload do: none may wait for a thread.
    pool = ElasticPool(most=256, keep=4, idle=0.2)
    barrier = threading.Barrier(200, timeout=10)
    futures = [pool.submit(barrier.wait) for _ in range(200)]
    assert sorted(f.result(timeout=15) for f in futures) == list(range(200))
    assert pool.threads == 200
    # Idle threads beyond the kept ones go, closing their connections.
    wait_until(lambda: pool.threads == 4)


def test_no_more_threads_than_the_limit_and_the_rest_queue() -> None:
    pool = ElasticPool(most=4, keep=1, idle=5.0)
    lock = threading.Lock()
    running = peak = 0

    def work(i: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return i

    futures = [pool.submit(work, i) for i in range(40)]
    assert [f.result(timeout=10) for f in futures] == list(range(40))
    assert peak == 4
    assert pool.threads == 4


def test_idle_threads_are_reused_before_new_ones_start() -> None:
    pool = ElasticPool(most=64, keep=2, idle=5.0)
    for i in range(50):
        assert pool.submit(lambda x: x, i).result(timeout=5) == i
    assert pool.threads <= 2


def test_an_exception_reaches_the_caller_and_the_thread_lives_on() -> None:
    pool = ElasticPool(most=1, keep=1, idle=5.0)

    def fail() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        pool.submit(fail).result(timeout=5)
    assert pool.submit(lambda: 42).result(timeout=5) == 42
    assert pool.threads == 1


def test_a_thread_that_exits_closes_its_own_database_connections(monkeypatch) -> None:
    closed: list[str] = []

    class Connections:
        def close_all(self) -> None:
            closed.append(threading.current_thread().name)

    monkeypatch.setattr(threads, "connections", Connections())
    pool = ElasticPool(most=3, keep=0, idle=0.05, name="t")
    barrier = threading.Barrier(3, timeout=5)
    names = [
        pool.submit(lambda: (barrier.wait(), threading.current_thread().name)[1]) for _ in "abc"
    ]
    made = sorted(f.result(timeout=5) for f in names)
    wait_until(lambda: pool.threads == 0)
    assert sorted(closed) == made


def test_the_handler_answers_many_requests_that_wait_at_the_same_time(monkeypatch) -> None:
    handler = PanelHandler(threads=100)
    barrier = threading.Barrier(100, timeout=10)

    def respond(scope: dict[str, Any], body: Any) -> tuple[int, list[Any], bytes]:
        body.close()
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
