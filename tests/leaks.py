"""A pytest plugin that fails the test that leaves a thread or a child process behind it.

A thread a test starts and does not join lives on into the tests after it. There it does
what it was started for: it leaves a database transaction while the next test sets up, say,
and Django refuses it; with ``filterwarnings = error`` that is an error of the next test,
which did nothing wrong. Reported at the teardown of the test that started the thread, the
leak points at its source instead.

Threads alive before a test's setup are not its own, and neither are those started by the
setup of a fixture broader than a function (a session's server, say): they are meant to
outlive the test. A thread the test let go of gets ``GRACE`` seconds to finish after the
teardown, as a thread told to stop at the end of the test may still be on its way out.

Child processes of the test run are watched the same way: one the test started and neither
waited for nor reaped (a zombie counts) would be found by the garbage collector in a later
test, whose ``ResourceWarning`` (an error here) then names the wrong test.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Generator, Iterator
from concurrent.futures import thread as futures_thread
from typing import Any

import pytest

GRACE = 2.0


def describe(thread: threading.Thread) -> str:
    """The thread's name and what it runs: a target, or its class's ``run``."""
    # Thread keeps its target private; it is the one clue to where the thread came from.
    target = getattr(thread, "_target", None) or type(thread).run
    where = f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', target)}"
    return f"{thread.name!r} ({'daemon, ' if thread.daemon else ''}running {where})"


def alive() -> set[threading.Thread]:
    # A _DummyThread stands for a thread started outside the threading module, on which
    # threading.current_thread() was called: it stays listed after that thread ends, so
    # whether it is alive cannot be known, and no test can join it.
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)}


def idle_worker(thread: threading.Thread) -> bool:
    """A worker of a concurrent.futures executor with no work queued.

    It ends once its executor is shut down or collected. asgiref's async_to_sync (which
    Django's handler calls for middleware that is async only) makes an executor per call and
    drops it without a shutdown; when the request raised, the exception's traceback holds it
    until pytest's logging plugin drops the records of the test, after its teardown."""
    # The worker's arguments: a weak reference to its executor, then its work queue.
    args: tuple[Any, ...] = getattr(thread, "_args", ())
    return getattr(thread, "_target", None) is futures_thread._worker and args[1].empty()


def children() -> set[tuple[int, str]]:
    """This process's child processes, as (pid, command name); zombies included."""
    found: set[tuple[int, str]] = set()
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue  # ended meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == me:
            found.add((int(entry.name), name))
    return found


class ThreadGuard:
    """The plugin's state: the threads alive before the current test, those owned by
    fixtures broader than a function, and those the current test left running."""

    def __init__(self) -> None:
        self.before: set[threading.Thread] = set()
        self.owned: set[threading.Thread] = set()
        self.idle: list[threading.Thread] = []
        self.leaked: list[threading.Thread] = []
        # The same for child processes.
        self.children_before: set[tuple[int, str]] = set()
        self.owned_children: set[tuple[int, str]] = set()
        self.leaked_children: set[tuple[int, str]] = set()

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, object, object]:
        if fixturedef.scope == "function":
            return (yield)
        started, started_children = alive(), children()
        try:
            return (yield)
        finally:
            self.owned |= alive() - started
            self.owned_children |= children() - started_children

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        self.before = alive()
        self.idle, self.leaked = [], []
        self.children_before, self.leaked_children = children(), set()
        return (yield)

    def wait(self) -> None:
        """Give the threads the test started ``GRACE`` seconds to end; note those that do
        not. Idle executor workers are left for ``wait_for_idle``."""
        self.owned = {t for t in self.owned if t.is_alive()}
        # One still starting is listed already, but cannot be joined yet.
        started = [t for t in alive() - self.before - self.owned if t.is_alive()]
        deadline = time.monotonic() + GRACE
        for thread in started:
            if idle_worker(thread):
                self.idle.append(thread)
                continue
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                self.leaked.append(thread)
        now = children()
        self.owned_children &= now
        self.leaked_children = now - self.children_before - self.owned_children
        while self.leaked_children and time.monotonic() < deadline:
            time.sleep(0.05)  # one killed and waited for elsewhere may still be reaped
            self.leaked_children &= children()

    def wait_for_idle(self) -> None:
        """Collect the executors nothing refers to any more, so their idle workers end."""
        if not self.idle:
            return
        gc.collect()
        deadline = time.monotonic() + GRACE
        for thread in self.idle:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                self.leaked.append(thread)

    @pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_runtest_teardown")
    def pytest_fail_a_leak(self, item: pytest.Item) -> Generator[None, None, None]:
        # Raised from the outermost wrapper, after every other teardown hook ran: an error
        # from an inner hook would skip threadexception's collection. (pytest reads only
        # methods named pytest_*, hence the name.)
        try:
            result = yield
        except BaseException as err:
            self.wait_for_idle()
            if self.leaked or self.leaked_children:
                err.add_note(self.report(item))
            raise
        self.wait_for_idle()
        if self.leaked or self.leaked_children:
            pytest.fail(self.report(item), pytrace=False)
        return result

    def report(self, item: pytest.Item) -> str:
        lines = []
        if self.leaked:
            names = "\n".join(f"  {describe(t)}" for t in sorted(self.leaked, key=lambda t: t.name))
            lines.append(
                f"{item.nodeid} left {len(self.leaked)} thread(s) running {GRACE} s after its "
                f"teardown (join every thread a test starts):\n{names}"
            )
        if self.leaked_children:
            names = "\n".join(f"  pid {pid} ({name})" for pid, name in sorted(self.leaked_children))
            lines.append(
                f"{item.nodeid} left {len(self.leaked_children)} child process(es) unreaped "
                f"{GRACE} s after its teardown (wait for every process a test starts):\n{names}"
            )
        return "\n".join(lines)


GUARD = pytest.StashKey[ThreadGuard]()


@pytest.fixture(autouse=True)
def _threads_end_with_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    # An autouse fixture of a plugin is set up before the test's own fixtures, so this runs
    # after their teardown (which stops the threads they started), and before pytest's
    # threadexception plugin collects what threads raised in the teardown: what a late
    # thread raises while it is waited for here is reported as this test's, not the next's.
    yield
    request.config.stash[GUARD].wait()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[GUARD] = ThreadGuard()
    config.pluginmanager.register(config.stash[GUARD], "supercp-thread-guard")
