"""Production settings: base.py plus what /etc/supercp/panel.toml says.

The file's path comes from $SUPERCP_PANEL_CONFIG (default /etc/supercp/panel.toml). The
secret key and the database login are files of their own, readable by root and the panel's
user only; this module holds neither.
"""

from __future__ import annotations

import socket
from pathlib import Path

from supercp.web.config.base import *  # noqa: F403  (Django reads settings as module globals)
from supercp.web.config.base import frontend_version, mariadb, vite
from supercp.web.config.panel import django_settings, load_config, read_secret_key

PANEL = load_config()

DEBUG = PANEL.debug
SECRET_KEY = read_secret_key(PANEL.secret_key_file)
# The configured names, plus the names this machine gives itself: the installer prints the
# panel's URL with the host name, and the self-signed certificate is made for that name.
ALLOWED_HOSTS = list(dict.fromkeys([*PANEL.allowed_hosts, socket.gethostname(), socket.getfqdn()]))
# The panel's own pages, as browsers name their origin: only they may open its WebSocket.
SUPERCP_PANEL_ORIGINS = [f"https://{host}:{PANEL.port}" for host in ALLOWED_HOSTS]
DATABASES = {
    "default": mariadb(PANEL.database_name, {"read_default_file": str(PANEL.database_option_file)})
}
SUPERCP_DAEMON_SOCKET = PANEL.daemon_socket
DEFAULT_FROM_EMAIL = f"GetSuperCP <noreply@{socket.getfqdn()}>"
SUPERCP_DAEMON_TIMEOUT = PANEL.daemon_timeout
SUPERCP_PANEL_THREADS = PANEL.threads
SUPERCP_PANEL_RUNNING = PANEL.running
# The modules' own settings (each module's config.py), from their keys in the file.
globals().update(django_settings(PANEL))

# collectstatic copies the built frontend (and Django's own files) to STATIC_ROOT, which the
# panel serves under /static/.
STATIC_ROOT = PANEL.static_root
STATICFILES_DIRS: list[Path] = [PANEL.frontend_dir]
DJANGO_VITE = vite(PANEL.frontend_dir)
INERTIA_VERSION = frontend_version(PANEL.frontend_dir)
