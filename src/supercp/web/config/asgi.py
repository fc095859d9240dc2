"""ASGI entry point: ``uvicorn supercp.web.config.asgi:application``.

HTTP goes to Django, each request handled whole in a pool thread (runtime/http.py);
WebSockets to Django Channels, which only serves the modules' routes (modules.py:
/ws/dashboard, core/live.py; /ws/jobs/<id>, jobs/live.py) and refuses any other origin than
the panel's own and any connection without a signed-in session.
"""

from __future__ import annotations

import gc
import os
from importlib import import_module
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supercp.web.config.settings")

# First: the imports below need Django set up.
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path  # noqa: E402

from supercp.web.modules import MODULES, load  # noqa: E402
from supercp.web.runtime.http import PanelHandler  # noqa: E402


def _consumer(dotted: str) -> Any:
    """A channels consumer's ASGI app (channels ships no types)."""
    consumer: Any = load(dotted, type)
    return consumer.as_asgi()


sockets = URLRouter([path(s.path, _consumer(s.consumer)) for m in MODULES for s in m.sockets])

application = ProtocolTypeRouter(
    {
        "http": PanelHandler(),
        "websocket": OriginValidator(
            AuthMiddlewareStack(sockets),
            settings.SUPERCP_PANEL_ORIGINS,
        ),
    }
)

# What is loaded by now (Django, the apps, every view and API schema) lives as long as the
# process, so Python's full collections need not walk it again: every request in flight
# waits through such a pause (docs/panel.md has its length). The URLconf is loaded here for
# that, not on the first request.
import_module(settings.ROOT_URLCONF)
gc.freeze()
