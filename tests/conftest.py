"""Fixtures shared by every test folder: a throw-away system root and a daemon on it."""

from __future__ import annotations

import os
import shutil
import signal
import socket as s
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# The test daemons' socket lives in a directory other users can traverse, so tests can
# connect as unprivileged uids and meet the daemon's own checks.
SOCKET_GROUP = "nogroup"
PANEL_USER = "daemon"  # stands in for the panel's service user in isolated daemons
UID_MIN, UID_MAX = 20000, 20099

# tests/leaks.py fails a test that leaves a thread running; pytester tests that plugin.
pytest_plugins = ["pytester", "tests.leaks"]


def make_root(base: Path) -> Path:
    """A minimal system root: user and group databases as useradd expects them."""
    root = base / "root"
    (root / "etc").mkdir(parents=True)
    (root / "home").mkdir()
    (root / "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\n"
        "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
        "carol:x:1000:1000:Carol:/home/carol:/bin/bash\n"
        "mallory:x:20050:900::/home/mallory:/bin/sh\n"
    )
    (root / "etc/group").write_text(
        "root:x:0:\nwww-data:x:33:\ncarol:x:1000:\nsupercp-users:x:900:\n"
    )
    (root / "etc/shadow").write_text("root:*:19000:0:99999:7:::\n")
    (root / "etc/gshadow").write_text("root:*::\nsupercp-users:!::\n")
    (root / "etc/os-release").write_text('ID=testos\nVERSION_ID="1"\nPRETTY_NAME="Test OS 1"\n')
    return root


@dataclass
class TestDaemon:
    """A super-daemon process on a private socket, configured for a temporary root."""

    base: Path
    root: Path
    socket: Path
    audit: Path
    config: Path
    proc: subprocess.Popen[bytes]

    def audit_lines(self) -> list[str]:
        return self.audit.read_text().splitlines() if self.audit.exists() else []


def write_config(base: Path, root: Path, **extra: object) -> Path:
    settings: dict[str, object] = {
        "socket": str(base / "d.sock"),
        "socket_group": SOCKET_GROUP,
        "panel_user": PANEL_USER,
        "audit_dir": str(base / "log"),
        "state_dir": "/var/lib/supercp",
        "uid_min": UID_MIN,
        "uid_max": UID_MAX,
        "root": str(root),
        "line_timeout": 2.0,
        **extra,
    }
    lines = []
    for key, value in settings.items():
        lines.append(f"{key} = {value!r}".replace("'", '"'))
    config = base / "daemon.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


def wait_for_socket(path: Path, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"daemon exited with {proc.returncode}")
        try:
            with s.socket(s.AF_UNIX, s.SOCK_STREAM) as probe:
                probe.connect(str(path))
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"no daemon on {path}")


@pytest.fixture
def world_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="supercp-test-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def test_daemon(world_dir: Path) -> Iterator[TestDaemon]:
    if os.geteuid() != 0:
        pytest.skip("the daemon runs as root")
    root = make_root(world_dir)
    config = write_config(world_dir, root)
    log = (world_dir / "daemon.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "supercp.daemon.main", "--config", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_socket(world_dir / "d.sock", proc)
        yield TestDaemon(
            world_dir, root, world_dir / "d.sock", world_dir / "log/audit.jsonl", config, proc
        )
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
