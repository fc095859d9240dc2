"""daemon/memory.py: memory is handed back when the daemon is idle after work, only then."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from supercp.daemon.memory import IdleTrimmer


def run_for(trimmer: IdleTrimmer, seconds: float) -> None:
    async def go() -> None:
        task = asyncio.create_task(trimmer.run())
        await asyncio.sleep(seconds)
        task.cancel()

    asyncio.run(go())


def test_it_releases_once_after_work_when_nothing_is_in_flight():
    released: list[int] = []
    trimmer = IdleTrimmer(lambda: False, interval=0.01, release_memory=lambda: released.append(1))
    trimmer.note_work()
    run_for(trimmer, 0.1)
    assert released == [1]


def test_it_waits_while_calls_are_in_flight():
    released: list[int] = []
    busy = [True]
    trimmer = IdleTrimmer(lambda: busy[0], interval=0.01, release_memory=lambda: released.append(1))
    trimmer.note_work()
    run_for(trimmer, 0.05)
    assert released == []
    busy[0] = False
    run_for(trimmer, 0.05)
    assert released == [1]


def test_an_idle_daemon_without_work_releases_nothing():
    released: list[int] = []
    trimmer = IdleTrimmer(lambda: False, interval=0.01, release_memory=lambda: released.append(1))
    run_for(trimmer, 0.05)
    assert released == []


# In a process of its own: how much of a freed heap can go back depends on what else the
# process holds (a long test run's leftovers pin pages between the freed objects).
RELEASE = """
from supercp.daemon import memory


def rss_mb():
    with open("/proc/self/status") as fh:
        return int(fh.read().split("VmRSS:")[1].split()[0]) / 1024


# Many small objects and a few large ones, as 9,000 rendered sites leave behind.
kept = [("x" * 3000 + str(i)) for i in range(27_000)]
kept += [str(i) * 40 for i in range(200_000)]
del kept
before = rss_mb()
memory.release()
print(before - rss_mb())
"""


def test_release_hands_freed_heap_back_to_the_system():
    done = subprocess.run(
        [sys.executable, "-c", RELEASE], capture_output=True, text=True, check=True, timeout=60
    )
    assert float(done.stdout) > 5
