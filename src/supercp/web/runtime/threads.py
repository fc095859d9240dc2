"""The panel's request threads: made when requests need them, and given back when idle.

A request that waits on the daemon (creating a site: a reload, seconds on a big server)
holds its thread, and its database connection, for the whole call; the daemon shares one
reload among the calls that reach it together. A burst of 200 site creations therefore
wants 200 threads at once, while everyday traffic needs a handful. So threads are started
up to ``most`` as requests wait, and a thread beyond the first ``keep`` that sat idle for
``idle`` seconds exits and closes its database connections (Django keeps one per thread),
so a burst does not leave hundreds of idle connections to MariaDB behind.

Of those threads, only ``running`` take requests from the queue: they hold its slots. All of
a process's Python runs under one GIL, and when 32 requests ran in 32 threads at once each
one's work was cut into slices among all the others', so each took as long as the slowest:
the accounts list's p99 was twice its p50 (bench/panel.py). With two slots, requests are
answered in the order they came, one thread runs while the other waits for MariaDB, and a
thread that finishes takes the next request without sleeping. A request that is about to
wait for something slow that is not this process's CPU (super-daemon's answer:
core/daemon.py) calls ``leave_slot``, and its slot goes to another thread, so a burst of such
calls runs all at once as before. That thread does not queue for a slot again before its
request is done: it may hold row locks that the requests in the slots are waiting for.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

from django.db import connections


class Outcome(Protocol):
    """Where an item's result goes: a concurrent Future, or a _LoopOutcome."""

    def set_running_or_notify_cancel(self) -> bool: ...
    def set_result(self, result: Any) -> None: ...
    def set_exception(self, exception: BaseException | None) -> None: ...


Item = tuple[Outcome, Callable[..., Any], tuple[Any, ...]]
# The pool whose slot this thread holds while it runs a request, if any.
_holder = threading.local()


