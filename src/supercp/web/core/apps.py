from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Users, roles, audit log and API tokens."""

    name = "supercp.web.core"
    label = "core"
