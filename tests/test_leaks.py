"""tests/leaks.py: a test that leaves a thread running fails at its own teardown."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

INNER = """
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

stop = threading.Event()


def wait_for_stop():
    stop.wait()


def fail_late():
    time.sleep(0.3)
    raise RuntimeError("too late")


@pytest.fixture(scope="session")
def server():
    thread = threading.Thread(target=wait_for_stop, name="server", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join()


def test_a_thread_of_a_session_fixture_is_not_the_tests(server):
    pass


def test_leaves_a_thread_running():
    threading.Thread(target=wait_for_stop, name="leaky", daemon=True).start()


def test_after_the_leak(server):
    pass


def test_a_thread_on_its_way_out_is_waited_for():
    threading.Thread(target=time.sleep, args=(0.3,), name="late").start()


def test_raises_late_in_a_thread():
    threading.Thread(target=fail_late, name="raising", daemon=True).start()


def test_after_the_late_raise():
    pass


kept = []


def test_an_executor_dropped_in_a_cycle_is_collected():
    executor = ThreadPoolExecutor(1)
    executor.submit(int).result()
    cycle = [executor]
    cycle.append(cycle)


def test_keeps_an_executor_it_did_not_shut_down():
    kept.append(ThreadPoolExecutor(1, thread_name_prefix="kept"))
    kept[0].submit(int).result()


@pytest.fixture(scope="module")
def helper_process():
    proc = subprocess.Popen(["sleep", "30"])
    yield
    proc.kill()
    proc.wait()


def test_a_process_of_a_module_fixture_is_not_the_tests(helper_process):
    pass


def test_leaves_a_process_running():
    kept.append(subprocess.Popen(["sleep", "30"]))


def test_leaves_a_killed_process_unreaped():
    proc = subprocess.Popen(["sleep", "31"])
    kept.append(proc)
    proc.kill()


def test_a_process_waited_for_is_fine():
    subprocess.run(["true"], check=True)
    proc = subprocess.Popen(["sleep", "30"])
    proc.kill()
    proc.wait()


def test_zz_clean_up():
    for proc in kept[1:]:
        proc.kill()
        proc.wait()
"""


def test_the_test_that_leaks_a_thread_or_a_process_errors_at_its_teardown_and_its_neighbours_pass(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A process of its own: the leaked thread must not outlive the inner run into this test.
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess(
        "-p", "tests.leaks", "-p", "no:django", "-p", "no:cacheprovider", "-v",
        "-W", "error::pytest.PytestUnhandledThreadExceptionWarning",
        timeout=60,
    )  # fmt: skip
    result.assert_outcomes(passed=13, errors=5)
    result.stdout.fnmatch_lines(
        [
            "*::test_leaves_a_thread_running ERROR*",
            "*::test_after_the_leak PASSED*",
            "*::test_raises_late_in_a_thread ERROR*",
            "*::test_after_the_late_raise PASSED*",
            "*::test_an_executor_dropped_in_a_cycle_is_collected PASSED*",
            "*::test_keeps_an_executor_it_did_not_shut_down ERROR*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_a_thread_running*",
            "*test_inner.py::test_leaves_a_thread_running left 1 thread(s) running 2.0 s after*",
            "*'leaky' (daemon, running test_inner.wait_for_stop)",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_raises_late_in_a_thread*", "*RuntimeError: too late*"]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_keeps_an_executor_it_did_not_shut_down*",
            "*'kept_0' (running concurrent.futures.thread._worker)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_a_process_running*",
            "*test_leaves_a_process_running left 1 child process(es) unreaped*",
            "*  pid * (sleep)",
            "*ERROR at teardown of test_leaves_a_killed_process_unreaped*",
            "*test_leaves_a_killed_process_unreaped left 1 child process(es)*",
        ]
    )
    assert "test_a_process_waited_for_is_fine PASSED" in result.stdout.str()
    assert "test_a_process_of_a_module_fixture_is_not_the_tests PASSED" in result.stdout.str()
    assert "'server'" not in result.stdout.str()
    assert "'late'" not in result.stdout.str()
