"""Production settings: base.py plus what /etc/supercp/panel.toml says.

The file's path comes from $SUPERCP_PANEL_CONFIG (default /etc/supercp/panel.toml). The
secret key and the database login are files of their own, readable by root and the panel's
user only; this module holds neither.
"""

from __future__ import annotations

from supercp.web.config.base import *  # noqa: F403  (Django reads settings as module globals)
from supercp.web.config.base import mariadb
from supercp.web.config.panel import load_config, read_secret_key

PANEL = load_config()

DEBUG = PANEL.debug
SECRET_KEY = read_secret_key(PANEL.secret_key_file)
ALLOWED_HOSTS = list(PANEL.allowed_hosts)
DATABASES = {
    "default": mariadb(PANEL.database_name, {"read_default_file": str(PANEL.database_option_file)})
}
SUPERCP_DAEMON_SOCKET = PANEL.daemon_socket
SUPERCP_DAEMON_TIMEOUT = PANEL.daemon_timeout
