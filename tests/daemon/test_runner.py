import asyncio
import subprocess

import pytest

from supercp.daemon.system.runner import SystemRunner
from supercp.protocol.errors import SystemFailure, Timeout


def test_it_runs_argv_without_a_shell():
    done = asyncio.run(SystemRunner().run(["echo", "$(id)", ";", "|"]))
    assert done.stdout == "$(id) ; |\n"


def test_programs_get_a_fixed_environment(monkeypatch):
    monkeypatch.setenv("LD_PRELOAD", "/tmp/evil.so")
    done = asyncio.run(SystemRunner().run(["env"]))
    assert "LD_PRELOAD" not in done.stdout
    assert "PATH=/usr/sbin:/usr/bin:/sbin:/bin" in done.stdout


def test_a_failure_carries_the_programs_message():
    with pytest.raises(SystemFailure, match="No such file"):
        asyncio.run(SystemRunner().run(["ls", "/nonexistent-path"]))


def test_a_timeout_kills_the_whole_process_group():
    with pytest.raises(Timeout):
        asyncio.run(SystemRunner().run(["sh", "-c", "sleep 31.7 & sleep 31.7"], timeout=0.3))
    left = subprocess.run(["pgrep", "-f", "sleep 31.7"], capture_output=True, check=False)
    assert left.stdout == b""


def test_it_refuses_nul_in_argv():
    with pytest.raises(ValueError, match="NUL"):
        asyncio.run(SystemRunner().run(["echo", "a\0b"]))
