"""ASGI entry point: ``uvicorn supercp.web.config.asgi:application``.

HTTP goes to Django; WebSockets to Django Channels, which only serves /ws/dashboard
(core/live.py) and /ws/jobs/<id> (jobs/live.py) and refuses any other origin than the
panel's own and any connection without a signed-in session.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supercp.web.config.settings")

# First: it sets Django up, which the imports below need.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path  # noqa: E402

from supercp.web.core.live import DashboardConsumer  # noqa: E402
from supercp.web.jobs.live import JobConsumer  # noqa: E402

sockets = URLRouter(
    [
        path("ws/dashboard", DashboardConsumer.as_asgi()),
        path("ws/jobs/<uuid:job_id>", JobConsumer.as_asgi()),
    ]
)

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": OriginValidator(
            AuthMiddlewareStack(sockets),
            settings.SUPERCP_PANEL_ORIGINS,
        ),
    }
)