class ElasticPool:
    """Runs callables on threads started on demand; see the module's doc.

    ``most`` threads in all, of which ``running`` (all of them by default) hold the slots
    that run queued items. All the state is under one lock.
    """

    def __init__(
        self,
        most: int,
        keep: int,
        idle: float,
        name: str = "panel-http",
        running: int | None = None,
    ) -> None:
        self.most = most
        self.keep = min(keep, most)
        self.idle = idle
        self.name = name
        self.running = min(running or most, most)
        self._items: collections.deque[Item] = collections.deque()
        self._lock = threading.Lock()
        # Slot holders wait here for items, threads without a slot for one.
        self._ready = threading.Condition(self._lock)
        self._granted = threading.Condition(self._lock)
        self._threads = 0
        self._slots = 0  # held: by threads running an item or waiting for one
        self._waiting = 0  # slot holders waiting for an item
        self._signals = 0  # of those, woken for one and not yet up
        self._parked = 0  # threads waiting for a slot
        self._grants = 0  # slots handed to parked threads, not yet taken
        self._made = 0

    @property
    def threads(self) -> int:
        """Threads alive now."""
        return self._threads

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._put((future, fn, args))
        return future

    def run_for(
        self, loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], *args: Any
    ) -> asyncio.Future[Any]:
        """``submit`` for a coroutine on ``loop``: the result comes back as that loop's
        future, in one call_soon_threadsafe, without the concurrent Future (and its
        Condition) that asyncio.wrap_future would chain to it on every request
        (docs/panel.md, "Serving", has the measurements)."""
        waiter = loop.create_future()
        self._put((_LoopOutcome(loop, waiter), fn, args))
        return waiter

    def shutdown(self) -> None:
        """Let every thread exit once the queue is empty: none kept, none left idling.

        The panel never calls it (its threads end with its process); the tests do, so that
        no thread of a pool outlives the test that made it.
        """
        with self._lock:
            self.keep, self.idle = 0, 0.01
            # Each waiter woken here counts itself as signalled, so this wake-up is not
            # taken for one that an item sent (which would leave that item waiting).
            self._signals = self._waiting
            self._ready.notify_all()
            self._granted.notify_all()

    def _put(self, item: Item) -> None:
        with self._lock:
            self._items.append(item)
            if self._waiting > self._signals:
                self._signals += 1
                self._ready.notify()
            else:
                self._assign()

    def _assign(self) -> None:
        """(Lock held.) A queued item wants a thread: give a free slot to a parked thread,
        else to a new one. With no slot free, the next holder that finishes takes it."""
        if self._slots >= self.running:
            return
        if self._parked > self._grants:
            self._grants += 1
            self._granted.notify()
        elif self._threads < self.most:
            self._threads += 1
            self._made += 1
            thread = threading.Thread(
                target=self._work, name=f"{self.name}_{self._made}", daemon=True
            )
            thread.start()
        else:
            return
        self._slots += 1

    def _free_slot(self) -> None:
        """(Lock held.) A slot was given up: to another thread if items wait for one."""
        self._slots -= 1
        if len(self._items) > self._signals:
            self._assign()

    def _work(self) -> None:
        try:
            # Started with a slot.
            while (item := self._next()) is not None:
                # An item that left its slot: this thread needs one back, or exits.
                if not self._run(item) and not self._regain():
                    return
        finally:
            # This thread's database connections, which no other thread can close.
            connections.close_all()

    def _next(self) -> Item | None:
        """(Holding a slot.) The next queued item; None once this thread should exit."""
        with self._lock:
            while not self._items:
                self._waiting += 1
                woken = self._ready.wait(self.idle)
                self._waiting -= 1
                if woken:
                    self._signals -= 1
                elif not self._items and self._threads > self.keep:
                    self._threads -= 1
                    self._free_slot()
                    return None
            return self._items.popleft()

    def _run(self, item: Item) -> bool:
        """Run one item; whether this thread still holds its slot after it."""
        future, fn, args = item
        if not future.set_running_or_notify_cancel():
            return True
        _holder.pool = self
        try:
            future.set_result(fn(*args))
        except BaseException as err:
            future.set_exception(err)
        finally:
            kept = getattr(_holder, "pool", None) is self
            _holder.pool = None
        return kept

    def _regain(self) -> bool:
        """(Without a slot.) Take a free slot, or wait to be handed one; False: exit."""
        with self._lock:
            if self._slots < self.running:
                self._slots += 1
                return True
            self._parked += 1
            try:
                while not self._grants:
                    timed_out = not self._granted.wait(self.idle)
                    if timed_out and not self._grants and self._threads > self.keep:
                        self._threads -= 1
                        return False
                self._grants -= 1
                return True
            finally:
                self._parked -= 1

    def _leave(self) -> None:
        """The calling thread gives its slot up (leave_slot)."""
        with self._lock:
            self._free_slot()


class _LoopOutcome:
    """An item's result for a future of an event loop (ElasticPool.run_for)."""

    __slots__ = ("loop", "waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[Any]) -> None:
        self.loop = loop
        self.waiter = waiter

    def set_running_or_notify_cancel(self) -> bool:
        # Only reads the future's state (a cancelled waiter stays cancelled).
        return not self.waiter.cancelled()

    def set_result(self, result: Any) -> None:
        self._deliver(result, None)

    def set_exception(self, exception: BaseException | None) -> None:
        self._deliver(None, exception)

    def _deliver(self, result: Any, exception: BaseException | None) -> None:
        # A closed loop (the server stopped) raises RuntimeError: nobody waits any more.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(_settle, self.waiter, result, exception)


def _settle(waiter: asyncio.Future[Any], result: Any, exception: BaseException | None) -> None:
    """(On the loop.) Unless its awaiting task was cancelled meanwhile."""
    if waiter.done():
        return
    if exception is not None:
        waiter.set_exception(exception)
    else:
        waiter.set_result(result)


def leave_slot() -> None:
    """Give up the calling thread's slot (see the module's doc) until its item is done.

    Outside a pool's item (super-cli, the worker, the tests) there is none: nothing happens.
    """
    pool: ElasticPool | None = getattr(_holder, "pool", None)
    if pool is not None:
        _holder.pool = None
        pool._leave()
