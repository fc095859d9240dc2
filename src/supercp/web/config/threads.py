"""The panel's request threads: made when requests need them, and given back when idle.

A request that waits on the daemon (creating a site: a reload, seconds on a big server)
holds its thread, and its database connection, for the whole call; the daemon shares one
reload among the calls that reach it together. A burst of 200 site creations therefore
wants 200 threads at once, while everyday traffic needs a handful. So threads are started
up to ``most`` as requests queue, and a thread beyond the first ``keep`` that sat idle for
``idle`` seconds exits and closes its database connections (Django keeps one per thread),
so a burst does not leave hundreds of idle connections to MariaDB behind.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from django.db import connections


class ElasticPool:
    """Runs callables on threads started on demand, up to ``most``; see the module's doc."""

    def __init__(self, most: int, keep: int, idle: float, name: str = "panel-http") -> None:
        self.most = most
        self.keep = min(keep, most)
        self.idle = idle
        self.name = name
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]]
        self._queue = queue.SimpleQueue()
        # One token per idle thread that no queued item has claimed yet.
        self._free = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._threads = 0
        self._made = 0

    @property
    def threads(self) -> int:
        """Threads alive now."""
        return self._threads

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._queue.put((future, fn, args))
        if not self._free.acquire(blocking=False):
            with self._lock:
                if self._threads < self.most:
                    self._threads += 1
                    self._made += 1
                    thread = threading.Thread(
                        target=self._work, name=f"{self.name}_{self._made}", daemon=True
                    )
                    thread.start()
        return future

    def _work(self) -> None:
        try:
            # Started for an item already queued: idle only once that one is done.
            if self._next(idle=False):
                while self._next(idle=True):
                    pass
        finally:
            # This thread's database connections, which no other thread can close.
            connections.close_all()

    def _next(self, *, idle: bool) -> bool:
        """Run one queued item; False once this thread should exit."""
        if idle:
            self._free.release()
        while True:
            try:
                future, fn, args = self._queue.get(timeout=self.idle)
                break
            except queue.Empty:
                with self._lock:
                    # Leave only with a token of our own: an unclaimed idle one, so no
                    # queued item is counting on this thread.
                    if self._threads > self.keep and self._free.acquire(blocking=False):
                        self._threads -= 1
                        return False
        if future.set_running_or_notify_cancel():
            try:
                result = fn(*args)
            except BaseException as err:
                future.set_exception(err)
            else:
                future.set_result(result)
        return True
