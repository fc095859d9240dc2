"""The installed panel over HTTPS: its certificate, the page shell with the built frontend,
static files and the API from the panel itself, and a real sign-in as a browser does it."""

from __future__ import annotations

import base64
import grp
import http.cookiejar
import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from supercp.web.config.panel import load_config
from tests.integration.conftest import SUPER_CLI
from tests.integration.test_panel import PANEL_ENV, VENV_PYTHON

CONFIG = load_config(Path("/etc/supercp/panel.toml"))
BASE = f"https://127.0.0.1:{CONFIG.port}"
DEFAULT_TLS = Path("/etc/supercp/panel/tls")


def tls_context() -> ssl.SSLContext:
    # The installer's self-signed certificate is its own trust anchor; a real one configured
    # instead is checked against the system's CAs. verify=False is never needed.
    if CONFIG.tls_certificate.parent == DEFAULT_TLS:
        return ssl.create_default_context(cafile=str(CONFIG.tls_certificate))
    context = ssl.create_default_context()
    context.check_hostname = False
    return context


class Browser:
    """urllib with cookies, TLS checked, and no redirects followed."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=tls_context()),
            urllib.request.HTTPCookieProcessor(self.cookies),
            NoRedirect(),
        )

    def cookie(self, name: str) -> str:
        return next(c.value or "" for c in self.cookies if c.name == name)

    def open(self, path: str, data: dict | None = None, headers: dict | None = None) -> Answer:
        request = urllib.request.Request(  # noqa: S310 (always https://127.0.0.1)
            BASE + path,
            data=json.dumps(data).encode() if data is not None else None,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (not followed) and errors alike
            response = error
        with response:
            return Answer(response.status, response.headers, response.read())


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def test_the_login_page_answers_with_the_inertia_root_and_the_built_frontend():
    browser = Browser()
    response = browser.open("/login")
    assert response.status == 200
    html = response.body.decode()
    assert '<div id="app"></div>' in html
    found = re.search(r'<script data-page="app" type="application/json">(.*?)</script>', html)
    assert found is not None
    assert json.loads(found.group(1))["component"] == "Auth/Login"
    scripts = re.findall(r'<script type="module"[^>]* src="(/static/assets/[^"]+\.js)"', html)
    styles = re.findall(r'<link[^>]* href="(/static/assets/[^"]+\.css)"', html)
    assert scripts, html
    assert styles, html
    # The files the page names are the installer's build, served by the panel itself.
    manifest = json.loads((CONFIG.frontend_dir / ".vite/manifest.json").read_text())
    assert scripts[0] == "/static/" + manifest["src/main.tsx"]["file"]
    for path in scripts + styles:
        asset = browser.open(path)
        assert asset.status == 200, path
        kind = "javascript" if path.endswith(".js") else "css"
        assert kind in asset.headers["Content-Type"]
        assert "immutable" in asset.headers["Cache-Control"]
        assert asset.body
    assert browser.cookie("XSRF-TOKEN")


def test_the_api_and_its_openapi_document_are_served_there_too():
    response = Browser().open("/api/v1/openapi.json")
    assert response.status == 200
    document = response.json()
    assert "/api/v1/accounts" in document["paths"]
    unauthenticated = Browser().open("/api/v1/accounts")
    assert unauthenticated.status == 401
    assert unauthenticated.json()["error"]["code"] == "unauthenticated"


def test_the_certificate_files_are_readable_by_root_and_supercp_only():
    for path in (CONFIG.tls_certificate, CONFIG.tls_key):
        st = os.stat(path)
        assert (st.st_uid, grp.getgrgid(st.st_gid).gr_name, st.st_mode & 0o777) == (
            0,
            "supercp",
            0o640,
        )


def main_pid(service: str) -> str:
    if Path("/run/systemd/system").is_dir():
        shown = subprocess.run(
            ["systemctl", "show", "-p", "MainPID", "--value", service],
            capture_output=True,
            text=True,
            check=True,
        )
        return shown.stdout.strip()
    return Path(f"/run/{service}.pid").read_text().strip()


@pytest.mark.parametrize("service", ["supercp-panel", "supercp-worker"])
def test_the_panel_and_its_worker_run_as_supercp(service):
    status = Path(f"/proc/{main_pid(service)}/status").read_text()
    uid = re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE)
    assert uid is not None
    assert int(uid.group(1)) == int(subprocess.check_output(["id", "-u", "supercp"]))


@pytest.fixture
def panel_admin():
    """A throw-away admin in the installed panel's database, removed afterwards."""
    name = "sct" + secrets.token_hex(4)
    made = subprocess.run(
        [SUPER_CLI, "--json", "admin", "create", name], capture_output=True, check=True
    )
    yield name, json.loads(made.stdout)["password"]
    subprocess.run(
        [
            VENV_PYTHON,
            "-c",
            "import django, sys; django.setup(); from supercp.web.core.models import User; "
            "User.objects.filter(username=sys.argv[1]).delete()",
            name,
        ],
        env=PANEL_ENV,
        cwd="/",
        check=True,
    )


def test_a_browser_signs_in_over_https_with_the_csrf_cookie(panel_admin):
    name, password = panel_admin
    browser = Browser()
    browser.open("/login")
    inertia = {"X-Inertia": "true", "Origin": BASE}
    # Without the token nothing happens.
    refused = browser.open("/login", {"username": name, "password": password}, inertia)
    assert refused.status == 303
    assert browser.open("/", headers=inertia).status == 303
    token = {"X-XSRF-TOKEN": browser.cookie("XSRF-TOKEN")}
    response = browser.open("/login", {"username": name, "password": password}, inertia | token)
    assert (response.status, response.headers["Location"]) == (303, "/")
    page = browser.open("/", headers=inertia).json()
    assert page["component"] == "Dashboard/Index"
    assert page["props"]["auth"]["user"]["username"] == name
    assert page["props"]["system"] is not None


def websocket_handshake(origin: str | None, session: str | None = None) -> int:
    """The HTTP status with which the installed panel answers a WebSocket upgrade of
    /ws/dashboard (101: accepted)."""
    lines = [
        "GET /ws/dashboard HTTP/1.1",
        f"Host: 127.0.0.1:{CONFIG.port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(secrets.token_bytes(16)).decode()}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    if session is not None:
        lines.append(f"Cookie: supercp_session={session}")
    with (
        socket.create_connection(("127.0.0.1", CONFIG.port), timeout=10) as raw,
        tls_context().wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = tls.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


def test_the_dashboard_socket_needs_a_session_and_the_panels_own_origin(panel_admin):
    name, password = panel_admin
    browser = Browser()
    browser.open("/login")
    headers = {"X-Inertia": "true", "Origin": BASE, "X-XSRF-TOKEN": browser.cookie("XSRF-TOKEN")}
    signed_in = browser.open("/login", {"username": name, "password": password}, headers)
    assert signed_in.status == 303
    session = browser.cookie("supercp_session")
    assert websocket_handshake(BASE, session) == 101
    assert websocket_handshake(BASE) == 403
    assert websocket_handshake(None, session) == 403
    assert websocket_handshake("https://evil.example", session) == 403
    # Another port of the same host (a hosted site) is another origin.
    assert websocket_handshake("http://127.0.0.1", session) == 403
