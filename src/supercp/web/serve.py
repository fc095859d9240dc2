"""super-panel: the panel's HTTPS server (uvicorn on the ASGI app), as panel.toml says.

Run as the unprivileged user supercp by supercp-panel.service or /etc/init.d/supercp-panel.
It terminates TLS itself and serves the static files too, so the panel needs no web server
in front of it and stays reachable when the hosting nginx is stopped or broken.
"""

from __future__ import annotations

import os
import sys

import uvicorn

from supercp.web.config.panel import load_config

SETTINGS = "supercp.web.config.settings"


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    config = load_config()
    for path in (config.tls_certificate, config.tls_key):
        if not os.access(path, os.R_OK):
            sys.exit(f"super-panel: cannot read {path} (see tls_* in panel.toml)")
    uvicorn.run(
        "supercp.web.config.asgi:application",
        host=config.listen_address,
        port=config.port,
        ssl_certfile=str(config.tls_certificate),
        ssl_keyfile=str(config.tls_key),
        # Nothing sits in front of the panel: the peer address is the client's.
        proxy_headers=False,
        server_header=False,
        # Django has no lifespan events; asking would only log that it does not.
        lifespan="off",
        # The dashboard's WebSocket; wsproto is pure Python and pinned in runtime.txt.
        ws="wsproto",
        timeout_graceful_shutdown=30,
        log_level="info",
    )


if __name__ == "__main__":
    main()
