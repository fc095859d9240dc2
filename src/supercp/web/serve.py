"""super-panel: the panel's HTTPS server (uvicorn on the ASGI app), as panel.toml says.

Run as the unprivileged user supercp by supercp-panel.service or /etc/init.d/supercp-panel.
It terminates TLS itself and serves the static files too, so the panel needs no web server
in front of it and stays reachable when the hosting nginx is stopped or broken.

``workers`` in panel.toml sets the worker processes: Python runs one thread at a time per
process, and the panel's requests are CPU work (Django, the ORM, JSON) between short
database calls, so one process uses one core at most.
"""

from __future__ import annotations

import os
import socket
import ssl
import sys
import time
import urllib.request
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from supercp.web.config.panel import CoreConfig, load_config
from supercp.web.runtime.transport import PanelHttpProtocol

SETTINGS = "supercp.web.config.settings"
APP = "supercp.web.config.asgi:application"


def options(workers: int = 1) -> dict[str, Any]:
    """uvicorn's settings for the panel, TLS and address aside (bench/panel.py uses them)."""
    return {
        # Nothing sits in front of the panel: the peer address is the client's.
        "proxy_headers": False,
        "server_header": False,
        # Django has no lifespan events; asking would only log that it does not.
        "lifespan": "off",
        # The dashboard's WebSocket; wsproto is pure Python and pinned in runtime.txt.
        "ws": "wsproto",
        # HTTP/1.1 parsed by httptools (C, llhttp) rather than h11 (pure Python, a large
        # share of each request). Its protocol sends each answer in one write
        # (runtime/transport.py).
        "http": PanelHttpProtocol,
        # uvloop's event loop (libuv, Cython) in place of asyncio's own: less CPU per
        # request (docs/panel.md, "Serving", has the figures).
        "loop": "uvloop",
        # A log line per request costs a sizeable share of an API request; errors still go
        # to the log (uvicorn's error log and Django's).
        "access_log": False,
        "timeout_graceful_shutdown": 30,
        "log_level": "info",
        "workers": workers,
    }


def serve(config: uvicorn.Config) -> None:
    """Run uvicorn; with several workers, on one listening socket they share."""
    if config.workers <= 1:
        uvicorn.Server(config).run()
        return
    # uvicorn makes the shared socket with protocol 0, and asyncio then leaves Nagle's
    # algorithm on for every connection (it sets TCP_NODELAY only for IPPROTO_TCP sockets):
    # an answer sent in two writes waited 40 ms for the client's delayed ACK.
    plain = config.bind_socket()
    sock = socket.socket(plain.family, plain.type, socket.IPPROTO_TCP, fileno=plain.detach())
    Multiprocess(config, sockets=[sock]).run()


def probe_url(config: CoreConfig) -> str:
    """The login page at the address the panel listens on (the loopback for "any")."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(  # noqa: S104 (a listening address)
        config.listen_address, config.listen_address
    )
    return f"https://{f'[{host}]' if ':' in host else host}:{config.port}/login"


def answers(url: str, timeout: float) -> bool:
    """True once ``url`` answers 200 within ``timeout`` seconds (tried every half second)."""
    # The certificate may be self-signed: this checks that the panel answers, not who it is.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, context=context, timeout=5) as response:  # noqa: S310 (our own https URL)
                if response.status == 200:
                    return True
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    config = load_config()
    if sys.argv[1:2] == ["wait"]:
        # `super-panel wait SECONDS`: the installer's check that the started panel answers.
        url = probe_url(config)
        seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
        if not answers(url, seconds):
            sys.exit(f"super-panel: {url} did not answer within {seconds:g} s")
        print(f"{url} answers")
        return
    for path in (config.tls_certificate, config.tls_key):
        if not os.access(path, os.R_OK):
            sys.exit(f"super-panel: cannot read {path} (see tls_* in panel.toml)")
    serve(
        uvicorn.Config(
            APP,
            host=config.listen_address,
            port=config.port,
            ssl_certfile=str(config.tls_certificate),
            ssl_keyfile=str(config.tls_key),
            **options(config.workers),
        )
    )


if __name__ == "__main__":
    main()
