"""Watching nginx's workers through /proc while they come and go."""

from __future__ import annotations

import os
from typing import Any

import pytest

from supercp.daemon.system import processes
from supercp.daemon.web import nginx


def exiting(*args: Any, **kwargs: Any) -> Any:
    # What reading /proc/PID/cmdline of a process that is exiting raises.
    raise ProcessLookupError(3, "No such process")


def test_a_worker_that_exits_while_read_counts_as_retired(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(processes, "open", exiting, raising=False)
    assert nginx._retiring(os.getpid()) is True


def test_a_master_that_exits_while_read_has_no_children(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(processes, "open", exiting, raising=False)
    assert processes.children(os.getpid()) == set()


def test_a_live_process_that_is_no_nginx_worker_counts_as_retired():
    # The pytest process: its title names no nginx worker, so it does not hold a reload up.
    assert nginx._retiring(os.getpid()) is True
