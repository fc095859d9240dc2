"""super-daemon setup against the installed system: a second run changes nothing, and a
configuration the real nginx refuses is put back (tests/daemon/test_setup_*.py have the rest)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HTTP_CONF = Path("/etc/nginx/supercp/http.conf")
BROKEN = Path("/etc/nginx/conf.d/zz-supercp-test-broken.conf")
TEMPLATE = REPO / "src/supercp/daemon/setup/templates/http.conf"


def os_environment() -> dict[str, str]:
    """What install.sh hands setup: deploy/os.sh's exports."""
    done = subprocess.run(
        ["bash", "-c", '. "$1" && os_detect && env -0', "_", str(REPO / "deploy/os.sh")],
        capture_output=True,
        check=True,
    )
    pairs = (item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    return {key: value for key, value in pairs if key.startswith("OS_") or key == "PATH"}


def setup() -> subprocess.CompletedProcess[str]:
    tls = Path("/etc/supercp/panel/tls")
    return subprocess.run(
        [
            *(sys.executable, "-m", "supercp.daemon.main", "setup"),
            *("--panel-certificate", str(tls / "panel.crt"), "--panel-key", str(tls / "panel.key")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=os_environment(),
        check=False,
    )


@pytest.fixture
def edited_http_conf() -> Iterator[bytes]:
    """http.conf as an admin edited it by hand, and a broken file of theirs beside ours."""
    edited = TEMPLATE.read_bytes() + b"# edited by hand\n"
    HTTP_CONF.write_bytes(edited)
    BROKEN.write_text("this is not an nginx directive;\n")
    try:
        yield edited
    finally:
        BROKEN.unlink(missing_ok=True)
        assert setup().returncode == 0
        assert HTTP_CONF.read_bytes() == TEMPLATE.read_bytes()


def test_a_second_run_changes_nothing_and_reloads_nothing():
    first = setup()
    assert first.returncode == 0, first.stderr
    again = setup()
    assert again.returncode == 0, again.stderr
    assert "nginx and PHP-FPM settings unchanged" in again.stdout
    for word in ("wrote", "removed", "reloaded", "restarted", "started", "generated"):
        assert f"    {word} " not in again.stdout, again.stdout


def test_a_configuration_nginx_refuses_is_put_back_and_nginx_keeps_serving(edited_http_conf):
    done = setup()
    assert done.returncode == 1
    assert "nginx and PHP-FPM refused the new configuration" in done.stderr
    assert "previous one was put back" in done.stderr
    assert HTTP_CONF.read_bytes() == edited_http_conf
    nginx = subprocess.run(["service", "nginx", "status"], capture_output=True, check=False)
    assert nginx.returncode == 0
