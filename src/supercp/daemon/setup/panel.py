"""Setup of the panel's own secrets: its secret key and, until a real one is named, its
self-signed certificate."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
from pathlib import Path

from supercp.daemon.setup.apply import SetupFailed, Swap, Wanted
from supercp.daemon.setup.machine import Machine
from supercp.daemon.setup.mariadb import PANEL_USER


def _converge_dir(path: Path, mode: int, uid: int, gid: int, file_mode: int) -> None:
    """The directory and every file in it with these owners and modes, whoever made them."""
    path.mkdir(parents=True, exist_ok=True)
    for entry in [path, *(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())]:
        want = mode if entry == path else file_mode
        st = entry.lstat()
        if (st.st_uid, st.st_gid) != (uid, gid):
            os.chown(entry, uid, gid)
        if st.st_mode & 0o7777 != want:
            entry.chmod(want)


def our_directories(m: Machine) -> None:
    """Secrets are root's alone; the panel's own files (its key, its logins, its certificate)
    root writes and the panel's user reads; the panel's home is its own."""
    m.step("Directories")
    panel_uid, panel_gid = m.ids.user(PANEL_USER), m.ids.group(PANEL_USER)
    _converge_dir(m.secrets, 0o700, 0, 0, 0o600)
    _converge_dir(m.panel_etc, 0o750, 0, panel_gid, 0o640)
    home = m.state_dir / "panel"
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, panel_uid, panel_gid)
    home.chmod(0o750)
    m.note(f"{m.secrets} root's alone; {m.panel_etc} readable by {PANEL_USER}")


async def _host_name(m: Machine) -> str:
    done = await m.runner.run(["hostname", "-f"], check=False, timeout=5)
    return done.stdout.strip() or socket.gethostname()


async def setup_panel(m: Machine, certificate: Path, key: Path) -> None:
    """The secret key (made once: a new one would end every session) and the certificate
    panel.toml names (``certificate``, ``key``: system paths)."""
    m.step("Panel secrets and certificate")
    gid = m.ids.group(PANEL_USER)
    secret_key = m.panel_etc / "secret_key"
    if not secret_key.exists() or not secret_key.stat().st_size:
        Swap([Wanted(secret_key, f"{secrets.token_hex(32)}\n".encode(), 0o640, 0, gid)]).apply()
        m.note(f"generated the panel's secret key in {secret_key}")
    cert, tls_key = m.path(certificate), m.path(key)
    tls_dir = m.panel_etc / "tls"
    if _present(cert) and _present(tls_key):
        m.note(f"using {certificate}")
    elif cert.parent == tls_dir and tls_key.parent == tls_dir:
        # Made once, for this machine's name and its loopback addresses, until a real one is
        # configured in panel.toml.
        tls_dir.mkdir(mode=0o750, exist_ok=True)
        shutil.chown(tls_dir, 0, gid)
        tls_dir.chmod(0o750)
        host = await _host_name(m)
        with tempfile.TemporaryDirectory(dir=tls_dir, prefix=".new.") as new:
            made_key, made_cert = Path(new, "key"), Path(new, "crt")
            await m.runner.run(
                [
                    *("openssl", "req", "-x509", "-newkey", "ec"),
                    *("-pkeyopt", "ec_paramgen_curve:P-256", "-sha256", "-days", "3650"),
                    *("-nodes", "-subj", f"/CN={host}"),
                    *("-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1,IP:::1"),
                    *("-keyout", str(made_key), "-out", str(made_cert)),
                ]
            )
            for made, path in ((made_key, tls_key), (made_cert, cert)):
                shutil.chown(made, 0, gid)
                made.chmod(0o640)
                made.replace(path)
        m.note(f"made a self-signed certificate for {host}, 127.0.0.1 and ::1")
    else:
        raise SetupFailed(f"panel.toml names {certificate} and {key}; both must exist")
    for path in (certificate, key):
        readable = await m.runner.run(
            ["runuser", "-u", PANEL_USER, "--", "test", "-r", str(path)], check=False
        )
        if readable.returncode != 0:
            raise SetupFailed(f"{PANEL_USER} cannot read {path}")


def _present(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0
